#include "cache/negative_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::cache {
namespace {

using wire::Rcode;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

// An SOA record for `zone` with `ttl`, and an NSEC record with `nsec_ttl`.
std::vector<wire::Record> proof(std::string_view zone, uint32_t ttl, uint32_t nsec_ttl) {
    std::vector<uint8_t> soa;
    for (auto n : {name("ns1.example."), name("hostmaster.example.")})
        soa.insert(soa.end(), n.wire().begin(), n.wire().end());
    for (uint32_t v : {2024010101u, 7200u, 3600u, 1209600u, 300u})
        for (int shift = 24; shift >= 0; shift -= 8)
            soa.push_back(static_cast<uint8_t>(v >> shift));
    std::vector<uint8_t> nsec;
    const auto next = name("zzz.example.");
    nsec.insert(nsec.end(), next.wire().begin(), next.wire().end());
    nsec.insert(nsec.end(), {0, 1, 0x40});  // window 0: A
    return {
        wire::Record{name(zone), RRType::SOA, wire::RRClass::IN, ttl,
                     *wire::RData::from_wire(RRType::SOA, soa)},
        wire::Record{name(zone), RRType::NSEC, wire::RRClass::IN, nsec_ttl,
                     *wire::RData::from_wire(RRType::NSEC, nsec)},
    };
}

CacheOptions options_with_shards() {
    CacheOptions options;
    options.shards = 4;
    return options;
}

struct NegativeCacheTest : ::testing::Test {
    FakeClock clock;
    CacheOptions options = options_with_shards();
    NegativeCache cache{options, 1 << 20, clock};
};

TEST_F(NegativeCacheTest, NxdomainCoversEveryType) {
    cache.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::A, proof("example.", 300, 300), 300,
                 Security::kSecure);
    for (RRType type : {RRType::A, RRType::AAAA, RRType::MX, RRType::DS}) {
        auto hit = cache.lookup(name("nx.example."), type);
        ASSERT_TRUE(hit) << wire::to_string(type);
        EXPECT_EQ(hit->rcode, Rcode::NXDOMAIN);
        EXPECT_EQ(hit->name, name("nx.example."));
        EXPECT_EQ(hit->ttl, 300u);
        EXPECT_EQ(hit->security, Security::kSecure);
        EXPECT_EQ(hit->authority.size(), 2u);
    }
}

TEST_F(NegativeCacheTest, NxdomainCoversDescendants) {
    // RFC 8020.
    cache.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::A, proof("example.", 300, 300), 300,
                 Security::kInsecure);
    auto hit = cache.lookup(name("a.b.NX.example."), RRType::TXT);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(hit->name, name("nx.example."));
    // Not its parent, siblings or names that merely end the same way.
    EXPECT_FALSE(cache.lookup(name("example."), RRType::A));
    EXPECT_FALSE(cache.lookup(name("other.example."), RRType::A));
    EXPECT_FALSE(cache.lookup(name("xnx.example."), RRType::A));
}

TEST_F(NegativeCacheTest, NodataIsPerType) {
    cache.insert(Rcode::NOERROR, name("www.example."), RRType::AAAA, proof("example.", 300, 300),
                 300, Security::kInsecure);
    auto hit = cache.lookup(name("WWW.example."), RRType::AAAA);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rcode, Rcode::NOERROR);
    EXPECT_EQ(hit->type, RRType::AAAA);
    EXPECT_FALSE(cache.lookup(name("www.example."), RRType::A));
    // NODATA says nothing about names below.
    EXPECT_FALSE(cache.lookup(name("sub.www.example."), RRType::AAAA));
}

TEST_F(NegativeCacheTest, NodataReplacesOlderNxdomain) {
    cache.insert(Rcode::NXDOMAIN, name("new.example."), RRType::A, proof("example.", 300, 300), 300,
                 Security::kInsecure);
    clock.advance(10);
    cache.insert(Rcode::NOERROR, name("new.example."), RRType::AAAA, proof("example.", 300, 300),
                 300, Security::kInsecure);
    EXPECT_FALSE(cache.lookup(name("new.example."), RRType::A));
    EXPECT_EQ(cache.lookup(name("new.example."), RRType::AAAA)->rcode, Rcode::NOERROR);
}

