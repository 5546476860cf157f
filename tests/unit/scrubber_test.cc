// The scrubber (issue 13 points 1 and 2) and the chain walker it uses:
// table-driven, each case a response, what stays, and what goes.
#include "resolve/scrubber.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resolve/chain.h"
#include "wire/zone_reader.h"

namespace cairn::resolve {
namespace {

using wire::RRType;

std::vector<wire::Record> records(const std::vector<const char*>& texts) {
    std::vector<wire::Record> out;
    for (const char* t : texts)
        out.push_back(*wire::parse_record(t, {}));
    return out;
}

std::vector<std::string> owners_and_types(const std::vector<wire::Record>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs)
        out.push_back(r.owner.to_text() + " " + wire::to_string(r.type));
    return out;
}

struct ScrubCase {
    const char* what;
    const char* qname;
    RRType qtype;
    bool aa;
    std::vector<const char*> answers;
    std::vector<const char*> authority;
    std::vector<const char*> additional;
    std::vector<std::string> kept_answers;
    std::vector<std::string> kept_authority;
    std::vector<std::string> kept_additional;
};

const std::vector<ScrubCase> kScrub = {
    {"an extra RRset in the zone is dropped",
     "a.example.",
     RRType::A,
     true,
     {"a.example. 300 IN A 192.0.2.1", "victim.example. 300 IN A 6.6.6.6"},
     {},
     {},
     {"a.example. A"},
     {},
     {}},
    {"a CNAME chain is kept in order, what is off it dropped",
     "alias.example.",
     RRType::A,
     true,
     {"alias.example. 300 IN CNAME www.example.", "www.example. 300 IN A 192.0.2.1",
      "other.example. 300 IN A 6.6.6.6", "www.example. 300 IN MX 10 mail.example."},
     {},
     {},
     {"alias.example. CNAME", "www.example. A"},
     {},
     {}},
    {"a DNAME, the CNAME it implies and the target's RRset stay",
     "a.old.example.",
     RRType::A,
     true,
     {"old.example. 300 IN DNAME new.example.", "a.old.example. 300 IN CNAME a.new.example.",
      "a.new.example. 300 IN A 192.0.2.7", "b.new.example. 300 IN A 6.6.6.6"},
     {},
     {},
     {"old.example. DNAME", "a.old.example. CNAME", "a.new.example. A"},
     {},
     {}},
    {"records outside the zone are dropped",
     "www.example.",
     RRType::A,
     true,
     {"www.example. 300 IN A 192.0.2.1", "www.test. 300 IN A 6.6.6.6"},
     {"test. 300 IN NS ns.evil."},
     {"ns.evil. 300 IN A 6.6.6.6"},
     {"www.example. A"},
     {},
     {}},
    {"an authoritative answer keeps its own zone's NS and their glue",
     "www.example.",
     RRType::A,
     true,
     {"www.example. 300 IN A 192.0.2.1"},
     {"example. 300 IN NS ns.example.", "sub.example. 300 IN NS ns.evil."},
     {"ns.example. 300 IN A 192.0.2.53", "other.example. 300 IN A 6.6.6.6"},
     {"www.example. A"},
     {"example. NS"},
     {"ns.example. A"}},
    {"a non-authoritative answer's NS are not believed",
     "www.example.",
     RRType::A,
     false,
     {"www.example. 300 IN A 192.0.2.1"},
     {"example. 300 IN NS ns.evil.example."},
     {"ns.evil.example. 300 IN A 6.6.6.6"},
     {"www.example. A"},
     {},
     {}},
};

TEST(Scrubber, KeepsOnlyTheChainAndWhatTheZoneMaySay) {
    const auto zone = *wire::Name::from_text("example.");
    for (const auto& c : kScrub) {
        wire::Message m;
        m.header.qr = true;
        m.header.aa = c.aa;
        const wire::Question q{*wire::Name::from_text(c.qname), c.qtype, wire::RRClass::IN};
        m.questions.push_back(q);
        m.answers = records(c.answers);
        m.authorities = records(c.authority);
        m.additionals = records(c.additional);
        const auto kind = classify_response(m, q, zone);
        scrub_response(m, q, zone, kind);
        EXPECT_EQ(owners_and_types(m.answers), c.kept_answers) << c.what;
        EXPECT_EQ(owners_and_types(m.authorities), c.kept_authority) << c.what;
        EXPECT_EQ(owners_and_types(m.additionals), c.kept_additional) << c.what;
    }
}

TEST(Scrubber, AReferralKeepsTheChildsNsDsAndGlueOnly) {
    const auto zone = *wire::Name::from_text("example.");
    wire::Message m;
    m.header.qr = true;
    const wire::Question q{*wire::Name::from_text("www.sub.example."), RRType::A,
                           wire::RRClass::IN};
    m.questions.push_back(q);
    m.authorities =
        records({"sub.example. 300 IN NS ns.sub.example.", "sub.example. 300 IN DS 1 8 2 00112233",
                 "example. 300 IN NS ns.example.", "other.example. 300 IN DS 1 8 2 00"});
    m.additionals = records({"ns.sub.example. 300 IN A 192.0.2.53"});
    const auto kind = classify_response(m, q, zone);
    ASSERT_EQ(kind.kind, ResponseKind::kReferral);
    scrub_response(m, q, zone, kind);
    EXPECT_EQ(owners_and_types(m.authorities),
              (std::vector<std::string>{"sub.example. NS", "sub.example. DS"}));
    EXPECT_EQ(owners_and_types(m.additionals), (std::vector<std::string>{"ns.sub.example. A"}));
}

TEST(AnswerChain, FollowsCnameAndDnameAndStopsAtLoops) {
    struct Case {
        const char* what;
        const char* qname;
        RRType qtype;
        std::vector<const char*> answers;
        std::vector<ChainLink> expected;
    };
    auto n = [](const char* text) { return *wire::Name::from_text(text); };
    const std::vector<Case> cases = {
        {"direct",
         "a.example.",
         RRType::A,
         {"a.example. 1 IN A 192.0.2.1"},
         {{n("a.example."), RRType::A}}},
        {"CNAME loop",
         "l1.example.",
         RRType::A,
         {"l1.example. 1 IN CNAME l2.example.", "l2.example. 1 IN CNAME l1.example."},
         {{n("l1.example."), RRType::CNAME}, {n("l2.example."), RRType::CNAME}}},
        {"CNAME asked for",
         "a.example.",
         RRType::CNAME,
         {"a.example. 1 IN CNAME b.example."},
         {{n("a.example."), RRType::CNAME}}},
        {"CNAME asked for below a DNAME",
         "x.old.example.",
         RRType::CNAME,
         {"old.example. 1 IN DNAME new.example."},
         {{n("old.example."), RRType::DNAME}, {n("x.old.example."), RRType::CNAME}}},
        {"DNAME asked for at its owner",
         "old.example.",
         RRType::DNAME,
         {"old.example. 1 IN DNAME new.example."},
         {{n("old.example."), RRType::DNAME}}},
    };
    for (const auto& c : cases) {
        const auto answers = records(c.answers);
        EXPECT_EQ(answer_chain(answers, {n(c.qname), c.qtype, wire::RRClass::IN}), c.expected)
            << c.what;
    }
}

TEST(AnswerChain, AppliesDnameToTheSuffixOnly) {
    const auto dname = *wire::parse_record("old.example. 1 IN DNAME new.test.", {});
    EXPECT_EQ(apply_dname(*wire::Name::from_text("a.b.old.example."), dname)->to_text(),
              "a.b.new.test.");
    EXPECT_FALSE(apply_dname(*wire::Name::from_text("old.example."), dname));
    EXPECT_FALSE(apply_dname(*wire::Name::from_text("other.example."), dname));
}

}  // namespace
}  // namespace cairn::resolve
