// Key tags, DS digests, public keys and signatures against the RFC examples
// (RFC 4034 §5.4 and Appendix B, RFC 4509 §2.3, RFC 5702 §6, RFC 6605 §6,
// RFC 8080 §6 as corrected by erratum 4935), and malformed input.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "dnssec/algorithms.h"
#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "dnssec/rrset_verifier.h"
#include "dnssec/security.h"
#include "dnssec/signed_data.h"
#include "wire/encoding.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {
namespace {

using wire::Name;
using wire::RData;
using wire::Record;
using wire::RRType;

Record rr(std::string_view text) {
    auto r = wire::parse_record(text, Name::root(), 3600);
    if (!r) throw std::runtime_error(std::string(text) + ": " + r.error().message);
    return *r;
}

Name name(std::string_view text) {
    return *Name::from_text(text);
}

std::vector<uint8_t> hex(std::string_view text) {
    return *wire::decode_hex(text);
}

wire::DnskeyData dnskey(std::string_view text) {
    return *wire::DnskeyData::from(rr(text).rdata);
}

wire::RRset rrset_of(std::initializer_list<std::string_view> texts) {
    std::vector<Record> records;
    for (auto t : texts)
        records.push_back(rr(t));
    return wire::group_rrsets(records).front();
}

// RFC 4034 §5.4: the DNSKEY its DS examples (and RFC 4509 §2.3) digest.
constexpr std::string_view kRfc4034Key =
    "dskey.example.com. 86400 IN DNSKEY 256 3 5 "
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZ"
    "DRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc"
    "nOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

// One published signature: the key, the RRset and the RRSIG over it.
struct SignatureVector {
    const char* source;
    const char* key;
    const char* data;  // one record
    const char* rrsig;
    int64_t now;  // inside the validity period
};

constexpr int64_t k2010_08_20 = 1282262400;
constexpr int64_t k2015_08_01 = 1438387200;
constexpr int64_t k2020_01_01 = 1577836800;

const SignatureVector kVectors[] = {
    {"RFC 5702 6.1 RSASHA256",
     "example.net. 3600 IN DNSKEY 256 3 8 "
     "AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36Bpon"
     "cwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=",
     "www.example.net. 3600 IN A 192.0.2.91",
     "www.example.net. 3600 IN RRSIG A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
     "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==",
     k2020_01_01},
    {"RFC 5702 6.2 RSASHA512",
     "example.net. 3600 IN DNSKEY 256 3 10 "
     "AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0"
     "O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR"
     "7ZQBlZ3PFY12ZTSncorffcGmhOL",
     "www.example.net. 3600 IN A 192.0.2.91",
     "www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 20000101000000 3740 example.net. "
     "tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZB"
     "Wm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=",
     k2020_01_01},
    {"RFC 6605 6.1 ECDSAP256SHA256",
     "example.net. 3600 IN DNSKEY 257 3 13 "
     "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbc"
     "B7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
     "www.example.net. 3600 IN A 192.0.2.1",
     "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 20100812100439 55648 example.net. "
     "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
     k2010_08_20},
    {"RFC 6605 6.2 ECDSAP384SHA384",
     "example.net. 3600 IN DNSKEY 257 3 14 "
     "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJ"
     "hyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
     "www.example.net. 3600 IN A 192.0.2.1",
     "www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 20100812102025 10771 example.net. "
     "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWT"
     "SSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm",
     k2010_08_20},
    {"RFC 8080 6.1 ED25519 (erratum 4935), first key",
     "example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
     "example.com. 3600 IN MX 10 mail.example.com.",
     "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. "
     "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
     k2015_08_01},
    {"RFC 8080 6.1 ED25519 (erratum 4935), second key",
     "example.com. 3600 IN DNSKEY 257 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
     "example.com. 3600 IN MX 10 mail.example.com.",
     "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 35217 example.com. "
     "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
     k2015_08_01},
    {"RFC 8080 6.2 ED448 (erratum 4935), first key",
     "example.com. 3600 IN DNSKEY 257 3 16 "
     "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPo"
     "dx1FYYUcJKm1MDpJtIA",
     "example.com. 3600 IN MX 10 mail.example.com.",
     "example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 9713 example.com. "
     "3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj"
     "7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
     k2015_08_01},
    {"RFC 8080 6.2 ED448 (erratum 4935), second key",
     "example.com. 3600 IN DNSKEY 257 3 16 "
     "kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmg"
     "cNLp5HlHAMy12VoISsA",
     "example.com. 3600 IN MX 10 mail.example.com.",
     "example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 38353 example.com. "
     "E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vW"
     "WiyW2KXhT9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA",
     k2015_08_01},
};

TEST(DnssecAlgorithms, SupportedSetFollowsRfc8624) {
    for (uint8_t a : {5, 7, 8, 10, 13, 14, 15, 16})
        EXPECT_TRUE(algorithm_supported(a)) << int(a);
    for (uint8_t a : {0, 1, 2, 3, 4, 6, 9, 11, 12, 17, 252, 253, 254, 255})
        EXPECT_FALSE(algorithm_supported(a)) << int(a);
    for (uint8_t d : {1, 2, 4})
        EXPECT_TRUE(digest_supported(d)) << int(d);
    for (uint8_t d : {0, 3, 5, 255})
        EXPECT_FALSE(digest_supported(d)) << int(d);
}

TEST(DnssecAlgorithms, MnemonicsAndNumbers) {
    EXPECT_STREQ(algorithm_mnemonic(8), "RSASHA256");
    EXPECT_STREQ(algorithm_mnemonic(13), "ECDSAP256SHA256");
    EXPECT_STREQ(algorithm_mnemonic(16), "ED448");
    EXPECT_STREQ(algorithm_mnemonic(3), "DSA");
    EXPECT_STREQ(algorithm_mnemonic(0), "0");
    EXPECT_STREQ(algorithm_mnemonic(9), "9");
    EXPECT_STREQ(algorithm_mnemonic(42), "42");
    EXPECT_STREQ(algorithm_mnemonic(200), "200");
}

TEST(DnssecSecurity, Names) {
    EXPECT_STREQ(security_name(Security::kIndeterminate), "indeterminate");
    EXPECT_STREQ(security_name(Security::kInsecure), "insecure");
    EXPECT_STREQ(security_name(Security::kSecure), "secure");
    EXPECT_STREQ(security_name(Security::kBogus), "bogus");
}

TEST(DnssecKeyTag, Rfc4034Example) {
    EXPECT_EQ(key_tag(rr(kRfc4034Key).rdata), 60485);
}

TEST(DnssecKeyTag, RfcExampleKeys) {
    const std::pair<int, size_t> expected[] = {{9033, 0}, {3740, 1},  {55648, 2}, {10771, 3},
                                               {3613, 4}, {35217, 5}, {9713, 6},  {38353, 7}};
    for (auto [tag, i] : expected)
        EXPECT_EQ(key_tag(rr(kVectors[i].key).rdata), tag) << kVectors[i].source;
}

TEST(DnssecKeyTag, AlgorithmOneUsesModulusOctets) {
    // Appendix B.1: the most significant 16 of the least significant 24 bits
    // of the modulus, which ends the key.
    const auto key = wire::DnskeyData{256, 3, 1, {1, 3, 0xAA, 0xBB, 0x12, 0x34, 0x56}}.to_rdata();
    EXPECT_EQ(key_tag(key), 0x1234);
    EXPECT_EQ(key_tag(wire::DnskeyData{256, 3, 1, {1, 2}}.to_rdata()), 0);
}

TEST(DnssecKeyTag, ShortRdataDoesNotCrash) {
    EXPECT_EQ(key_tag(RData()), 0);
    EXPECT_EQ(key_tag(RData::from_trusted_bytes({0x01})), 0x0100);
}

TEST(DnssecDsDigest, Rfc4034Sha1AndRfc4509Sha256) {
    const Record key = rr(kRfc4034Key);
    EXPECT_EQ(ds_digest(key.owner, key.rdata, digest::kSha1),
              hex("2BB183AF5F22588179A53B0A98631FAD1A292118"));
    EXPECT_EQ(ds_digest(key.owner, key.rdata, digest::kSha256),
              hex("D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"));
    // The owner is digested in canonical (lower-case) form.
    EXPECT_EQ(ds_digest(name("DSKEY.Example.COM."), key.rdata, digest::kSha1),
              hex("2BB183AF5F22588179A53B0A98631FAD1A292118"));
    EXPECT_FALSE(ds_digest(key.owner, key.rdata, 3));  // GOST: not supported
    EXPECT_FALSE(ds_digest(key.owner, key.rdata, 0));
}

TEST(DnssecDsDigest, Rfc6605AndRfc8080Examples) {
    struct Case {
        size_t vector;
        const char* ds;
    };
    const Case cases[] = {
        {2,
         "example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d"
         "6e37df61d17"},
        {3,
         "example.net. 3600 IN DS 10771 14 4 72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f"
         "27e305c6a9b0563a9b5f4d288405c3008a946df983d6"},
        {4,
         "example.com. 3600 IN DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c"
         "78e79a304b"},
        {5,
         "example.com. 3600 IN DS 35217 15 2 401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04"
         "ebe80c6614c"},
        {6,
         "example.com. 3600 IN DS 9713 16 2 6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811"
         "f5cb2b19c7"},
        {7,
         "example.com. 3600 IN DS 38353 16 2 645ff078b3568f5852b70cb60e8e696cc77b75bfaaffc118cf79c"
         "bda1ba28af4"},
    };
    for (const auto& c : cases) {
        const Record key = rr(kVectors[c.vector].key);
        const Record ds_record = rr(c.ds);
        const auto ds = *wire::DsData::from(ds_record.rdata);
        EXPECT_EQ(ds_digest(key.owner, key.rdata, ds.digest_type), ds.digest) << c.ds;
        EXPECT_TRUE(ds_matches(ds, key.owner, key.rdata)) << c.ds;
    }
}

TEST(DnssecDsDigest, MatchNeedsTagAlgorithmDigestAndOwner) {
    const Record key = rr(kRfc4034Key);
    const auto good = *wire::DsData::from(
        rr("dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")
            .rdata);
    EXPECT_TRUE(ds_matches(good, key.owner, key.rdata));
    auto wrong = good;
    wrong.key_tag = 60486;
    EXPECT_FALSE(ds_matches(wrong, key.owner, key.rdata));
    wrong = good;
    wrong.algorithm = 8;
    EXPECT_FALSE(ds_matches(wrong, key.owner, key.rdata));
    wrong = good;
    wrong.digest.back() ^= 1;
    EXPECT_FALSE(ds_matches(wrong, key.owner, key.rdata));
    wrong = good;
    wrong.digest.pop_back();
    EXPECT_FALSE(ds_matches(wrong, key.owner, key.rdata));
    wrong = good;
    wrong.digest_type = 3;
    EXPECT_FALSE(ds_matches(wrong, key.owner, key.rdata));
    EXPECT_FALSE(ds_matches(good, name("other.example.com."), key.rdata));
    EXPECT_FALSE(ds_matches(good, key.owner, RData()));
}

TEST(DnssecSignedData, CanonicalFormOrderAndDuplicates) {
    wire::RrsigData sig;
    sig.type_covered = RRType::NS;
    sig.algorithm = 13;
    sig.labels = 2;
    sig.original_ttl = 0x00000E10;
    sig.expiration = 0x01020304;
    sig.inception = 0x05060708;
    sig.key_tag = 0xABCD;
    sig.signer = name("EXAMPLE.net.");
    sig.signature = {1, 2, 3};
    wire::RRset set{name("Example.NET."), RRType::NS, wire::RRClass::IN, 60, {}};
    set.rdatas.push_back(RData::from_trusted_bytes({2, 'N', 'S', 0}));
    set.rdatas.push_back(RData::from_trusted_bytes({1, 'a', 0}));
    set.rdatas.push_back(RData::from_trusted_bytes({2, 'n', 's', 0}));  // same once lower-cased

    const std::vector<uint8_t> header = {0, 2, 13, 2, 0, 0, 0x0E, 0x10, 1,
                                         2, 3, 4,  5, 6, 7, 8,    0xAB, 0xCD};
    const std::vector<uint8_t> owner = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0};
    std::vector<uint8_t> expected = header;
    expected.insert(expected.end(), owner.begin(), owner.end());  // signer, lower-cased
    for (std::vector<uint8_t> rdata : {std::vector<uint8_t>{1, 'a', 0}, {2, 'n', 's', 0}}) {
        expected.insert(expected.end(), owner.begin(), owner.end());
        const std::vector<uint8_t> fixed = {0, 2,    0,    1, 0,
                                            0, 0x0E, 0x10, 0, static_cast<uint8_t>(rdata.size())};
        expected.insert(expected.end(), fixed.begin(), fixed.end());
        expected.insert(expected.end(), rdata.begin(), rdata.end());
    }
    EXPECT_EQ(signed_data(sig, set), expected);
}

