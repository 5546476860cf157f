// DNS64 (RFC 6147) decisions and RFC 6052 address embedding.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/dns64.h"
#include "wire/typed_rdata.h"

namespace cairn::policy {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

wire::IpPrefix prefix(std::string_view text) {
    return *wire::IpPrefix::parse(text);
}

wire::Record a(std::string_view owner, std::string_view address, uint32_t ttl = 3600) {
    wire::AData data;
    std::copy_n(ip(address).bytes().begin(), 4, data.address.begin());
    return {name(owner), wire::RRType::A, wire::RRClass::IN, ttl, data.to_rdata()};
}

wire::Record aaaa(std::string_view owner, std::string_view address, uint32_t ttl = 3600) {
    wire::AaaaData data;
    std::copy_n(ip(address).bytes().begin(), 16, data.address.begin());
    return {name(owner), wire::RRType::AAAA, wire::RRClass::IN, ttl, data.to_rdata()};
}

wire::Record cname(std::string_view owner, std::string_view target, uint32_t ttl = 3600) {
    return {name(owner), wire::RRType::CNAME, wire::RRClass::IN, ttl,
            wire::NameData{name(target)}.to_rdata()};
}

wire::Record rrsig(std::string_view owner, wire::RRType covered) {
    wire::RrsigData data;
    data.type_covered = covered;
    data.algorithm = 13;
    data.labels = 2;
    data.signer = name("example.");
    data.signature = {1, 2, 3};
    return {name(owner), wire::RRType::RRSIG, wire::RRClass::IN, 3600, data.to_rdata()};
}

wire::Record soa(uint32_t ttl, uint32_t minimum) {
    wire::SoaData data;
    data.mname = name("ns.example.");
    data.rname = name("hostmaster.example.");
    data.minimum = minimum;
    return {name("example."), wire::RRType::SOA, wire::RRClass::IN, ttl, data.to_rdata()};
}

Dns64 with_prefix(std::string_view text) {
    Dns64Options options;
    options.enabled = true;
    options.prefix = prefix(text);
    return Dns64(options);
}

// RFC 6052 §2.4, the table of examples: 192.0.2.33 in each prefix length.
TEST(Dns64, EmbedsAsRfc6052Section2_4Shows) {
    struct Case {
        std::string_view prefix;
        std::string_view embedded;
    };
    for (const Case c :
         std::initializer_list<Case>{{"2001:db8::/32", "2001:db8:c000:221::"},
                                     {"2001:db8:100::/40", "2001:db8:1c0:2:21::"},
                                     {"2001:db8:122::/48", "2001:db8:122:c000:2:2100::"},
                                     {"2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"},
                                     {"2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"},
                                     {"2001:db8:122:344::/96", "2001:db8:122:344::c000:221"},
                                     {"64:ff9b::/96", "64:ff9b::c000:221"}}) {
        EXPECT_EQ(embed_ipv4(prefix(c.prefix), ip("192.0.2.33")), ip(c.embedded)) << c.prefix;
        EXPECT_EQ(extract_ipv4(prefix(c.prefix), ip(c.embedded)), ip("192.0.2.33")) << c.prefix;
    }
}

TEST(Dns64, ExtractsOnlyInsideThePrefixWithTheReservedOctetZero) {
    EXPECT_FALSE(extract_ipv4(prefix("64:ff9b::/96"), ip("2001:db8::c000:221")));
    // Bits 64 to 71 set: not an RFC 6052 address.
    EXPECT_FALSE(extract_ipv4(prefix("2001:db8::/32"), ip("2001:db8:c000:221:ff00::")));
}

TEST(Dns64, RefusesPrefixesRfc6052DoesNotAllow) {
    EXPECT_FALSE(dns64_prefix_problem(prefix("64:ff9b::/96")));
    EXPECT_FALSE(dns64_prefix_problem(prefix("2001:db8:122:300::/56")));
    EXPECT_TRUE(dns64_prefix_problem(prefix("2001:db8::/33")));
    EXPECT_TRUE(dns64_prefix_problem(prefix("2001:db8::/128")));
    EXPECT_TRUE(dns64_prefix_problem(prefix("192.0.2.0/24")));
    EXPECT_TRUE(dns64_prefix_problem(prefix("2001:db8:0:0:ff00::/96")));
}

TEST(Dns64, AskForAWhenNoUsableAaaa) {
    const Dns64 dns64 = with_prefix("64:ff9b::/96");
    const auto qname = name("www.example.");
    const std::vector<wire::Record> real = {aaaa("www.example.", "2001:db8::1")};
    const std::vector<wire::Record> mapped = {aaaa("www.example.", "::ffff:192.0.2.1")};
    const std::vector<wire::Record> chain = {cname("www.example.", "v4.example.")};
    struct Case {
        std::string_view what;
        AaaaOutcome outcome;
        bool wanted;
    };
    using enum wire::Rcode;
    const std::vector<Case> cases = {
        {"NODATA", {NOERROR, {}, {}}, true},
        {"a real AAAA", {NOERROR, {}, real}, false},
        {"only an excluded AAAA (5.1.4)", {NOERROR, {}, mapped}, true},
        {"a CNAME to a name without AAAA (5.1.6)", {NOERROR, {}, chain}, true},
        {"NXDOMAIN (5.1.2)", {NXDOMAIN, {}, {}}, false},
        {"SERVFAIL, servers unreachable (5.1.2)",
         {SERVFAIL, wire::ExtendedErrorCode::kNoReachableAuthority, {}},
         true},
        {"REFUSED (5.1.2)", {REFUSED, {}, {}}, true},
        {"SERVFAIL, bogus (5.5)", {SERVFAIL, wire::ExtendedErrorCode::kDnssecBogus, {}}, false},
        {"SERVFAIL, signature expired (5.5)",
         {SERVFAIL, wire::ExtendedErrorCode::kSignatureExpired, {}},
         false}};
    for (const auto& c : cases)
        EXPECT_EQ(dns64.wants_a(qname, false, false, c.outcome), c.wanted) << c.what;
}

TEST(Dns64, DoAndCdTogetherMeanTheClientValidatesSoNothingIsSynthesised) {
    const Dns64 dns64 = with_prefix("64:ff9b::/96");
    const AaaaOutcome nodata{wire::Rcode::NOERROR, {}, {}};
    const auto qname = name("www.example.");
    EXPECT_FALSE(dns64.wants_a(qname, true, true, nodata));
    EXPECT_TRUE(dns64.wants_a(qname, true, false, nodata));
    EXPECT_TRUE(dns64.wants_a(qname, false, true, nodata));
}

TEST(Dns64, IgnoredNamesAreSynthesisedDespiteTheirAaaa) {
    Dns64Options options;
    options.ignore_aaaa = {name("broken.example.")};
    const Dns64 dns64(options);
    const std::vector<wire::Record> real = {aaaa("www.broken.example.", "2001:db8::1")};
    const AaaaOutcome outcome{wire::Rcode::NOERROR, {}, real};
    EXPECT_TRUE(dns64.wants_a(name("www.broken.example."), false, false, outcome));
    EXPECT_FALSE(dns64.wants_a(name("www.example."), false, false, outcome));
}

TEST(Dns64, SynthesisKeepsTheChainAndDropsTheSignaturesOverA) {
    const Dns64 dns64 = with_prefix("64:ff9b::/96");
    const std::vector<wire::Record> answer = {
        cname("www.example.", "v4.example.", 300), rrsig("www.example.", wire::RRType::CNAME),
        a("v4.example.", "93.184.216.34", 3600), a("v4.example.", "93.184.216.35", 60),
        rrsig("v4.example.", wire::RRType::A)};
    const auto made = dns64.synthesise(answer, 900);
    ASSERT_TRUE(made);
    ASSERT_EQ(made->size(), 4u);
    EXPECT_EQ((*made)[0], answer[0]);
    EXPECT_EQ((*made)[1], answer[1]);
    EXPECT_EQ((*made)[2], aaaa("v4.example.", "64:ff9b::5db8:d822", 900));
    EXPECT_EQ((*made)[3], aaaa("v4.example.", "64:ff9b::5db8:d823", 60));
}

TEST(Dns64, ExcludedAndNonGlobalIpv4AreNotMapped) {
    const Dns64 well_known = with_prefix("64:ff9b::/96");
    const Dns64 own = with_prefix("2001:db8:64::/96");
    // Excluded by default whatever the prefix.
    for (const auto* address :
         {"127.0.0.1", "0.1.2.3", "169.254.1.1", "224.0.0.1", "255.255.255.255"}) {
        EXPECT_FALSE(well_known.maps(ip(address))) << address;
        EXPECT_FALSE(own.maps(ip(address))) << address;
    }
    // RFC 6052 §3.1: the Well-Known Prefix carries global addresses only; a
    // network's own prefix may map its private ones.
    for (const auto* address :
         {"10.1.2.3", "192.168.1.1", "172.16.0.1", "192.0.2.1", "100.64.0.1"}) {
        EXPECT_FALSE(well_known.maps(ip(address))) << address;
        EXPECT_TRUE(own.maps(ip(address))) << address;
    }
    EXPECT_TRUE(well_known.maps(ip("93.184.216.34")));
    const std::vector<wire::Record> only_private = {a("v4.example.", "10.0.0.1")};
    EXPECT_FALSE(well_known.synthesise(only_private, 600));
    EXPECT_TRUE(own.synthesise(only_private, 600));
}

TEST(Dns64, TtlIsBoundedByTheNegativeAnswersSoa) {
    const std::vector<wire::Record> with_soa = {soa(3600, 300)};
    EXPECT_EQ(Dns64::ttl_cap(with_soa), 300u);
    const std::vector<wire::Record> low_soa_ttl = {soa(120, 300)};
    EXPECT_EQ(Dns64::ttl_cap(low_soa_ttl), 120u);
    EXPECT_EQ(Dns64::ttl_cap({}), 600u);
}

TEST(Dns64, PtrOfAnAddressInThePrefixPointsToInAddrArpa) {
    const Dns64 dns64 = with_prefix("64:ff9b::/96");
    const auto inside =
        name("2.2.8.d.8.b.d.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.");
    EXPECT_EQ(dns64.ptr_target(inside), name("34.216.184.93.in-addr.arpa."));
    const auto outside =
        name("2.2.8.d.8.b.d.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
    EXPECT_FALSE(dns64.ptr_target(outside));
    EXPECT_FALSE(dns64.ptr_target(name("b.9.f.f.4.6.0.0.ip6.arpa.")));
    EXPECT_FALSE(dns64.ptr_target(name("www.example.")));
    Dns64Options off;
    off.synthesise_ptr = false;
    EXPECT_FALSE(Dns64(off).ptr_target(inside));
}

}  // namespace
}  // namespace cairn::policy

namespace cairn::policy {
namespace {

TEST(Dns64, ReverseZoneHasANibbleLabelPerFourBitsOfThePrefix) {
    EXPECT_EQ(Dns64::reverse_zone(*wire::IpPrefix::parse("64:ff9b::/96")).to_text(),
              "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.");
    EXPECT_EQ(Dns64::reverse_zone(*wire::IpPrefix::parse("2001:db8:64::/48")).to_text(),
              "4.6.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
    EXPECT_EQ(Dns64::reverse_zone(*wire::IpPrefix::parse("2001:db8::/32")).to_text(),
              "8.b.d.0.1.0.0.2.ip6.arpa.");
}

}  // namespace
}  // namespace cairn::policy