TEST_F(NegativeCacheTest, OtherRcodesAreNotStored) {
    cache.insert(Rcode::SERVFAIL, name("x.example."), RRType::A, {}, 300, Security::kInsecure);
    EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(NegativeCacheTest, TtlCountsDownWithAuthorityRecords) {
    cache.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::A, proof("example.", 300, 200), 300,
                 Security::kInsecure);
    clock.advance(120);
    auto hit = cache.lookup(name("nx.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->ttl, 180u);
    EXPECT_EQ(hit->expires, clock.now() + 180);
    ASSERT_EQ(hit->authority.size(), 2u);
    EXPECT_EQ(hit->authority[0].ttl, 180u);
    EXPECT_EQ(hit->authority[1].ttl, 80u);
    clock.advance(179);
    hit = cache.lookup(name("nx.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->ttl, 1u);
    EXPECT_EQ(hit->authority[1].ttl, 0u);
    clock.advance(1);
    EXPECT_FALSE(cache.lookup(name("nx.example."), RRType::A));
    EXPECT_FALSE(cache.lookup(name("below.nx.example."), RRType::A));
}

TEST(NegativeCacheTtl, CappedAtMaxNegativeTtl) {
    FakeClock clock;
    CacheOptions options = options_with_shards();
    options.max_negative_ttl = 900;
    NegativeCache cache(options, 1 << 20, clock);
    cache.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::A, proof("example.", 86400, 86400),
                 86400, Security::kInsecure);
    auto hit = cache.lookup(name("nx.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->ttl, 900u);
    // The records shown with it never outlive it.
    for (const auto& record : hit->authority)
        EXPECT_EQ(record.ttl, 900u);
    clock.advance(900);
    EXPECT_FALSE(cache.lookup(name("nx.example."), RRType::A));
}

TEST_F(NegativeCacheTest, ReplacedByNewerAnswer) {
    cache.insert(Rcode::NOERROR, name("www.example."), RRType::MX, proof("example.", 60, 60), 60,
                 Security::kInsecure);
    cache.insert(Rcode::NOERROR, name("www.example."), RRType::MX, proof("example.", 600, 600), 600,
                 Security::kSecure);
    EXPECT_EQ(cache.entries(), 1u);
    auto hit = cache.lookup(name("www.example."), RRType::MX);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->ttl, 600u);
    EXPECT_EQ(hit->security, Security::kSecure);
}

TEST_F(NegativeCacheTest, Clear) {
    cache.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::A, proof("example.", 60, 60), 60,
                 Security::kInsecure);
    EXPECT_GT(cache.memory_used(), 0u);
    cache.clear();
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.memory_used(), 0u);
    EXPECT_FALSE(cache.lookup(name("nx.example."), RRType::A));
}

TEST(NegativeCacheMemory, StaysWithinBoundUnderFlood) {
    FakeClock clock;
    const size_t bound = 256 * 1024;
    NegativeCache cache(options_with_shards(), bound, clock);
    const auto soa = proof("example.", 300, 300);
    const size_t n = 10'000;
    for (size_t i = 0; i < n; ++i) {
        cache.insert(Rcode::NXDOMAIN, name("nx-" + std::to_string(i) + ".example."), RRType::A, soa,
                     300, Security::kInsecure);
        ASSERT_LE(cache.memory_used(), bound) << "after insert " << i;
    }
    EXPECT_GT(cache.evictions(), 0u);
    EXPECT_EQ(cache.evictions() + cache.entries(), n);
    EXPECT_TRUE(cache.lookup(name("nx-" + std::to_string(n - 1) + ".example."), RRType::A));
    EXPECT_FALSE(cache.lookup(name("nx-0.example."), RRType::A));
}

}  // namespace
}  // namespace cairn::cache