TEST(DnssecSignedData, WildcardExpansionSignsTheWildcard) {
    wire::RrsigData sig;
    sig.type_covered = RRType::A;
    sig.signer = name("example.");
    const wire::RRset expanded = rrset_of({"a.b.Example. 60 IN A 192.0.2.1"});
    const wire::RRset wildcard = rrset_of({"*.example. 60 IN A 192.0.2.1"});
    sig.labels = 1;
    EXPECT_EQ(signed_data(sig, expanded), signed_data(sig, wildcard));
    // Labels equal to the owner's: the owner itself.
    sig.labels = 3;
    EXPECT_NE(signed_data(sig, expanded), signed_data(sig, wildcard));
}

class DnssecSignatureVector : public ::testing::TestWithParam<SignatureVector> {};

TEST_P(DnssecSignatureVector, Verifies) {
    const SignatureVector& v = GetParam();
    const Record key_record = rr(v.key);
    const auto key = PublicKey::from_dnskey(*wire::DnskeyData::from(key_record.rdata));
    ASSERT_TRUE(key);
    EXPECT_EQ(key->algorithm(), wire::DnskeyData::from(key_record.rdata)->algorithm);
    const wire::RRset set = rrset_of({v.data});
    const Record sig_record = rr(v.rrsig);
    const auto sig = *wire::RrsigData::from(sig_record.rdata);
    const auto data = signed_data(sig, set);
    EXPECT_TRUE(key->verify(data, sig.signature));

    auto tampered = data;
    tampered.back() ^= 1;
    EXPECT_FALSE(key->verify(tampered, sig.signature));
    auto bad_signature = sig.signature;
    bad_signature[bad_signature.size() / 2] ^= 0x10;
    EXPECT_FALSE(key->verify(data, bad_signature));
    EXPECT_FALSE(key->verify(data, std::span(sig.signature).first(sig.signature.size() - 1)));
    EXPECT_FALSE(key->verify(data, {}));

    // The whole path: the RRset against the DNSKEY RRset of its zone.
    wire::RRset keys{key_record.owner, RRType::DNSKEY, wire::RRClass::IN, 3600, {key_record.rdata}};
    WorkCounter work;
    const auto verdict =
        verify_rrset(set, std::span(&sig_record.rdata, 1), keys, key_record.owner, v.now, {}, work);
    EXPECT_EQ(verdict.status, RRsetVerdict::Status::kValid) << verdict.why;
    EXPECT_EQ(work.verifications, 1u);
}

