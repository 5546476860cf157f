// ZONEMD (RFC 8976): the digests of the RFC's Appendix A zones, the §4
// checks, and zones that ldns-signzone gave a ZONEMD.
#include "dnssec/zonemd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "wire/zone_reader.h"

namespace cairn::dnssec {
namespace {

using Status = ZonemdVerdict::Status;
using wire::Name;
using wire::Record;
using wire::RRType;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

std::vector<Record> zone(std::string_view text, std::string_view origin) {
    auto records = wire::read_zone(text, name(origin));
    EXPECT_TRUE(records) << records.error().message;
    return records ? *records : std::vector<Record>{};
}

std::string hex(const std::optional<std::vector<uint8_t>>& bytes) {
    if (!bytes) return "nothing";
    std::string out;
    char two[3];
    for (uint8_t b : *bytes) {
        std::snprintf(two, sizeof two, "%02x", b);
        out += two;
    }
    return out;
}

std::string digest384(const std::vector<Record>& records, std::string_view apex) {
    return hex(zone_digest(records, name(apex), zonemd::kSchemeSimple, zonemd::kSha384));
}

// RFC 8976 Appendix A.1.
constexpr std::string_view kSimpleZone = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 c68090d90a7aed716bc459f9340e3d7c
                                 1370d4d24b7e2fc3a1ddc0b9a87153b9
                                 a9713b3c9ae5cc27777f98b8e730044c )
ns1           3600   IN  A       203.0.113.63
ns2           3600   IN  AAAA    2001:db8::63
)";
constexpr std::string_view kSimpleDigest =
    "c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9"
    "a9713b3c9ae5cc27777f98b8e730044c";

// RFC 8976 Appendix A.2: out-of-zone, occluded, duplicate, upper-case,
// wildcard, unsorted and non-apex ZONEMD data.
constexpr std::string_view kComplexZone = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
              86400  IN  NS      ns1
              86400  IN  NS      ns2
              86400  IN  ZONEMD  2018031900 1 1 (
                                 a3b69bad980a3504e1cffcb0fd6397f9
                                 3848071c93151f552ae2f6b1711d4bd2
                                 d8b39808226d7b9db71e34b72077f8fe )
ns1           3600   IN  A       203.0.113.63
NS2           3600   IN  AAAA    2001:db8::63
occluded.sub  7200   IN  TXT     "I'm occluded but must be digested"
sub           7200   IN  NS      ns1
duplicate     300    IN  TXT     "I must be digested just once"
duplicate     300    IN  TXT     "I must be digested just once"
foo.test.     555    IN  TXT     "out-of-zone data must be excluded"
UPPERCASE     3600   IN  TXT     "canonicalize uppercase owner names"
*             777    IN  PTR     dont-forget-about-wildcards
mail          3600   IN  MX      20 MAIL1
mail          3600   IN  MX      10 Mail2.Example.
sortme        3600   IN  AAAA    2001:db8::5:61
sortme        3600   IN  AAAA    2001:db8::3:62
sortme        3600   IN  AAAA    2001:db8::4:63
sortme        3600   IN  AAAA    2001:db8::1:65
sortme        3600   IN  AAAA    2001:db8::2:64
non-apex      900    IN  ZONEMD  2018031900 1 1 (
                                 616c6c6f776564206275742069676e6f
                                 7265642e20616c6c6f77656420627574
                                 2069676e6f7265642e20616c6c6f7765 )
)";

// RFC 8976 Appendix A.3: several ZONEMDs, two of them unsupported.
constexpr std::string_view kMultipleZone = R"(
example.      86400  IN  SOA     ns1 admin 2018031900 1800 900 604800 86400
example.      86400  IN  NS      ns1.example.
example.      86400  IN  NS      ns2.example.
example.      86400  IN  ZONEMD  2018031900 1 1 (
                                 62e6cf51b02e54b9b5f967d547ce4313
                                 6792901f9f88e637493daaf401c92c27
                                 9dd10f0edb1c56f8080211f8480ee306 )
example.      86400  IN  ZONEMD  2018031900 1 2 (
                                 08cfa1115c7b948c4163a901270395ea
                                 226a930cd2cbcf2fa9a5e6eb85f37c8a
                                 4e114d884e66f176eab121cb02db7d65
                                 2e0cc4827e7a3204f166b47e5613fd27 )
example.      86400  IN  ZONEMD  2018031900 1 240 (
                                 e2d523f654b9422a96c5a8f44607bbee )
example.      86400  IN  ZONEMD  2018031900 241 1 (
                                 e1846540e33a9e4189792d18d5d131f605fc283e )
ns1.example.  3600   IN  A       203.0.113.63
ns2.example.  86400  IN  TXT     "This example has multiple digests"
NS2.EXAMPLE.  3600   IN  AAAA    2001:db8::63
)";

TEST(Zonemd, SimpleZoneDigest) {
    const auto records = zone(kSimpleZone, "example.");
    EXPECT_EQ(digest384(records, "example."), kSimpleDigest);
    const auto v = verify_zonemd(records, name("example."));
    EXPECT_EQ(v.status, Status::kVerified) << v.why;
    EXPECT_EQ(v.serial, 2018031900u);
}

