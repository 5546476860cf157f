// The CNAME/DNAME chain of one question (RFC 1034 §3.6.2, RFC 6672): which
// RRsets of a response lie on it, and where each name of it leads among the
// RRsets a lookup returned. One row per case.
#include "resolve/chain.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::resolve {
namespace {

using wire::RRType;
using Kind = ChainStep::Kind;

wire::Name name(const char* text) {
    return *wire::Name::from_text(text);
}

std::vector<wire::Record> records(const std::vector<std::string>& lines) {
    std::vector<wire::Record> out;
    for (const auto& line : lines) {
        auto r = wire::parse_record(line, wire::Name::root(), 300);
        EXPECT_TRUE(r) << line;
        if (r) out.push_back(*r);
    }
    return out;
}

std::vector<SignedRRset> rrsets(const std::vector<std::string>& lines) {
    std::vector<SignedRRset> out;
    for (auto& rrset : wire::group_rrsets(records(lines)))
        out.push_back({std::move(rrset), {}, cache::Trust::kAnswerAuth, false});
    return out;
}

struct StepCase {
    const char* what;
    std::vector<std::string> answer;
    const char* qname;
    RRType qtype;
    Kind kind;
    std::vector<size_t> used;  // positions of the RRsets the step uses
    const char* next;          // for kCname/kDname
    const char* cname;         // the CNAME a DNAME implies: its target
};

const std::vector<StepCase> kStepCases = {
    {"the type asked is the answer",
     {"www.example. A 192.0.2.1", "www.example. A 192.0.2.2"},
     "www.example.",
     RRType::A,
     Kind::kAnswer,
     {0},
     "",
     ""},
    {"a CNAME leads on",
     {"www.example. CNAME web.example.", "web.example. A 192.0.2.1"},
     "www.example.",
     RRType::A,
     Kind::kCname,
     {0},
     "web.example.",
     ""},
    {"the CNAME's target answers",
     {"www.example. CNAME web.example.", "web.example. A 192.0.2.1"},
     "web.example.",
     RRType::A,
     Kind::kAnswer,
     {1},
     "",
     ""},
    {"a CNAME asked for is the answer",
     {"www.example. CNAME web.example."},
     "www.example.",
     RRType::CNAME,
     Kind::kAnswer,
     {0},
     "",
     ""},
    {"nothing for the name: the chain leaves the lookup",
     {"www.example. CNAME web.other."},
     "web.other.",
     RRType::A,
     Kind::kNone,
     {},
     "",
     ""},
    {"another type at the name is no answer",
     {"www.example. AAAA 2001:db8::1"},
     "www.example.",
     RRType::A,
     Kind::kNone,
     {},
     "",
     ""},
    {"a DNAME above the name redirects, with the CNAME it implies",
     {"old.example. DNAME new.example."},
     "www.old.example.",
     RRType::A,
     Kind::kDname,
     {0},
     "www.new.example.",
     "www.new.example."},
    {"the DNAME redirects before a CNAME at the name (RFC 6672 §3.1)",
     {"www.old.example. CNAME elsewhere.example.", "old.example. DNAME new.example."},
     "www.old.example.",
     RRType::A,
     Kind::kDname,
     {1},
     "www.new.example.",
     "www.new.example."},
    {"the deepest DNAME wins",
     {"example. DNAME far.test.", "old.example. DNAME new.example."},
     "www.old.example.",
     RRType::A,
     Kind::kDname,
     {1},
     "www.new.example.",
     "www.new.example."},
    {"a DNAME at the name itself does not redirect it",
     {"old.example. DNAME new.example."},
     "old.example.",
     RRType::DNAME,
     Kind::kAnswer,
     {0},
     "",
     ""},
    {"asked for the CNAME below a DNAME: the implied CNAME",
     {"old.example. DNAME new.example."},
     "www.old.example.",
     RRType::CNAME,
     Kind::kDname,
     {0},
     "www.new.example.",
     "www.new.example."},
    {"ANY: every RRset at the name",
     {"www.example. A 192.0.2.1", "other.example. A 192.0.2.9", "www.example. TXT \"x\""},
     "www.example.",
     RRType::ANY,
     Kind::kAnswer,
     {0, 2},
     "",
     ""},
    {"a DNAME whose substitution is too long is broken",
     {std::string("example. DNAME ") + std::string(60, 'a') + "." + std::string(60, 'b') + "." +
      std::string(60, 'c') + "." + std::string(60, 'd') + "."},
     "a-long-label-of-twenty.example.",
     RRType::A,
     Kind::kBroken,
     {},
     "",
     ""},
};

TEST(ChainStep, WhereEachNameLeads) {
    for (const auto& c : kStepCases) {
        const auto sets = rrsets(c.answer);
        const auto step = chain_step(sets, {name(c.qname), c.qtype, wire::RRClass::IN});
        EXPECT_EQ(step.kind, c.kind) << c.what;
        EXPECT_EQ(step.rrsets, c.used) << c.what;
        if (c.kind == Kind::kCname || c.kind == Kind::kDname) {
            EXPECT_EQ(step.next, name(c.next)) << c.what;
        }
        ASSERT_EQ(step.cname.has_value(), *c.cname != '\0') << c.what;
        if (!step.cname) continue;
        EXPECT_EQ(step.cname->owner, name(c.qname)) << c.what;
        EXPECT_EQ(step.cname->type, RRType::CNAME) << c.what;
        auto target = wire::NameData::from(step.cname->rdata);
        ASSERT_TRUE(target) << c.what;
        EXPECT_EQ(target->name, name(c.cname)) << c.what;
    }
}

struct ChainCase {
    const char* what;
    std::vector<std::string> answer;
    const char* qname;
    RRType qtype;
    std::vector<std::pair<const char*, RRType>> chain;
};

const std::vector<ChainCase> kChainCases = {
    {"a plain answer",
     {"www.example. A 192.0.2.1"},
     "www.example.",
     RRType::A,
     {{"www.example.", RRType::A}}},
    {"a CNAME chain in order, whatever the order of the section",
     {"b.example. A 192.0.2.1", "a.example. CNAME b.example.", "www.example. CNAME a.example."},
     "www.example.",
     RRType::A,
     {{"www.example.", RRType::CNAME}, {"a.example.", RRType::CNAME}, {"b.example.", RRType::A}}},
    {"records off the chain are not on it",
     {"www.example. A 192.0.2.1", "victim.example. A 6.6.6.6"},
     "www.example.",
     RRType::A,
     {{"www.example.", RRType::A}}},
    {"a DNAME, the CNAME it implies, then the target",
     {"old.example. DNAME new.example.", "www.new.example. A 192.0.2.1"},
     "www.old.example.",
     RRType::A,
     {{"old.example.", RRType::DNAME},
      {"www.old.example.", RRType::CNAME},
      {"www.new.example.", RRType::A}}},
    {"a CNAME loop stops where it closes",
     {"a.example. CNAME b.example.", "b.example. CNAME a.example."},
     "a.example.",
     RRType::A,
     {{"a.example.", RRType::CNAME}, {"b.example.", RRType::CNAME}}},
};

TEST(ChainLinks, TheRRsetsOnTheWayInOrder) {
    for (const auto& c : kChainCases) {
        const auto got =
            answer_chain(records(c.answer), {name(c.qname), c.qtype, wire::RRClass::IN});
        std::vector<ChainLink> want;
        for (const auto& [owner, type] : c.chain)
            want.push_back({name(owner), type});
        EXPECT_EQ(got, want) << c.what;
    }
}

}  // namespace
}  // namespace cairn::resolve