INSTANTIATE_TEST_SUITE_P(DnssecRfc, DnssecSignatureVector, ::testing::ValuesIn(kVectors));

TEST(DnssecPublicKey, Rsa512BitKeyIsTooShortForRsaSha512) {
    // RFC 5702 §2.2: RSA/SHA-512 keys have at least 1024 bits.
    auto key = dnskey(kVectors[0].key);
    EXPECT_TRUE(PublicKey::from_dnskey(key));
    key.algorithm = algorithm::kRsaSha512;
    EXPECT_FALSE(PublicKey::from_dnskey(key));
}

TEST(DnssecPublicKey, MalformedRsaKeysAreRejected) {
    const auto good = dnskey(kVectors[1].key);  // 1024 bits, exponent 65537
    auto with = [&](std::vector<uint8_t> bytes) {
        auto k = good;
        k.public_key = std::move(bytes);
        return PublicKey::from_dnskey(k).has_value();
    };
    const std::vector<uint8_t> modulus(good.public_key.begin() + 4, good.public_key.end());
    auto concat = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    EXPECT_TRUE(with(good.public_key));
    EXPECT_FALSE(with({}));
    EXPECT_FALSE(with({3, 1, 0, 1}));                        // no modulus
    EXPECT_FALSE(with({0}));                                 // long length cut off
    EXPECT_FALSE(with({0, 0}));                              // long length cut off
    EXPECT_FALSE(with(concat({0, 0, 0}, modulus)));          // zero-length exponent
    EXPECT_FALSE(with(concat({200, 1, 0, 1}, modulus)));     // exponent longer than stated data
    EXPECT_FALSE(with(concat({0, 0xFF, 0xFF}, modulus)));    // long form, too long
    EXPECT_TRUE(with(concat({0, 0, 3, 1, 0, 1}, modulus)));  // long form, as RFC 3110 allows
    EXPECT_FALSE(with(concat({1, 1}, modulus)));             // exponent 1
    EXPECT_FALSE(with(concat({9, 1, 0, 0, 0, 0, 0, 0, 0, 1}, modulus)));        // 65-bit exponent
    EXPECT_FALSE(with({3, 1, 0, 1, 0xC1, 0x5C}));                               // 16-bit modulus
    EXPECT_FALSE(with(concat({3, 1, 0, 1}, std::vector<uint8_t>(600, 0xFF))));  // 4800 bits
}

