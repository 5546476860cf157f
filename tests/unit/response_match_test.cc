#include "cairnctl/response_match.h"

#include <gtest/gtest.h>

namespace cairn::ctl {
namespace {

wire::Message query_message() {
    wire::Message m;
    m.header.id = 0x1234;
    m.header.rd = true;
    m.questions.push_back(
        wire::Question{*wire::Name::from_text("www.example.com."), wire::RRType::AAAA});
    return m;
}

wire::QueryHead head(const wire::Message& m) {
    const auto wire = m.to_wire();
    return *wire::parse_query_head(wire);
}

ResponseMatch match(const wire::Message& response) {
    const auto wire = response.to_wire();
    return match_response(wire, head(query_message()));
}

wire::Message answer() {
    wire::Message m = query_message();
    m.header.qr = true;
    return m;
}

TEST(ResponseMatch, MatchingAnswer) {
    EXPECT_EQ(match(answer()), ResponseMatch::kMatch);
    wire::Message m = answer();
    m.set_rcode(wire::Rcode::SERVFAIL);  // any rcode is still the answer
    EXPECT_EQ(match(m), ResponseMatch::kMatch);
}

TEST(ResponseMatch, NameCaseDoesNotMatter) {
    wire::Message m = answer();
    m.questions[0].name = *wire::Name::from_text("WWW.Example.COM.");
    EXPECT_EQ(match(m), ResponseMatch::kMatch);
}

TEST(ResponseMatch, Mismatches) {
    wire::Message m = answer();
    m.header.qr = false;
    EXPECT_EQ(match(m), ResponseMatch::kNotResponse);
    m = answer();
    m.header.opcode = wire::Opcode::NOTIFY;
    EXPECT_EQ(match(m), ResponseMatch::kNotResponse);
    m = answer();
    m.header.id = 0x1235;
    EXPECT_EQ(match(m), ResponseMatch::kIdMismatch);
    m = answer();
    m.questions[0].type = wire::RRType::A;
    EXPECT_EQ(match(m), ResponseMatch::kQuestionMismatch);
    m = answer();
    m.questions[0].rclass = wire::RRClass::CH;
    EXPECT_EQ(match(m), ResponseMatch::kQuestionMismatch);
    m = answer();
    m.questions[0].name = *wire::Name::from_text("example.com.");
    EXPECT_EQ(match(m), ResponseMatch::kQuestionMismatch);
    m = answer();
    m.questions.push_back(m.questions[0]);
    EXPECT_EQ(match(m), ResponseMatch::kQuestionMismatch);
}

TEST(ResponseMatch, MalformedOrQuestionless) {
    const std::vector<uint8_t> short_header = {0x12, 0x34, 0x80};
    EXPECT_EQ(match_response(short_header, head(query_message())), ResponseMatch::kMalformed);
    wire::Message m = answer();
    m.questions.clear();  // e.g. a FORMERR without the question
    EXPECT_EQ(match(m), ResponseMatch::kMalformed);
}

}  // namespace
}  // namespace cairn::ctl
