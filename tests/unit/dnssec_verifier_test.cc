// verify_rrset: the checks of RFC 4035 §5.3 and the KeyTrap work limits,
// with signatures made in-process (TestZoneSigner) and by ldns-signzone.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "dnssec/algorithms.h"
#include "dnssec/key_tag.h"
#include "dnssec/rrset_verifier.h"
#include "support/zone_signer.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {
namespace {

using testing::TestZoneSigner;
using wire::ExtendedErrorCode;
using wire::Name;
using wire::RData;
using wire::RRType;
using Status = RRsetVerdict::Status;

constexpr int64_t kNow = 1700000000;  // 2023-11-14
constexpr uint32_t kInception = kNow - 3600;
constexpr uint32_t kExpiration = kNow + 30 * 86400;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

wire::RRset a_rrset(std::string_view owner, uint32_t ttl = 300) {
    wire::RRset set{name(owner), RRType::A, wire::RRClass::IN, ttl, {}};
    set.add(RData::from_trusted_bytes({192, 0, 2, 1}));
    set.add(RData::from_trusted_bytes({192, 0, 2, 2}));
    return set;
}

wire::RRset key_set(const Name& zone, std::vector<RData> keys) {
    return {zone, RRType::DNSKEY, wire::RRClass::IN, 3600, std::move(keys)};
}

struct Fixture : ::testing::Test {
    Name zone = name("example.");
    TestZoneSigner zsk{zone, algorithm::kEcdsaP256Sha256, TestZoneSigner::kZskFlags};
    wire::RRset keys = key_set(zone, {zsk.dnskey_rdata()});
    wire::RRset www = a_rrset("www.example.");
    ValidationLimits limits;
    WorkCounter work;