TEST(DnssecPublicKey, MalformedCurveKeysAreRejected) {
    for (size_t v : {2, 3}) {
        const auto good = dnskey(kVectors[v].key);
        auto k = good;
        k.public_key.pop_back();
        EXPECT_FALSE(PublicKey::from_dnskey(k)) << "short";
        k = good;
        k.public_key.push_back(0);
        EXPECT_FALSE(PublicKey::from_dnskey(k)) << "long";
        k = good;
        k.public_key.back() ^= 1;  // Y no longer matches X
        EXPECT_FALSE(PublicKey::from_dnskey(k)) << "off the curve";
        k = good;
        std::fill(k.public_key.begin(), k.public_key.end(), 0);
        EXPECT_FALSE(PublicKey::from_dnskey(k)) << "zero point";
        k = good;
        k.algorithm = v == 2 ? algorithm::kEcdsaP384Sha384 : algorithm::kEcdsaP256Sha256;
        EXPECT_FALSE(PublicKey::from_dnskey(k)) << "other curve's length";
    }
    for (size_t v : {4, 6}) {
        const auto good = dnskey(kVectors[v].key);
        auto k = good;
        k.public_key.pop_back();
        EXPECT_FALSE(PublicKey::from_dnskey(k));
        k = good;
        k.public_key.push_back(0);
        EXPECT_FALSE(PublicKey::from_dnskey(k));
        k.public_key.clear();
        EXPECT_FALSE(PublicKey::from_dnskey(k));
    }
}

