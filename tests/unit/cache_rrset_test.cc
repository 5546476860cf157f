#include "cache/rrset_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::cache {
namespace {

using wire::RRClass;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::RData a_rdata(uint8_t last) {
    const std::array<uint8_t, 4> address = {192, 0, 2, last};
    return *wire::RData::from_wire(RRType::A, address);
}

wire::RRset a_rrset(std::string_view owner, uint32_t ttl, std::initializer_list<uint8_t> lasts) {
    wire::RRset set{name(owner), RRType::A, RRClass::IN, ttl, {}};
    for (uint8_t last : lasts)
        set.add(a_rdata(last));
    return set;
}

CacheOptions small_options() {
    CacheOptions options;
    options.shards = 4;
    return options;
}

struct RRsetCacheTest : ::testing::Test {
    FakeClock clock;
    CacheOptions options = small_options();
    RRsetCache cache{options, 1 << 20, clock};
};

TEST_F(RRsetCacheTest, StoresAndFinds) {
    const std::vector<wire::RData> sigs = {
        *wire::RData::from_wire(RRType::TXT, std::array<uint8_t, 3>{2, 'h', 'i'})};
    EXPECT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {1, 2}), sigs, Trust::kAnswerAuth,
                             Security::kSecure));
    auto hit = cache.lookup(name("www.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.owner, name("www.example.com."));
    EXPECT_EQ(hit->rrset.type, RRType::A);
    EXPECT_EQ(hit->rrset.ttl, 300u);
    EXPECT_EQ(hit->rrset.rdatas, (std::vector<wire::RData>{a_rdata(1), a_rdata(2)}));
    EXPECT_EQ(hit->signatures, sigs);
    EXPECT_EQ(hit->trust, Trust::kAnswerAuth);
    EXPECT_EQ(hit->security, Security::kSecure);
    EXPECT_EQ(hit->original_ttl, 300u);
    EXPECT_EQ(hit->expires, clock.now() + 300);
    EXPECT_EQ(cache.entries(), 1u);
    EXPECT_GT(cache.memory_used(), 0u);
}

TEST_F(RRsetCacheTest, TypeAndClassAreSeparateEntries) {
    ASSERT_TRUE(
        cache.insert(a_rrset("x.example.", 60, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_FALSE(cache.lookup(name("x.example."), RRType::AAAA));
    EXPECT_FALSE(cache.lookup(name("x.example."), RRType::A, RRClass::CH));
    EXPECT_FALSE(cache.lookup(name("y.example."), RRType::A));
    EXPECT_TRUE(cache.lookup(name("x.example."), RRType::A));
}

TEST_F(RRsetCacheTest, EmptyRRsetIsNotStored) {
    EXPECT_FALSE(
        cache.insert(a_rrset("x.example.", 60, {}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(RRsetCacheTest, TtlCountsDownAndExpires) {
    ASSERT_TRUE(
        cache.insert(a_rrset("x.example.", 300, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    clock.advance(100);
    auto hit = cache.lookup(name("x.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.ttl, 200u);
    EXPECT_EQ(hit->original_ttl, 300u);
    clock.advance(199);
    hit = cache.lookup(name("x.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.ttl, 1u);
    clock.advance(1);
    EXPECT_FALSE(cache.lookup(name("x.example."), RRType::A));
    // Expired is absent, but kept (for serve-stale) until evicted or replaced.
    EXPECT_EQ(cache.entries(), 1u);
    ASSERT_TRUE(
        cache.insert(a_rrset("x.example.", 50, {2}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_EQ(cache.entries(), 1u);
    EXPECT_EQ(cache.lookup(name("x.example."), RRType::A)->rrset.ttl, 50u);
}

TEST_F(RRsetCacheTest, ZeroTtlIsNeverServed) {
    EXPECT_TRUE(
        cache.insert(a_rrset("x.example.", 0, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_FALSE(cache.lookup(name("x.example."), RRType::A));
}

TEST_F(RRsetCacheTest, TtlWithTopBitSetMeansZero) {
    // RFC 2181 §8.
    EXPECT_TRUE(cache.insert(a_rrset("x.example.", 0x80000000u, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    EXPECT_FALSE(cache.lookup(name("x.example."), RRType::A));
}

TEST(RRsetCacheClamp, TtlClampedToMinAndMax) {
    FakeClock clock;
    CacheOptions options = small_options();
    options.min_ttl = 60;
    options.max_ttl = 3600;
    RRsetCache cache(options, 1 << 20, clock);
    ASSERT_TRUE(
        cache.insert(a_rrset("low.example.", 5, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    ASSERT_TRUE(cache.insert(a_rrset("high.example.", 604800, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    ASSERT_TRUE(cache.insert(a_rrset("mid.example.", 300, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    auto low = cache.lookup(name("low.example."), RRType::A);
    auto high = cache.lookup(name("high.example."), RRType::A);
    auto mid = cache.lookup(name("mid.example."), RRType::A);
    ASSERT_TRUE(low && high && mid);
    EXPECT_EQ(low->rrset.ttl, 60u);
    EXPECT_EQ(low->original_ttl, 60u);
    EXPECT_EQ(high->rrset.ttl, 3600u);
    EXPECT_EQ(high->original_ttl, 3600u);
    EXPECT_EQ(mid->rrset.ttl, 300u);
    clock.advance(3600);
    EXPECT_FALSE(cache.lookup(name("high.example."), RRType::A));
}

TEST_F(RRsetCacheTest, LowerTrustDoesNotReplaceLiveHigherTrust) {
    ASSERT_TRUE(cache.insert(a_rrset("ns1.example.", 3600, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    // Glue from a referral must not overwrite the authoritative answer.
    EXPECT_FALSE(cache.insert(a_rrset("ns1.example.", 172800, {99}), {}, Trust::kAdditional,
                              Security::kInsecure));
    EXPECT_FALSE(cache.insert(a_rrset("ns1.example.", 172800, {98}), {}, Trust::kAuthorityReferral,
                              Security::kInsecure));
    auto hit = cache.lookup(name("ns1.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.rdatas, std::vector<wire::RData>{a_rdata(1)});
    EXPECT_EQ(hit->trust, Trust::kAnswerAuth);
}

TEST_F(RRsetCacheTest, EqualOrHigherTrustReplaces) {
    ASSERT_TRUE(cache.insert(a_rrset("ns1.example.", 3600, {1}), {}, Trust::kAdditional,
                             Security::kInsecure));
    EXPECT_TRUE(cache.insert(a_rrset("ns1.example.", 600, {2}), {}, Trust::kAdditional,
                             Security::kInsecure));
    EXPECT_EQ(cache.lookup(name("ns1.example."), RRType::A)->rrset.rdatas,
              std::vector<wire::RData>{a_rdata(2)});
    EXPECT_TRUE(cache.insert(a_rrset("ns1.example.", 300, {3}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    EXPECT_TRUE(
        cache.insert(a_rrset("ns1.example.", 300, {4}), {}, Trust::kValidated, Security::kSecure));
    auto hit = cache.lookup(name("ns1.example."), RRType::A);
    EXPECT_EQ(hit->rrset.rdatas, std::vector<wire::RData>{a_rdata(4)});
    EXPECT_EQ(hit->trust, Trust::kValidated);
    EXPECT_EQ(hit->security, Security::kSecure);
    EXPECT_EQ(cache.entries(), 1u);
}

TEST_F(RRsetCacheTest, LowerTrustReplacesExpiredHigherTrust) {
    ASSERT_TRUE(
        cache.insert(a_rrset("ns1.example.", 60, {1}), {}, Trust::kValidated, Security::kSecure));
    clock.advance(60);
    EXPECT_TRUE(cache.insert(a_rrset("ns1.example.", 60, {2}), {}, Trust::kAdditional,
                             Security::kInsecure));
    auto hit = cache.lookup(name("ns1.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trust, Trust::kAdditional);
}

TEST_F(RRsetCacheTest, KeysIgnoreCase) {
    ASSERT_TRUE(cache.insert(a_rrset("WwW.ExAmPlE.CoM.", 300, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    auto hit = cache.lookup(name("www.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_TRUE(cache.lookup(name("WWW.EXAMPLE.COM."), RRType::A));
    // Replacing under another spelling keeps one entry, in the new spelling.
    ASSERT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {2}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    EXPECT_EQ(cache.entries(), 1u);
    hit = cache.lookup(name("WWW.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_TRUE(hit->rrset.owner.identical(name("www.example.com.")));
    EXPECT_EQ(hit->rrset.rdatas, std::vector<wire::RData>{a_rdata(2)});
}

TEST_F(RRsetCacheTest, EraseAndClear) {
    ASSERT_TRUE(
        cache.insert(a_rrset("a.example.", 300, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    ASSERT_TRUE(
        cache.insert(a_rrset("b.example.", 300, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    cache.erase(name("A.example."), RRType::A);
    EXPECT_FALSE(cache.lookup(name("a.example."), RRType::A));
    EXPECT_TRUE(cache.lookup(name("b.example."), RRType::A));
    cache.clear();
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.memory_used(), 0u);
    EXPECT_FALSE(cache.lookup(name("b.example."), RRType::A));
}

TEST_F(RRsetCacheTest, CountsHits) {
    ASSERT_TRUE(
        cache.insert(a_rrset("a.example.", 300, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_EQ(cache.lookup(name("a.example."), RRType::A)->hits, 1u);
    EXPECT_EQ(cache.lookup(name("a.example."), RRType::A)->hits, 2u);
    // A new version starts over.
    ASSERT_TRUE(
        cache.insert(a_rrset("a.example.", 300, {2}), {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_EQ(cache.lookup(name("a.example."), RRType::A)->hits, 1u);
}

TEST_F(RRsetCacheTest, PeekFindsTheSameButCountsNoHit) {
    ASSERT_TRUE(
        cache.insert(a_rrset("a.example.", 300, {1}), {}, Trust::kAnswerAuth, Security::kInsecure));
    clock.advance(10);
    const auto peeked = cache.peek(name("a.example."), RRType::A);
    ASSERT_TRUE(peeked);
    EXPECT_EQ(peeked->rrset.ttl, 290u);
    EXPECT_EQ(peeked->hits, 0u);
    (void)cache.peek(name("a.example."), RRType::A);
    EXPECT_EQ(cache.lookup(name("a.example."), RRType::A)->hits, 1u);
    EXPECT_FALSE(cache.peek(name("b.example."), RRType::A));
    clock.advance(290);
    EXPECT_FALSE(cache.peek(name("a.example."), RRType::A)) << "expired";
}

std::string flood_name(size_t i) {
    return "host-" + std::to_string(i) + ".flood.example.";
}

TEST(RRsetCacheMemory, StaysWithinBoundUnderFlood) {
    FakeClock clock;
    const size_t bound = 256 * 1024;
    RRsetCache cache(small_options(), bound, clock);
    const size_t n = 20'000;
    for (size_t i = 0; i < n; ++i) {
        cache.insert(a_rrset(flood_name(i), 3600, {1, 2, 3}), {}, Trust::kAnswerAuth,
                     Security::kInsecure);
        ASSERT_LE(cache.memory_used(), bound) << "after insert " << i;
    }
    EXPECT_GT(cache.evictions(), 0u);
    EXPECT_LT(cache.entries(), n);
    EXPECT_EQ(cache.evictions() + cache.entries(), n);
    // The newest survive, the oldest went.
    EXPECT_TRUE(cache.lookup(name(flood_name(n - 1)), RRType::A));
    EXPECT_FALSE(cache.lookup(name(flood_name(0)), RRType::A));
    // Most of the budget is in use: accounting is not wildly pessimistic.
    EXPECT_GT(cache.memory_used(), bound / 2);
}

TEST(RRsetCacheMemory, RecentlyUsedEntriesSurvive) {
    FakeClock clock;
    const size_t bound = 256 * 1024;
    RRsetCache cache(small_options(), bound, clock);
    const size_t hot = 20;
    for (size_t i = 0; i < hot; ++i)
        cache.insert(a_rrset("hot-" + std::to_string(i) + ".example.", 3600, {1}), {},
                     Trust::kAnswerAuth, Security::kInsecure);
    for (size_t i = 0; i < 20'000; ++i) {
        cache.insert(a_rrset(flood_name(i), 3600, {1}), {}, Trust::kAnswerAuth,
                     Security::kInsecure);
        if (i % 50 == 0) {
            for (size_t h = 0; h < hot; ++h)
                cache.lookup(name("hot-" + std::to_string(h) + ".example."), RRType::A);
        }
    }
    size_t hot_alive = 0;
    for (size_t h = 0; h < hot; ++h)
        hot_alive +=
            cache.lookup(name("hot-" + std::to_string(h) + ".example."), RRType::A) ? 1 : 0;
    size_t cold_alive = 0;
    for (size_t i = 0; i < 1000; ++i)
        cold_alive += cache.lookup(name(flood_name(i)), RRType::A) ? 1 : 0;
    EXPECT_EQ(hot_alive, hot);
    EXPECT_EQ(cold_alive, 0u);
}

TEST(RRsetCacheMemory, EntryLargerThanBudgetIsRefused) {
    FakeClock clock;
    const size_t bound = 64 * 1024;
    RRsetCache cache(small_options(), bound, clock);
    wire::RRset big{name("big.example."), RRType::TXT, RRClass::IN, 300, {}};
    for (int i = 0; i < 400; ++i) {
        std::vector<uint8_t> txt(200, static_cast<uint8_t>('a' + i % 26));
        txt[0] = 199;
        txt[1] = static_cast<uint8_t>(i);
        txt[2] = static_cast<uint8_t>(i >> 8);
        big.add(*wire::RData::from_wire(RRType::TXT, txt));
    }
    EXPECT_FALSE(cache.insert(big, {}, Trust::kAnswerAuth, Security::kInsecure));
    EXPECT_LE(cache.memory_used(), bound);
    EXPECT_EQ(cache.entries(), 0u);
}

TEST(RRsetCacheMemory, TinyBudgetStillBounded) {
    FakeClock clock;
    CacheOptions options;  // 64 shards asked for; a tiny budget gets fewer
    const size_t bound = 4096;
    RRsetCache cache(options, bound, clock);
    for (size_t i = 0; i < 200; ++i) {
        cache.insert(a_rrset(flood_name(i), 3600, {1}), {}, Trust::kAnswerAuth,
                     Security::kInsecure);
        ASSERT_LE(cache.memory_used(), bound);
    }
    EXPECT_GT(cache.entries(), 0u);
}

// An RRSIG RDATA covering A that expires at wall-clock second `expiration`.
wire::RData rrsig_expiring(uint32_t expiration) {
    wire::RrsigData sig;
    sig.type_covered = RRType::A;
    sig.algorithm = 13;
    sig.labels = 3;
    sig.original_ttl = 300;
    sig.expiration = expiration;
    sig.inception = expiration - 86400;
    sig.key_tag = 1;
    sig.signer = name("example.com.");
    sig.signature = {1, 2, 3};
    return sig.to_rdata();
}

TEST_F(RRsetCacheTest, ExpiredEntriesStayForServeStale) {
    ASSERT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {1}), {}, Trust::kAnswerAuth,
                             Security::kInsecure));
    EXPECT_FALSE(cache.lookup_stale(name("www.example.com."), RRType::A)) << "live, not stale";
    clock.advance(301);
    EXPECT_FALSE(cache.lookup(name("www.example.com."), RRType::A));
    auto stale = cache.lookup_stale(name("www.example.com."), RRType::A);
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->rrset.ttl, 0u);
    EXPECT_EQ(stale->rrset.rdatas, std::vector<wire::RData>{a_rdata(1)});
    clock.advance(options.stale_max);
    EXPECT_FALSE(cache.lookup_stale(name("www.example.com."), RRType::A)) << "past stale-max";
}

TEST_F(RRsetCacheTest, SignedDataNeverOutlivesItsSignatures) {
    const auto expiry = static_cast<uint32_t>(clock.now() + 100);
    const std::vector<wire::RData> sigs = {rrsig_expiring(expiry)};
    ASSERT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {1}), sigs, Trust::kAnswerAuth,
                             Security::kSecure));
    auto hit = cache.lookup(name("www.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.ttl, 100u) << "capped at the RRSIG expiration";
    clock.advance(101);
    EXPECT_FALSE(cache.lookup(name("www.example.com."), RRType::A));
    EXPECT_FALSE(cache.lookup_stale(name("www.example.com."), RRType::A))
        << "no stale data past the signatures' expiration";
}

TEST_F(RRsetCacheTest, IdenticalSignedDataIsRenewedWithoutValidation) {
    const std::vector<wire::RData> sigs = {
        rrsig_expiring(static_cast<uint32_t>(clock.now() + 86400))};
    ASSERT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {1}), sigs, Trust::kAnswerAuth,
                             Security::kIndeterminate));
    cache.set_security(a_rrset("www.example.com.", 300, {1}), sigs, Security::kSecure,
                       wire::ExtendedErrorCode::kDnssecBogus, 300);
    clock.advance(280);
    auto renewed = cache.insert(a_rrset("www.example.com.", 300, {1}), sigs, Trust::kAnswerAuth,
                                Security::kIndeterminate);
    EXPECT_TRUE(renewed.stored);
    EXPECT_TRUE(renewed.renewed);
    auto hit = cache.lookup(name("www.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->security, Security::kSecure);
    EXPECT_EQ(hit->trust, Trust::kValidated);
    EXPECT_EQ(hit->rrset.ttl, 300u);

    // Other data, or the same data with another signature: validate again.
    const std::vector<wire::RData> other_sigs = {
        rrsig_expiring(static_cast<uint32_t>(clock.now() + 90000))};
    auto changed = cache.insert(a_rrset("www.example.com.", 300, {1}), other_sigs,
                                Trust::kValidated, Security::kIndeterminate);
    EXPECT_TRUE(changed.stored);
    EXPECT_FALSE(changed.renewed);
    EXPECT_EQ(cache.lookup(name("www.example.com."), RRType::A)->security,
              Security::kIndeterminate);
}

// Issue 13 point 15: a wildcard expansion validated with its proof, seen
// again as additional data, keeps its proof and its rank.
TEST_F(RRsetCacheTest, ValidatedWildcardSeenAgainAsAdditionalKeepsProofAndRank) {
    const std::vector<wire::RData> sigs = {
        rrsig_expiring(static_cast<uint32_t>(clock.now() + 86400))};
    const std::vector<wire::Record> proof = {
        *wire::parse_record("a.example.com. 300 IN NSEC z.example.com. A RRSIG NSEC", {})};
    ASSERT_TRUE(cache.insert(a_rrset("x.example.com.", 300, {1}), sigs, Trust::kAnswerAuth,
                             Security::kIndeterminate, proof));
    cache.set_security(a_rrset("x.example.com.", 300, {1}), sigs, Security::kSecure, std::nullopt,
                       300);
    clock.advance(10);
    auto again = cache.insert(a_rrset("x.example.com.", 300, {1}), sigs, Trust::kAdditional,
                              Security::kIndeterminate);
    EXPECT_FALSE(again.stored);
    auto hit = cache.lookup(name("x.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trust, Trust::kValidated);
    EXPECT_EQ(hit->security, Security::kSecure);
    ASSERT_EQ(hit->proof.size(), 1u);
    EXPECT_EQ(hit->rrset.ttl, 290u) << "additional data does not renew an answer";

    // An answer renewing it unchanged but without the proof keeps the old one.
    auto renewed = cache.insert(a_rrset("x.example.com.", 300, {1}), sigs, Trust::kAnswerAuth,
                                Security::kIndeterminate);
    EXPECT_TRUE(renewed.renewed);
    hit = cache.lookup(name("x.example.com."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->security, Security::kSecure);
    EXPECT_EQ(hit->proof.size(), 1u);
}

TEST_F(RRsetCacheTest, HoldsSecureOnlyForTheSameDataAndSignatures) {
    const auto rrset = a_rrset("www.example.com.", 300, {1});
    const std::vector<wire::RData> sigs = {
        rrsig_expiring(static_cast<uint32_t>(clock.now() + 86400))};
    const std::vector<wire::RData> other_sigs = {
        rrsig_expiring(static_cast<uint32_t>(clock.now() + 90000))};
    ASSERT_TRUE(cache.insert(rrset, sigs, Trust::kAnswerAuth, Security::kIndeterminate));
    EXPECT_FALSE(cache.holds_secure(rrset, sigs)) << "not validated yet";

    // A verdict reached for other signatures is not this entry's.
    cache.set_security(rrset, other_sigs, Security::kSecure, std::nullopt, 300);
    EXPECT_FALSE(cache.holds_secure(rrset, sigs));
    EXPECT_EQ(cache.lookup(name("www.example.com."), RRType::A)->security,
              Security::kIndeterminate);

    cache.set_security(rrset, sigs, Security::kSecure, std::nullopt, 300);
    EXPECT_TRUE(cache.holds_secure(rrset, sigs));
    EXPECT_FALSE(cache.holds_secure(rrset, other_sigs));
    EXPECT_FALSE(cache.holds_secure(a_rrset("www.example.com.", 300, {2}), sigs));
    EXPECT_FALSE(cache.holds_secure(rrset, {})) << "unsigned data is never taken as verified";

    // It counts no hit (prefetch sees only clients' lookups): two lookups here.
    EXPECT_EQ(cache.lookup(name("www.example.com."), RRType::A)->hits, 2u);

    clock.advance(301);
    EXPECT_FALSE(cache.holds_secure(rrset, sigs)) << "expired entries are not evidence";
}

TEST_F(RRsetCacheTest, BogusDataIsNeverStale) {
    ASSERT_TRUE(cache.insert(a_rrset("www.example.com.", 300, {1}), {}, Trust::kAnswerAuth,
                             Security::kIndeterminate));
    cache.set_security(a_rrset("www.example.com.", 300, {1}), {}, Security::kBogus,
                       wire::ExtendedErrorCode::kDnssecBogus, 60);
    clock.advance(61);
    EXPECT_FALSE(cache.lookup(name("www.example.com."), RRType::A));
    EXPECT_FALSE(cache.lookup_stale(name("www.example.com."), RRType::A));
}

}  // namespace
}  // namespace cairn::cache
