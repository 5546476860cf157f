// The rules by which a reply is, or is not, the answer to an upstream query
// (RFC 5452 §9.1, 0x20), table-driven.
#include "net/upstream_match.h"

#include <gtest/gtest.h>

#include <functional>

namespace cairn::net {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

constexpr uint16_t kId = 0x1234;

// The question as sent: 0x20 spelling.
wire::Question sent_question() {
    return {name("wWw.ExAmple."), RRType::A};
}

// The answer a server that preserves case sends.
wire::Message answer() {
    wire::Message m;
    m.header.id = kId;
    m.header.qr = true;
    m.header.aa = true;
    m.questions.push_back(sent_question());
    m.answers.push_back({sent_question().name, RRType::A, wire::RRClass::IN, 300,
                         *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{192, 0, 2, 1})});
    return m;
}

struct Case {
    const char* what;
    std::function<void(wire::Message&)> change;
    ResponseVerdict with_0x20;
    ResponseVerdict without_0x20;
};

TEST(UpstreamMatch, Verdicts) {
    using V = ResponseVerdict;
    const std::vector<Case> cases = {
        {"the answer", [](wire::Message&) {}, V::kAccept, V::kAccept},
        {"any rcode", [](wire::Message& m) { m.set_rcode(wire::Rcode::SERVFAIL); }, V::kAccept,
         V::kAccept},
        {"another ID", [](wire::Message& m) { m.header.id ^= 1; }, V::kMismatch, V::kMismatch},
        {"not a response", [](wire::Message& m) { m.header.qr = false; }, V::kMismatch,
         V::kMismatch},
        {"another opcode", [](wire::Message& m) { m.header.opcode = wire::Opcode::NOTIFY; },
         V::kMismatch, V::kMismatch},
        {"another name", [](wire::Message& m) { m.questions[0].name = name("www.example.net."); },
         V::kMismatch, V::kMismatch},
        {"another type", [](wire::Message& m) { m.questions[0].type = RRType::AAAA; }, V::kMismatch,
         V::kMismatch},
        {"another class", [](wire::Message& m) { m.questions[0].rclass = wire::RRClass::CH; },
         V::kMismatch, V::kMismatch},
        {"two questions", [](wire::Message& m) { m.questions.push_back(m.questions[0]); },
         V::kMismatch, V::kMismatch},
        {"NOERROR without a question", [](wire::Message& m) { m.questions.clear(); }, V::kMismatch,
         V::kMismatch},
        {"lower case",
         [](wire::Message& m) { m.questions[0].name = m.questions[0].name.lowercased(); },
         V::kCaseMismatch, V::kAccept},
        {"one letter's case", [](wire::Message& m) { m.questions[0].name = name("wWw.Example."); },
         V::kCaseMismatch, V::kAccept},
        {"the answer's owner in another case only",
         [](wire::Message& m) { m.answers[0].owner = name("www.example."); }, V::kAccept,
         V::kAccept},
        {"FORMERR without a question",
         [](wire::Message& m) {
             m.questions.clear();
             m.answers.clear();
             m.set_rcode(wire::Rcode::FORMERR);
         },
         V::kUnverified, V::kAccept},
        {"NOTIMP without a question",
         [](wire::Message& m) {
             m.questions.clear();
             m.answers.clear();
             m.set_rcode(wire::Rcode::NOTIMP);
         },
         V::kUnverified, V::kAccept},
        {"TC=1", [](wire::Message& m) { m.header.tc = true; }, V::kTruncated, V::kTruncated},
        {"TC=1 in another case",
         [](wire::Message& m) {
             m.header.tc = true;
             m.questions[0].name = m.questions[0].name.lowercased();
         },
         V::kTruncated, V::kTruncated},
        {"TC=1 without a question",
         [](wire::Message& m) {
             m.header.tc = true;
             m.questions.clear();
         },
         V::kTruncated, V::kTruncated},
    };
    for (const auto& c : cases) {
        auto m = answer();
        c.change(m);
        const auto wire = m.to_wire();
        for (const bool exact : {true, false}) {
            ExpectedReply expected;
            expected.id = kId;
            expected.question = sent_question();
            expected.exact_case = exact;
            const auto check = check_response(wire, expected);
            EXPECT_EQ(check.verdict, exact ? c.with_0x20 : c.without_0x20)
                << c.what << (exact ? " (0x20)" : " (no 0x20)");
            // Whatever may be used is there in full.
            if (check.verdict == V::kAccept || check.verdict == V::kCaseMismatch ||
                check.verdict == V::kUnverified) {
                EXPECT_EQ(check.message.rcode(), m.rcode()) << c.what;
            }
        }
    }
}

