// The response classifier (issue 13 point 3, 7): table-driven, on the raw
// sections a server sent for a question to a zone.
#include "resolve/response_kind.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/zone_reader.h"

namespace cairn::resolve {
namespace {

using wire::RRType;

struct Case {
    const char* what;
    const char* qname;
    RRType qtype;
    const char* zone;  // the zone the server was asked as
    wire::Rcode rcode;
    bool aa;
    std::vector<const char*> answers;
    std::vector<const char*> authority;
    ResponseKind expected;
    const char* referral = "";
};

wire::Message message(const Case& c) {
    wire::Message m;
    m.header.qr = true;
    m.header.aa = c.aa;
    m.header.rcode = static_cast<uint8_t>(c.rcode);
    m.questions.push_back({*wire::Name::from_text(c.qname), c.qtype, wire::RRClass::IN});
    for (const char* text : c.answers)
        m.answers.push_back(*wire::parse_record(text, {}));
    for (const char* text : c.authority)
        m.authorities.push_back(*wire::parse_record(text, {}));
    return m;
}

const std::vector<Case> kCases = {
    {"answer",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"www.example. 300 IN A 192.0.2.1"},
     {},
     ResponseKind::kAnswer},
    {"referral to a child",
     "www.sub.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     false,
     {},
     {"sub.example. 300 IN NS ns.sub.example."},
     ResponseKind::kReferral,
     "sub.example."},
    {"NODATA with SOA",
     "www.example.",
     RRType::TXT,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {"example. 300 IN SOA ns.example. admin.example. 1 2 3 4 60"},
     ResponseKind::kNodata},
    {"NODATA with SOA and own NS",
     "www.example.",
     RRType::TXT,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {"example. 300 IN SOA ns.example. admin.example. 1 2 3 4 60",
      "example. 300 IN NS ns.example."},
     ResponseKind::kNodata},
    {"authoritative NODATA without SOA (RFC 2308 type 3)",
     "www.example.",
     RRType::TXT,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {},
     ResponseKind::kNodata},
    {"upward referral to the root, AA set",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {". 300 IN NS a.root-servers.net."},
     ResponseKind::kLame},
    {"upward referral to the parent, no AA",
     "www.sub.example.",
     RRType::A,
     "sub.example.",
     wire::Rcode::NOERROR,
     false,
     {},
     {"example. 300 IN NS ns.example."},
     ResponseKind::kLame},
    {"sideways referral, AA set",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {"other.test. 300 IN NS ns.other.test."},
     ResponseKind::kLame},
    {"referral to itself",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     false,
     {},
     {"example. 300 IN NS ns.example."},
     ResponseKind::kLame},
    {"SOA of another zone",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {},
     {"test. 300 IN SOA ns.test. admin.test. 1 2 3 4 60"},
     ResponseKind::kLame},
    {"empty, not authoritative",
     "example.",
     RRType::A,
     "",
     wire::Rcode::NOERROR,
     false,
     {},
     {},
     ResponseKind::kEmpty},
    {"NXDOMAIN",
     "nx.example.",
     RRType::A,
     "example.",
     wire::Rcode::NXDOMAIN,
     true,
     {},
     {"example. 300 IN SOA ns.example. admin.example. 1 2 3 4 60"},
     ResponseKind::kNxdomain},
    {"CNAME then NXDOMAIN",
     "alias.example.",
     RRType::A,
     "example.",
     wire::Rcode::NXDOMAIN,
     true,
     {"alias.example. 300 IN CNAME nx.example."},
     {},
     ResponseKind::kCname},
    {"CNAME",
     "alias.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"alias.example. 300 IN CNAME www.example.", "www.example. 300 IN A 192.0.2.1"},
     {},
     ResponseKind::kCname},
    {"CNAME asked for",
     "alias.example.",
     RRType::CNAME,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"alias.example. 300 IN CNAME www.example."},
     {},
     ResponseKind::kAnswer},
    {"DNAME",
     "a.old.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"old.example. 300 IN DNAME new.example.", "a.old.example. 300 IN CNAME a.new.example."},
     {},
     ResponseKind::kDname},
    {"CNAME asked for below a DNAME",
     "a.old.example.",
     RRType::CNAME,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"old.example. 300 IN DNAME new.example.", "a.old.example. 300 IN CNAME a.new.example."},
     {},
     ResponseKind::kDname},
    {"answer for another name only",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::NOERROR,
     true,
     {"victim.example. 300 IN A 6.6.6.6"},
     {},
     ResponseKind::kLame},
    {"REFUSED",
     "www.example.",
     RRType::A,
     "example.",
     wire::Rcode::REFUSED,
     false,
     {},
     {},
     ResponseKind::kError},
};

TEST(ResponseKind, ClassifiesTheUnscrubbedResponse) {
    for (const auto& c : kCases) {
        const auto zone = *wire::Name::from_text(*c.zone ? c.zone : ".");
        const auto m = message(c);
        const auto got = classify_response(m, m.questions.front(), zone);
        EXPECT_EQ(to_string(got.kind), std::string(to_string(c.expected))) << c.what;
        if (c.expected == ResponseKind::kReferral) {
            EXPECT_EQ(got.referral_zone.to_text(), c.referral) << c.what;
        }
    }
}

}  // namespace
}  // namespace cairn::resolve