TEST(Zonemd, ComplexZoneDigest) {
    const auto records = zone(kComplexZone, "example.");
    EXPECT_EQ(digest384(records, "example."),
              "a3b69bad980a3504e1cffcb0fd6397f93848071c93151f552ae2f6b1711d4bd2"
              "d8b39808226d7b9db71e34b72077f8fe");
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kVerified);
}

TEST(Zonemd, MultipleDigestsBothAlgorithms) {
    const auto records = zone(kMultipleZone, "example.");
    EXPECT_EQ(digest384(records, "example."),
              "62e6cf51b02e54b9b5f967d547ce43136792901f9f88e637493daaf401c92c27"
              "9dd10f0edb1c56f8080211f8480ee306");
    EXPECT_EQ(hex(zone_digest(records, name("example."), zonemd::kSchemeSimple, zonemd::kSha512)),
              "08cfa1115c7b948c4163a901270395ea226a930cd2cbcf2fa9a5e6eb85f37c8a"
              "4e114d884e66f176eab121cb02db7d652e0cc4827e7a3204f166b47e5613fd27");
    // The unsupported ZONEMDs are passed over; a supported one matches.
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kVerified);
}

TEST(Zonemd, UnsupportedSchemeOrAlgorithmIsNoDigest) {
    const auto records = zone(kSimpleZone, "example.");
    EXPECT_FALSE(zone_digest(records, name("example."), 2, zonemd::kSha384));
    EXPECT_FALSE(zone_digest(records, name("example."), zonemd::kSchemeSimple, 240));
    EXPECT_TRUE(zonemd_supported(zonemd::kSchemeSimple, zonemd::kSha512));
    EXPECT_FALSE(zonemd_supported(241, zonemd::kSha384));
}

TEST(Zonemd, ChangedDataIsAMismatch) {
    auto records = zone(kSimpleZone, "example.");
    records.back().ttl = 3601;
    const auto v = verify_zonemd(records, name("example."));
    EXPECT_EQ(v.status, Status::kMismatch);
    EXPECT_NE(v.why.find("computed"), std::string::npos) << v.why;

    records = zone(kSimpleZone, "example.");
    records.push_back(*wire::parse_record("ns3 3600 IN A 203.0.113.64", name("example.")));
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kMismatch);
}

TEST(Zonemd, WhatIsNotDigestedDoesNotMatter) {
    auto records = zone(kSimpleZone, "example.");
    const Name apex = name("example.");
    // Out-of-zone data, a repeated record, an RRSIG over the apex ZONEMD
    // (signature bytes need not verify here) and the AXFR's second SOA.
    for (const char* text :
         {"other. 60 IN A 192.0.2.1", "ns1 3600 IN A 203.0.113.63",
          "@ 86400 IN RRSIG ZONEMD 13 1 86400 20300101000000 20200101000000 1 example. AAAA",
          "@ 86400 IN SOA ns1 admin 2018031900 1800 900 604800 86400"})
        records.push_back(*wire::parse_record(text, apex));
    EXPECT_EQ(digest384(records, "example."), kSimpleDigest);
    EXPECT_EQ(verify_zonemd(records, apex).status, Status::kVerified);

    // An RRSIG over anything else is digested.
    records.push_back(*wire::parse_record(
        "@ 86400 IN RRSIG SOA 13 1 86400 20300101000000 20200101000000 1 example. AAAA", apex));
    EXPECT_NE(digest384(records, "example."), kSimpleDigest);
}

TEST(Zonemd, PlaceholderDoesNotVerify) {
    // ldns and others sign a zone with an all-zero placeholder first.
    auto records = zone(kSimpleZone, "example.");
    for (auto& r : records)
        if (r.type == RRType::ZONEMD)
            r = *wire::parse_record("@ 86400 IN ZONEMD 2018031900 1 1 " + std::string(96, '0'),
                                    name("example."));
    EXPECT_EQ(digest384(records, "example."), kSimpleDigest);
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kMismatch);
}

TEST(Zonemd, ZonemdsThatCannotVerify) {
    const Name apex = name("example.");
    const auto with_zonemds = [&](std::vector<std::string> zonemds) {
        std::vector<Record> records;
        for (const auto& r : zone(kSimpleZone, "example."))
            if (r.type != RRType::ZONEMD) records.push_back(r);
        for (const auto& text : zonemds)
            records.push_back(*wire::parse_record("@ 86400 IN ZONEMD " + text, apex));
        return verify_zonemd(records, apex);
    };
    const std::string digest(kSimpleDigest);

    EXPECT_EQ(with_zonemds({}).status, Status::kAbsent);
    // §4: the serial must match the SOA's.
    auto v = with_zonemds({"2018031901 1 1 " + digest});
    EXPECT_EQ(v.status, Status::kUnusable);
    EXPECT_NE(v.why.find("serial"), std::string::npos) << v.why;
    // Only unsupported schemes or algorithms: nothing verifies the zone.
    v = with_zonemds({"2018031900 2 1 " + digest, "2018031900 1 3 " + digest});
    EXPECT_EQ(v.status, Status::kUnusable);
    EXPECT_NE(v.why.find("unsupported"), std::string::npos) << v.why;
    // A digest of the wrong size for its algorithm (or below 12 octets).
    EXPECT_EQ(with_zonemds({"2018031900 1 1 " + digest.substr(0, 24)}).status, Status::kUnusable);
    EXPECT_EQ(with_zonemds({"2018031900 1 2 " + digest}).status, Status::kUnusable);
    // §2.4: one scheme and algorithm pair, one ZONEMD.
    v = with_zonemds({"2018031900 1 1 " + digest, "2018031900 1 1 " + std::string(96, 'a')});
    EXPECT_EQ(v.status, Status::kDuplicate) << v.why;
    // A usable one that matches beside a stale one.
    EXPECT_EQ(
        with_zonemds({"2018031800 1 1 " + std::string(96, 'b'), "2018031900 1 1 " + digest}).status,
        Status::kVerified);
}