TEST(UpstreamMatch, MalformedOnlyWithOurId) {
    ExpectedReply expected;
    expected.id = kId;
    expected.question = sent_question();
    expected.exact_case = true;
    EXPECT_EQ(check_response(std::vector<uint8_t>{0x12, 0x34, 0x80}, expected).verdict,
              ResponseVerdict::kMalformed);
    EXPECT_EQ(check_response(std::vector<uint8_t>{0x12}, expected).verdict,
              ResponseVerdict::kMismatch);
    EXPECT_EQ(check_response(std::vector<uint8_t>{0x43, 0x21, 0x80}, expected).verdict,
              ResponseVerdict::kMismatch);
    // A case mismatch whose records do not parse is malformed, not a case
    // mismatch to be believed over TCP.
    auto m = answer();
    m.questions[0].name = m.questions[0].name.lowercased();
    auto wire = m.to_wire();
    wire.resize(wire.size() - 3);
    EXPECT_EQ(check_response(wire, expected).verdict, ResponseVerdict::kMalformed);
}

// -- cookies (RFC 7873 §5.3) ---------------------------------------------------

constexpr ClientCookie kOurs = {1, 2, 3, 4, 5, 6, 7, 8};
constexpr ClientCookie kOther = {1, 2, 3, 4, 5, 6, 7, 9};

wire::Message with_cookie(wire::Message m, const ClientCookie& client,
                          std::vector<uint8_t> server = std::vector<uint8_t>(16, 0xaa)) {
    if (!m.edns) m.edns = wire::Edns{};
    m.edns->options.push_back(wire::CookieOption{client, std::move(server)});
    return m;
}

wire::Message formerr_without_question_or_opt() {
    wire::Message m;
    m.header.id = kId;
    m.header.qr = true;
    m.set_rcode(wire::Rcode::FORMERR);
    return m;
}

TEST(UpstreamMatch, CookieVerdicts) {
    using V = ResponseVerdict;
    struct CookieCase {
        const char* what;
        wire::Message reply;
        V not_required;  // we sent a cookie; the server has not answered with one yet
        V required;      // the server is known to use cookies
    };
    wire::Message edns_answer = answer();
    edns_answer.edns = wire::Edns{};
    const std::vector<CookieCase> cases = {
        {"no OPT", answer(), V::kAccept, V::kCookieMismatch},
        {"OPT without a cookie", edns_answer, V::kAccept, V::kCookieMismatch},
        {"our cookie and the server's", with_cookie(answer(), kOurs), V::kAccept, V::kAccept},
        {"our cookie alone", with_cookie(answer(), kOurs, {}), V::kAccept, V::kAccept},
        {"another client cookie", with_cookie(answer(), kOther), V::kCookieMismatch,
         V::kCookieMismatch},
        {"FORMERR without question or OPT", formerr_without_question_or_opt(), V::kAccept,
         V::kCookieMismatch},
    };
    for (const auto& c : cases) {
        const auto wire = c.reply.to_wire();
        for (const bool required : {false, true}) {
            ExpectedReply expected;
            expected.id = kId;
            expected.question = sent_question();
            expected.client_cookie = kOurs;
            expected.cookie_required = required;
            const auto check = check_response(wire, expected);
            EXPECT_EQ(check.verdict, required ? c.required : c.not_required)
                << c.what << (required ? " (required)" : "");
            // Whatever the verdict, a reply that got this far is all there.
            EXPECT_EQ(check.message.header.id, kId) << c.what;
        }
        // No cookie sent: cookies in replies mean nothing.
        ExpectedReply without;
        without.id = kId;
        without.question = sent_question();
        EXPECT_EQ(check_response(wire, without).verdict, V::kAccept) << c.what;
    }
}

TEST(UpstreamMatch, CaseIsCheckedBeforeTheCookie) {
    ExpectedReply expected;
    expected.id = kId;
    expected.question = sent_question();
    expected.exact_case = true;
    expected.client_cookie = kOurs;
    expected.cookie_required = true;
    auto m = answer();
    m.questions[0].name = m.questions[0].name.lowercased();
    EXPECT_EQ(check_response(m.to_wire(), expected).verdict, ResponseVerdict::kCaseMismatch);
}

TEST(UpstreamMatch, CookieEcho) {
    EXPECT_EQ(cookie_echo(answer(), kOurs).kind, CookieEcho::kAbsent);
    const auto ours = with_cookie(answer(), kOurs, {9, 9, 9, 9, 9, 9, 9, 9});
    const auto echo = cookie_echo(ours, kOurs);
    EXPECT_EQ(echo.kind, CookieEcho::kValid);
    EXPECT_EQ(std::vector<uint8_t>(echo.server.begin(), echo.server.end()),
              std::vector<uint8_t>(8, 9));
    EXPECT_EQ(cookie_echo(ours, kOther).kind, CookieEcho::kWrong);
}

}  // namespace
}  // namespace cairn::net