    RRsetVerdict verify(const wire::RRset& set, const std::vector<RData>& sigs,
                        int64_t now = kNow) {
        return verify_rrset(set, sigs, keys, zone, now, limits, work);
    }
};

using DnssecVerifier = Fixture;

TEST_F(DnssecVerifier, ValidSignature) {
    const auto v = verify(www, {zsk.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(v.ttl_cap, 300u);
    EXPECT_FALSE(v.wildcard_parent);
    EXPECT_EQ(work.verifications, 1u);
}

TEST_F(DnssecVerifier, OwnerCaseAndRdataOrderDoNotMatter) {
    const RData sig = zsk.sign(www, kInception, kExpiration);
    wire::RRset shuffled = www;
    shuffled.owner = name("WWW.Example.");
    std::swap(shuffled.rdatas[0], shuffled.rdatas[1]);
    EXPECT_EQ(verify(shuffled, {sig}).status, Status::kValid);
}

TEST_F(DnssecVerifier, TamperedDataIsBogus) {
    const RData sig = zsk.sign(www, kInception, kExpiration);
    wire::RRset changed = www;
    changed.rdatas[1] = RData::from_trusted_bytes({192, 0, 2, 3});
    const auto v = verify(changed, {sig});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kDnssecBogus);
    EXPECT_NE(v.why.find("does not verify"), std::string::npos) << v.why;
    wire::RRset extra = www;
    extra.add(RData::from_trusted_bytes({192, 0, 2, 3}));
    EXPECT_EQ(verify(extra, {sig}).status, Status::kBogus);
    EXPECT_EQ(work.verifications, 2u);
}

TEST_F(DnssecVerifier, ExpiredSignature) {
    const auto v = verify(www, {zsk.sign(www, kNow - 86400, kNow - 1)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kSignatureExpired);
    EXPECT_EQ(v.why, "RRSIG for www.example./A by example. key " + std::to_string(zsk.key_tag()) +
                         " (ECDSAP256SHA256) expired 2023-11-14 22:13:19");
    EXPECT_EQ(work.verifications, 0u);  // no crypto for a signature out of date
}

TEST_F(DnssecVerifier, NotYetValidSignature) {
    const auto v = verify(www, {zsk.sign(www, kNow + 1, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kSignatureNotYetValid);
    EXPECT_NE(v.why.find("not valid before 2023-11-14 22:13:21"), std::string::npos) << v.why;
}

TEST_F(DnssecVerifier, ValidityBoundsAreInclusive) {
    EXPECT_EQ(verify(www, {zsk.sign(www, kNow, kNow)}).status, Status::kValid);
}

TEST_F(DnssecVerifier, SerialNumberArithmeticAcrossTheWrap) {
    // 2106-02-07, when 32-bit times wrap: inception before the wrap,
    // expiration after it, numerically smaller.
    const int64_t now = (int64_t{1} << 32) + 100;
    const uint32_t inception = static_cast<uint32_t>(now - 3600);  // 0xFFFFF1F4...
    const uint32_t expiration = static_cast<uint32_t>(now + 86400);
    ASSERT_GT(inception, expiration);
    const RData sig = zsk.sign(www, inception, expiration);
    const auto v = verify(www, {sig}, now);
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(v.ttl_cap, 300u);
    EXPECT_EQ(verify(www, {sig}, now - 3700).reason, ExtendedErrorCode::kSignatureNotYetValid);
    EXPECT_EQ(verify(www, {sig}, now + 86401).reason, ExtendedErrorCode::kSignatureExpired);
    // Just before the wrap, the same signature is already valid.
    EXPECT_EQ(verify(www, {sig}, (int64_t{1} << 32) - 10).status, Status::kValid);
}

TEST_F(DnssecVerifier, TimesMoreThanHalfTheSerialSpaceAwayAreOnTheOtherSide) {
    // An expiration 2^31 + 1 seconds ahead reads as in the past.
    const uint32_t far = static_cast<uint32_t>(kNow + (int64_t{1} << 31) + 1);
    EXPECT_EQ(verify(www, {zsk.sign(www, kInception, far)}).reason,
              ExtendedErrorCode::kSignatureExpired);
}

TEST_F(DnssecVerifier, OriginalTtlAndExpirationCapTheTtl) {
    wire::RRset signed_set = www;
    signed_set.ttl = 3600;
    const RData sig = zsk.sign(signed_set, kInception, kExpiration);
    wire::RRset received = www;
    received.ttl = 86400;  // the signed data uses the original TTL
    auto v = verify(received, {sig});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(v.ttl_cap, 3600u);
    v = verify(received, {zsk.sign(signed_set, kInception, kNow + 100)});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(v.ttl_cap, 100u);
}

TEST_F(DnssecVerifier, NoSignaturesIsUnsigned) {
    const auto v = verify(www, {});
    EXPECT_EQ(v.status, Status::kUnsigned);
    EXPECT_EQ(v.why, "no RRSIG by example. for www.example./A");
}

TEST_F(DnssecVerifier, OtherSignerIsIgnored) {
    TestZoneSigner other(name("www.example."));
    const RData foreign = other.sign(www, kInception, kExpiration);
    EXPECT_EQ(verify(www, {foreign}).status, Status::kUnsigned);
    const auto v = verify(www, {foreign, zsk.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(work.verifications, 1u);
}

TEST_F(DnssecVerifier, SignatureForAnotherTypeIsIgnored) {
    wire::RRset txt{
        www.owner, RRType::TXT, wire::RRClass::IN, 300, {RData::from_trusted_bytes({1, 'x'})}};
    EXPECT_EQ(verify(www, {zsk.sign(txt, kInception, kExpiration)}).status, Status::kUnsigned);
}

TEST_F(DnssecVerifier, UnknownKeyIsDnskeyMissing) {
    TestZoneSigner stranger(zone);  // same zone, key not in the DNSKEY set
    const auto v = verify(www, {stranger.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kDnskeyMissing);
    EXPECT_NE(v.why.find("no DNSKEY with that tag"), std::string::npos) << v.why;
}

TEST_F(DnssecVerifier, RevokedKeyIsNotUsed) {
    TestZoneSigner revoked(zone, algorithm::kEcdsaP256Sha256, 0x0100 | 0x0080);
    keys = key_set(zone, {revoked.dnskey_rdata()});
    const auto v = verify(www, {revoked.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kDnssecBogus);
    EXPECT_NE(v.why.find("revoked"), std::string::npos) << v.why;
    EXPECT_EQ(work.verifications, 0u);
}

TEST_F(DnssecVerifier, NonZoneKeyIsNotUsed) {
    TestZoneSigner plain(zone, algorithm::kEcdsaP256Sha256, 0x0001);  // SEP without zone bit
    keys = key_set(zone, {plain.dnskey_rdata()});
    const auto v = verify(www, {plain.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(work.verifications, 0u);
}

// The keys of a secure zone are proven: an RRSIG of an algorithm Cairn does
// not validate is no signature at all there, never a way to make the data
// insecure (a forger could otherwise swap one in for the real RRSIGs).
TEST_F(DnssecVerifier, UnsupportedAlgorithmIsNoSignature) {
    wire::RrsigData dsa = *wire::RrsigData::from(zsk.sign(www, kInception, kExpiration));
    dsa.algorithm = 3;
    auto v = verify(www, {dsa.to_rdata()});
    EXPECT_EQ(v.status, Status::kUnsigned);
    EXPECT_NE(v.why.find("DSA"), std::string::npos) << v.why;
    EXPECT_EQ(work.verifications, 0u);
    // With a supported one next to it, that one decides.
    v = verify(www, {dsa.to_rdata(), zsk.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kValid);
    v = verify(www, {dsa.to_rdata(), zsk.sign(www, kNow - 10, kNow - 1)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kSignatureExpired);
}

TEST_F(DnssecVerifier, OneGoodSignatureAmongBadOnes) {
    wire::RrsigData broken = *wire::RrsigData::from(zsk.sign(www, kInception, kExpiration));
    broken.signature[5] ^= 1;
    const auto v = verify(www, {broken.to_rdata(), zsk.sign(www, kNow - 10, kNow - 1),
                                zsk.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_EQ(work.verifications, 2u);
}

TEST_F(DnssecVerifier, MixedFailuresAreGenericBogus) {
    TestZoneSigner stranger(zone);
    const auto v = verify(
        www, {zsk.sign(www, kNow - 10, kNow - 1), stranger.sign(www, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(v.reason, ExtendedErrorCode::kDnssecBogus);
    EXPECT_NE(v.why.find("expired"), std::string::npos) << v.why;  // the first failure
}

TEST_F(DnssecVerifier, WildcardExpansion) {
    const wire::RRset wildcard = a_rrset("*.example.");
    const RData sig = zsk.sign(wildcard, kInception, kExpiration);
    // The wildcard itself: labels 1 is its own count without the "*".
    auto v = verify(wildcard, {sig});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    EXPECT_FALSE(v.wildcard_parent);
    // An expansion of it, two labels deeper.
    v = verify(a_rrset("a.b.example."), {sig});
    EXPECT_EQ(v.status, Status::kValid) << v.why;
    ASSERT_TRUE(v.wildcard_parent);
    EXPECT_EQ(*v.wildcard_parent, name("example."));
    // Not an expansion of a wildcard elsewhere in the zone.
    const wire::RRset deeper = a_rrset("*.sub.example.");
    v = verify(a_rrset("x.sub.example."), {zsk.sign(deeper, kInception, kExpiration)});
    ASSERT_TRUE(v.wildcard_parent);
    EXPECT_EQ(*v.wildcard_parent, name("sub.example."));
    EXPECT_EQ(
        verify(a_rrset("x.other.example."), {zsk.sign(deeper, kInception, kExpiration)}).status,
        Status::kBogus);
}

TEST_F(DnssecVerifier, KeySetDecodesEachKeyOnceForAllThreads) {
    TestZoneSigner revoked(zone, algorithm::kEcdsaP256Sha256, 0x0100 | 0x0080);
    const RData broken = RData::from_trusted_bytes({1, 0, 3, algorithm::kEcdsaP256Sha256, 1, 2});
    const KeySet set(key_set(zone, {zsk.dnskey_rdata(), revoked.dnskey_rdata(), broken}));
    ASSERT_EQ(set.size(), 3u);
    EXPECT_EQ(set.facts(0).tag, zsk.key_tag());
    EXPECT_TRUE(set.facts(0).usable());
    EXPECT_FALSE(set.facts(1).usable()) << "revoked";
    EXPECT_EQ(set.key(2), nullptr) << "a point that is no P-256 key";

    // Verifiers in several threads share the first decoding.
    std::vector<const PublicKey*> seen(4);
    std::vector<std::thread> threads;
    for (auto& slot : seen)
        threads.emplace_back([&set, &slot] { slot = set.key(0); });
    for (auto& t : threads)
        t.join();
    ASSERT_NE(seen[0], nullptr);
    for (const PublicKey* key : seen)
        EXPECT_EQ(key, seen[0]);

    const RData sig = zsk.sign(www, kInception, kExpiration);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(verify_rrset(www, std::vector<RData>{sig}, set, zone, kNow, limits, work).status,
                  Status::kValid);
    EXPECT_EQ(work.verifications, 2u);
}

TEST_F(DnssecVerifier, RecheckOfVerifiedSignaturesNeedsNoCrypto) {
    wire::RRset signed_set = www;
    signed_set.ttl = 3600;
    const RData long_lived = zsk.sign(signed_set, kInception, kExpiration);
    const RData short_lived = zsk.sign(www, kInception, kNow + 100);
    auto v = recheck_verified(www, std::vector<RData>{long_lived}, zone, kNow);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, Status::kValid);
    EXPECT_EQ(v->ttl_cap, 3600u) << "the original TTL, as verify_rrset gives";
    // Which RRSIG verified is not kept: the one that ends first caps.
    v = recheck_verified(www, std::vector<RData>{long_lived, short_lived}, zone, kNow);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->ttl_cap, 100u);
    EXPECT_EQ(work.verifications, 0u);
}

TEST_F(DnssecVerifier, RecheckLeavesEveryDoubtToFullVerification) {
    const RData sig = zsk.sign(www, kInception, kNow + 100);
    EXPECT_FALSE(recheck_verified(www, std::vector<RData>{sig}, zone, kNow + 101)) << "expired";
    EXPECT_FALSE(recheck_verified(www, std::vector<RData>{sig}, zone, kInception - 1))
        << "not valid yet";
    EXPECT_FALSE(recheck_verified(www, std::vector<RData>{}, zone, kNow)) << "unsigned";
    EXPECT_FALSE(recheck_verified(www, std::vector<RData>{sig}, name("other."), kNow))
        << "asked about another zone";
    const wire::RRset txt{name("www.example."), RRType::TXT, wire::RRClass::IN, 300, {}};
    EXPECT_FALSE(recheck_verified(txt, std::vector<RData>{sig}, zone, kNow)) << "another type";
    TestZoneSigner other{name("other."), algorithm::kEcdsaP256Sha256, TestZoneSigner::kZskFlags};
    EXPECT_FALSE(recheck_verified(
        www, std::vector<RData>{sig, other.sign(www, kInception, kExpiration)}, zone, kNow))
        << "an RRSIG by another signer";
    const RData wildcard = zsk.sign(a_rrset("*.example."), kInception, kExpiration);
    EXPECT_FALSE(recheck_verified(a_rrset("a.example."), std::vector<RData>{wildcard}, zone, kNow))
        << "a wildcard expansion needs its proof";
}

TEST_F(DnssecVerifier, LabelsAboveTheOwnerOrBelowTheZoneAreBogus) {
    wire::RrsigData sig = *wire::RrsigData::from(zsk.sign(www, kInception, kExpiration));
    sig.labels = 3;
    EXPECT_EQ(verify(www, {sig.to_rdata()}).status, Status::kBogus);
    TestZoneSigner sub(name("sub.example."));
    keys = key_set(sub.zone(), {sub.dnskey_rdata()});
    const wire::RRset set = a_rrset("www.sub.example.");
    sig = *wire::RrsigData::from(sub.sign(set, kInception, kExpiration));
    sig.labels = 1;  // "*.example.": above the zone that signed it
    const auto v =
        verify_rrset(set, std::vector{sig.to_rdata()}, keys, sub.zone(), kNow, limits, work);
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_NE(v.why.find("labels"), std::string::npos) << v.why;
}

TEST_F(DnssecVerifier, OwnerOutsideTheZoneIsBogus) {
    const wire::RRset outside = a_rrset("www.example.org.");
    const auto v = verify(outside, {zsk.sign(outside, kInception, kExpiration)});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(work.verifications, 0u);
}

TEST_F(DnssecVerifier, MalformedKeyMaterialIsSkipped) {
    wire::DnskeyData broken = *wire::DnskeyData::from(zsk.dnskey_rdata());
    broken.public_key.assign(64, 0);  // not a point on P-256
    // Keep the tag: use the broken key's tag in the RRSIG.
    wire::RrsigData sig = *wire::RrsigData::from(zsk.sign(www, kInception, kExpiration));
    sig.key_tag = key_tag(broken.to_rdata());
    keys = key_set(zone, {broken.to_rdata(), RData::from_trusted_bytes({1})});
    const auto v = verify(www, {sig.to_rdata()});
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(work.verifications, 0u);
}

TEST_F(DnssecVerifier, MalformedRrsigIsBogus) {
    const auto v = verify(www, {RData::from_trusted_bytes({0, 1, 13})});
    EXPECT_EQ(v.status, Status::kBogus);
}

// KeyTrap (CVE-2023-50387): DNSKEYs that share one key tag and RRSIGs that
// all name it would cost keys × signatures verifications without limits.
struct DnssecKeyTrap : Fixture {
    static constexpr size_t kKeys = 6;
    static constexpr size_t kSignatures = 10;
    uint16_t tag = zsk.key_tag();
    std::vector<RData> signatures;

    DnssecKeyTrap() {
        // Fresh P-256 keys made to collide with the ZSK's tag through their
        // flags field (bits other than zone and revoke are free). The tag is
        // a folded sum in which the flags count as one 16-bit term.
        std::vector<RData> colliding;
        while (colliding.size() < kKeys) {
            TestZoneSigner other(zone);
            auto key = *wire::DnskeyData::from(other.dnskey_rdata());
            key.flags = 0;
            const RData unflagged = key.to_rdata();
            const auto bytes = unflagged.bytes();
            uint32_t rest = 0;
            for (size_t i = 0; i < bytes.size(); ++i)
                rest += (i & 1) ? bytes[i] : uint32_t{bytes[i]} << 8;
            for (uint32_t flags = 0x0100; flags <= 0xFFFF; ++flags) {
                if (!(flags & 0x0100) || (flags & 0x0080)) continue;
                const uint32_t sum = rest + flags;
                if (((sum + (sum >> 16)) & 0xFFFF) != tag) continue;
                key.flags = static_cast<uint16_t>(flags);
                EXPECT_EQ(key_tag(key.to_rdata()), tag);
                colliding.push_back(key.to_rdata());
                break;
            }
        }
        colliding.push_back(zsk.dnskey_rdata());  // the real key comes last
        keys = key_set(zone, colliding);
        wire::RrsigData sig = *wire::RrsigData::from(zsk.sign(www, kInception, kExpiration));
        const uint8_t genuine = sig.signature[0];
        for (size_t i = 0; i < kSignatures; ++i) {
            sig.signature[0] = static_cast<uint8_t>(genuine ^ (i + 1));  // none verifies
            signatures.push_back(sig.to_rdata());
        }
    }
};

TEST_F(DnssecKeyTrap, PerRrsetLimit) {
    limits.max_keys_per_tag = 4;
    limits.max_verifications_per_rrset = 8;
    const auto v = verify(www, signatures);
    EXPECT_EQ(v.status, Status::kLimit) << v.why;
    EXPECT_EQ(work.verifications, 8u);
    EXPECT_NE(v.why.find("after 8 signature checks"), std::string::npos) << v.why;
    EXPECT_TRUE(v.rrset_budget_spent);
    EXPECT_FALSE(v.held);
}

TEST_F(DnssecKeyTrap, PerRequestLimit) {
    limits.max_keys_per_tag = 4;
    limits.max_verifications_per_rrset = 100;
    limits.max_verifications_per_request = 5;
    work.verifications = 2;  // spent earlier in the same request
    EXPECT_EQ(verify(www, signatures).status, Status::kLimit);
    EXPECT_EQ(work.verifications, 5u);
    const auto v = verify(www, signatures);
    EXPECT_EQ(v.status, Status::kLimit);
    EXPECT_EQ(work.verifications, 5u);
    EXPECT_FALSE(v.rrset_budget_spent) << "the request's budget, not this RRset's";
}

TEST_F(DnssecKeyTrap, KeysPerTagLimitEndsInBogusWhenSignaturesRunOut) {
    limits.max_keys_per_tag = 3;
    limits.max_verifications_per_rrset = 100;
    const auto v = verify(www, std::vector(signatures.begin(), signatures.begin() + 2));
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_EQ(work.verifications, 6u);
    EXPECT_TRUE(v.keys_per_tag_capped);
}

TEST_F(DnssecKeyTrap, NoCapReportedWhenEveryKeyWasTried) {
    limits.max_keys_per_tag = static_cast<uint32_t>(kKeys + 1);
    limits.max_verifications_per_rrset = 1000;
    limits.max_verifications_per_request = 1000;
    const auto v = verify(www, std::vector(signatures.begin(), signatures.begin() + 1));
    EXPECT_EQ(v.status, Status::kBogus);
    EXPECT_FALSE(v.keys_per_tag_capped);
}

TEST_F(DnssecKeyTrap, RealKeyBeyondTheTagLimitIsNotReached) {
    limits.max_keys_per_tag = static_cast<uint32_t>(kKeys);  // the real key is one further
    limits.max_verifications_per_rrset = 100;
    const RData good = zsk.sign(www, kInception, kExpiration);
    EXPECT_EQ(verify(www, {good}).status, Status::kBogus);
    limits.max_keys_per_tag = static_cast<uint32_t>(kKeys + 1);
    EXPECT_EQ(verify(www, {good}).status, Status::kValid);
}

// A held zone (dnssec-limit-hold): one check per RRset, and for a crowded
// tag only the key that verified before; until one has, the search may try
// max_keys_per_tag keys.
TEST_F(DnssecKeyTrap, HeldLimitsTryOnlyTheProvenKeyOfACrowdedTag) {
    limits.max_keys_per_tag = 4;
    const auto held = limits.for_held_zone();
    const KeySet set(keys);  // one set: what has verified is remembered in it
    auto check = [&](const std::vector<RData>& sigs) {
        return verify_rrset(www, sigs, set, zone, kNow, limits, work);
    };
    const RData good = zsk.sign(www, kInception, kExpiration);  // the real key is 7th
    // Nothing proven yet: four keys tried, the real one is not among them.
    limits = held;
    auto v = check({good});
    EXPECT_EQ(v.status, Status::kBogus) << v.why;
    EXPECT_TRUE(v.crowded_tag);
    EXPECT_EQ(work.verifications, 4u);
    // Proven under ordinary limits that reach it.
    limits.max_keys_per_tag = static_cast<uint32_t>(kKeys + 1);
    limits.held = false;
    limits.max_verifications_per_rrset = 100;
    ASSERT_EQ(check({good}).status, Status::kValid);
    // Held again: one check, with the proven key, for good and bad alike.
    limits = held;
    work.verifications = 0;
    EXPECT_EQ(check({good}).status, Status::kValid);
    EXPECT_EQ(work.verifications, 1u);
    v = check(signatures);
    EXPECT_EQ(v.status, Status::kLimit) << v.why;
    EXPECT_TRUE(v.crowded_tag);
    EXPECT_EQ(work.verifications, 2u);
}

TEST_F(DnssecKeyTrap, HeldLimitsStillVerifyOtherTagsOneCheckPerRrset) {
    TestZoneSigner lone(zone, algorithm::kEcdsaP256Sha256, TestZoneSigner::kZskFlags);
    auto with_lone = keys.rdatas;
    with_lone.push_back(lone.dnskey_rdata());
    keys = key_set(zone, with_lone);
    limits = limits.for_held_zone();
    const RData good = lone.sign(www, kInception, kExpiration);
    auto bad = *wire::RrsigData::from(good);
    bad.signature[0] ^= 1;
    EXPECT_EQ(verify(www, {good}).status, Status::kValid);
    EXPECT_EQ(work.verifications, 1u);
    // A bad signature first: the one check is spent on it.
    const auto v = verify(www, {bad.to_rdata(), good});
    EXPECT_EQ(v.status, Status::kLimit) << v.why;
    EXPECT_TRUE(v.held);
    EXPECT_FALSE(v.crowded_tag);
    EXPECT_EQ(work.verifications, 2u);
}

// Zones signed by ldns-signzone, one per algorithm: every RRset of the
// signed zone must verify with the zone's DNSKEYs. ldnsutils is a test
// dependency (scripts/test.sh and CI install it); without it this fails.
class LdnsSignedZone : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        char dir_template[] = "/tmp/cairn-dnssec-XXXXXX";
        ASSERT_NE(mkdtemp(dir_template), nullptr);
        dir_ = dir_template;
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    // Runs `command` in the temporary directory; its stdout.
    std::string run(const std::string& command) {
        const std::string full = "cd '" + dir_ + "' && " + command;
        FILE* pipe = popen(full.c_str(), "r");
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

TEST_P(LdnsSignedZone, EveryRrsetVerifies) {
    const std::string algorithm = GetParam();
    for (const char* tool : {"ldns-keygen", "ldns-signzone"}) {
        run(std::string("command -v ") + tool);
        ASSERT_EQ(status_, 0) << tool << " not found: install ldnsutils";
    }
    {
        std::ofstream zone_file(dir_ + "/example.zone");
        zone_file << "$ORIGIN example.\n$TTL 3600\n"
                     "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                     "@ NS ns1\n"
                     "ns1 A 192.0.2.53\n"
                     "www A 192.0.2.1\n"
                     "www A 192.0.2.2\n"
                     "WWW AAAA 2001:db8::1\n"
                     "* TXT \"wild\"\n"
                     "mail MX 10 www\n"
                     "sub.deep 600 TXT \"a\" \"b\"\n";
    }
    const bool rsa = algorithm.starts_with("RSA");
    const std::string bits = rsa ? " -b 1024" : "";
    const std::string ksk = run("ldns-keygen -k -a " + algorithm + bits + " example.");
    ASSERT_EQ(status_, 0) << ksk;
    const std::string zsk = run("ldns-keygen -a " + algorithm + bits + " example.");
    ASSERT_EQ(status_, 0) << zsk;
    const int64_t now = std::time(nullptr);
    // Serial-number times reach at most 68 years ahead; 20 is far enough.
    const int64_t expiration = now + 20 * 365 * 86400LL;
    const std::string nsec3 = algorithm == "RSASHA1-NSEC3-SHA1" ? " -n -s abcd -t 3" : "";
    run("ldns-signzone" + nsec3 + " -i " + std::to_string(now - 86400) + " -e " +
        std::to_string(expiration) + " -f signed.zone example.zone " + ksk + " " + zsk);
    ASSERT_EQ(status_, 0);

    auto records = wire::read_zone_file(dir_ + "/signed.zone", name("example."));
    ASSERT_TRUE(records) << records.error().message;
    std::vector<wire::Record> data;
    std::vector<wire::Record> rrsigs;
    for (const auto& r : *records)
        (r.type == RRType::RRSIG ? rrsigs : data).push_back(r);
    const auto sets = wire::group_rrsets(data);
    const auto dnskeys = std::find_if(
        sets.begin(), sets.end(), [](const wire::RRset& s) { return s.type == RRType::DNSKEY; });
    ASSERT_NE(dnskeys, sets.end());
    ASSERT_EQ(dnskeys->rdatas.size(), 2u);

    size_t verified = 0;
    WorkCounter work;
    for (const auto& set : sets) {
        std::vector<RData> sigs;
        for (const auto& r : rrsigs)
            if (r.owner == set.owner && wire::RrsigData::from(r.rdata)->type_covered == set.type)
                sigs.push_back(r.rdata);
        const auto v =
            verify_rrset(set, sigs, *dnskeys, name("example."), now, ValidationLimits{}, work);
        EXPECT_EQ(v.status, Status::kValid) << algorithm << " " << set.owner.to_text() << "/"
                                            << wire::to_string(set.type) << ": " << v.why;
        verified += v.status == Status::kValid;
    }
    EXPECT_GE(verified, 10u);                 // the data, the DNSKEYs and the NSEC or NSEC3 chain
    EXPECT_EQ(work.verifications, verified);  // no wasted attempts with two keys
}

INSTANTIATE_TEST_SUITE_P(DnssecLdns, LdnsSignedZone,
                         ::testing::Values("RSASHA1", "RSASHA1-NSEC3-SHA1", "RSASHA256",
                                           "RSASHA512", "ECDSAP256SHA256", "ECDSAP384SHA384",
                                           "ED25519", "ED448"),
                         [](const auto& info) {
                             std::string n = info.param;
                             std::erase(n, '-');
                             return n;
                         });

}  // namespace
}  // namespace cairn::dnssec