TEST(Zonemd, ZoneWithoutOneSoa) {
    auto records = zone(kSimpleZone, "example.");
    std::erase_if(records, [](const Record& r) { return r.type == RRType::SOA; });
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kNoSoa);
    records = zone(kSimpleZone, "example.");
    records.push_back(*wire::parse_record(
        "@ 86400 IN SOA ns1 admin 2018031901 1800 900 604800 86400", name("example.")));
    EXPECT_EQ(verify_zonemd(records, name("example.")).status, Status::kNoSoa);
}

TEST(Zonemd, MalformedRdata) {
    EXPECT_FALSE(ZonemdData::from(wire::RData::from_trusted_bytes({1, 2, 3, 4, 1})));
    const auto z = ZonemdData::from(wire::RData::from_trusted_bytes({0, 0, 1, 2, 1, 2, 9}));
    ASSERT_TRUE(z);
    EXPECT_EQ(z->serial, 258u);
    EXPECT_EQ(z->scheme, 1);
    EXPECT_EQ(z->hash_algorithm, 2);
    EXPECT_EQ(z->digest, std::vector<uint8_t>{9});
}

// A zone signed with ldns-signzone's ZONEMD option (-z scheme:hash, ldns
// 1.8): what another implementation computed, over a signed zone with an
// NSEC chain and RRSIGs, must verify here; and changing a record must not.
class LdnsZonemd : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        char dir_template[] = "/tmp/cairn-zonemd-XXXXXX";
        ASSERT_NE(mkdtemp(dir_template), nullptr);
        dir_ = dir_template;
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    std::string run(const std::string& command) {
        FILE* pipe = popen(("cd '" + dir_ + "' && " + command).c_str(), "r");
        if (pipe == nullptr) return {};
        std::string out;
        char buffer[256];
        while (fgets(buffer, sizeof buffer, pipe) != nullptr)
            out += buffer;
        status_ = pclose(pipe);
        while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
            out.pop_back();
        return out;
    }
    std::string dir_;
    int status_ = 0;
};

TEST_P(LdnsZonemd, SignedZoneVerifies) {
    {
        std::ofstream zone_file(dir_ + "/example.zone");
        zone_file << "$ORIGIN example.\n$TTL 3600\n"
                     "@ SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
                     "@ NS ns1\n"
                     "ns1 A 192.0.2.53\n"
                     "www A 192.0.2.1\n"
                     "WWW AAAA 2001:db8::1\n"
                     "sub NS ns.sub\n"
                     "ns.sub A 192.0.2.54\n"
                     "* TXT \"wild\"\n";
    }
    const std::string key = run("ldns-keygen -a ECDSAP256SHA256 -k example.");
    ASSERT_EQ(status_, 0) << "ldns-keygen not found: install ldnsutils";
    const int64_t now = std::time(nullptr);
    run("ldns-signzone -z " + std::string(GetParam()) + " -i " + std::to_string(now - 86400) +
        " -e " + std::to_string(now + 86400) + " -f signed.zone example.zone " + key);
    ASSERT_EQ(status_, 0);

    auto records = wire::read_zone_file(dir_ + "/signed.zone", name("example."));
    ASSERT_TRUE(records) << records.error().message;
    ASSERT_TRUE(
        std::ranges::any_of(*records, [](const Record& r) { return r.type == RRType::ZONEMD; }));
    auto v = verify_zonemd(*records, name("example."));
    EXPECT_EQ(v.status, Status::kVerified) << v.why;
    EXPECT_EQ(v.serial, 7u);

    for (auto& r : *records)
        if (r.type == RRType::A && r.owner == name("www.example."))
            r.rdata = wire::RData::from_trusted_bytes({192, 0, 2, 99});
    EXPECT_EQ(verify_zonemd(*records, name("example.")).status, Status::kMismatch);
}

INSTANTIATE_TEST_SUITE_P(DnssecLdns, LdnsZonemd, ::testing::Values("1:1", "simple:sha512"),
                         [](const auto& info) {
                             return std::string(info.param) == "1:1" ? "Sha384" : "Sha512";
                         });

}  // namespace
}  // namespace cairn::dnssec