TEST(DnssecPublicKey, UnsupportedAlgorithmsHaveNoKey) {
    auto key = dnskey(kRfc4034Key);  // RSASHA1: supported
    EXPECT_TRUE(PublicKey::from_dnskey(key));
    for (uint8_t a : {0, 1, 3, 6, 12, 17, 253}) {
        key.algorithm = a;
        EXPECT_FALSE(PublicKey::from_dnskey(key)) << int(a);
    }
}

TEST(DnssecPublicKey, BadEcdsaSignaturesFail) {
    const SignatureVector& v = kVectors[2];
    const auto key = PublicKey::from_dnskey(dnskey(v.key));
    ASSERT_TRUE(key);
    const auto sig = *wire::RrsigData::from(rr(v.rrsig).rdata);
    const auto data = signed_data(sig, rrset_of({v.data}));
    ASSERT_TRUE(key->verify(data, sig.signature));
    std::vector<uint8_t> zero(64, 0);
    EXPECT_FALSE(key->verify(data, zero));
    std::vector<uint8_t> ones(64, 0xFF);
    EXPECT_FALSE(key->verify(data, ones));
    auto swapped = sig.signature;  // s | r
    std::rotate(swapped.begin(), swapped.begin() + 32, swapped.end());
    EXPECT_FALSE(key->verify(data, swapped));
    auto longer = sig.signature;
    longer.push_back(0);
    EXPECT_FALSE(key->verify(data, longer));
}

TEST(DnssecPublicKey, MovedFromKeyVerifiesNothing) {
    auto key = PublicKey::from_dnskey(dnskey(kVectors[4].key));
    ASSERT_TRUE(key);
    PublicKey moved = std::move(*key);
    const auto sig = *wire::RrsigData::from(rr(kVectors[4].rrsig).rdata);
    const auto data = signed_data(sig, rrset_of({kVectors[4].data}));
    EXPECT_TRUE(moved.verify(data, sig.signature));
    EXPECT_FALSE(key->verify(data, sig.signature));  // what is left after the move
}

// Random key material and signatures for every algorithm: rejected or not,
// nothing may crash (run under the sanitizer build too).
TEST(DnssecPublicKey, RandomInputNeverCrashes) {
    std::mt19937 random(20240718);
    auto bytes = [&](size_t n) {
        std::vector<uint8_t> out(n);
        for (auto& b : out)
            b = static_cast<uint8_t>(random());
        return out;
    };
    // Half the keys get a length some algorithm expects, the rest any length.
    constexpr size_t kKeyLengths[] = {32, 57, 64, 96, 131};
    const std::vector<uint8_t> data = bytes(100);
    for (uint8_t a : {5, 7, 8, 10, 13, 14, 15, 16}) {
        for (size_t i = 0; i < 40; ++i) {
            const size_t length = i % 2 ? random() % 300 : kKeyLengths[i / 2 % 5];
            auto material = bytes(length);
            if (a <= 10 && !material.empty() && i % 3 == 0) material[0] = 3;
            const auto key = PublicKey::from_dnskey(wire::DnskeyData{256, 3, a, material});
            if (!key) continue;
            for (size_t n :
                 {size_t{0}, size_t{1}, size_t{64}, size_t{96}, size_t{114}, material.size()})
                EXPECT_FALSE(key->verify(data, bytes(n)));
        }
    }
}

}  // namespace
}  // namespace cairn::dnssec
