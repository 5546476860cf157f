#include "cache/packet_cache.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace cairn::cache {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::Record a_record(std::string_view owner, uint32_t ttl, uint8_t last) {
    const std::array<uint8_t, 4> address = {192, 0, 2, last};
    return {name(owner), RRType::A, wire::RRClass::IN, ttl,
            *wire::RData::from_wire(RRType::A, address)};
}

wire::Record name_record(std::string_view owner, RRType type, uint32_t ttl,
                         std::string_view target) {
    return {name(owner), type, wire::RRClass::IN, ttl,
            *wire::RData::from_wire(type, name(target).wire())};
}

// A response as the server would store it: CNAME and A answers, NS
// authority, glue, and EDNS with DO (whose OPT "TTL" must not be touched).
std::vector<uint8_t> response(std::string_view qname, uint16_t id = 7) {
    wire::Message m;
    m.header.id = id;
    m.header.qr = true;
    m.header.rd = true;
    m.header.ra = true;
    m.questions.push_back({name(qname), RRType::A});
    m.answers.push_back(name_record(qname, RRType::CNAME, 300, "web.example.com."));
    m.answers.push_back(a_record("web.example.com.", 600, 1));
    m.authorities.push_back(name_record("example.com.", RRType::NS, 3600, "ns1.example.com."));
    m.additionals.push_back(a_record("ns1.example.com.", 30, 53));
    m.edns = wire::Edns{};
    m.edns->dnssec_ok = true;
    m.edns->udp_size = 1232;
    return m.to_wire();
}

PacketKey key(std::string_view qname, RRType type = RRType::A) {
    PacketKey k;
    k.qname = name(qname);
    k.qtype = type;
    k.dnssec_ok = true;
    k.has_edns = true;
    return k;
}

wire::Message parse(std::span<const uint8_t> data) {
    auto m = wire::Message::parse(data);
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : wire::Message{};
}

constexpr int64_t kNow = 1'700'000'000;

struct PacketCacheTest : ::testing::Test {
    PacketCache cache{1 << 20};
    std::array<uint8_t, 4096> out{};
};

TEST_F(PacketCacheTest, MissWhenEmpty) {
    EXPECT_EQ(cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow, out), 0u);
    EXPECT_EQ(cache.misses(), 1u);
    EXPECT_EQ(cache.hits(), 0u);
}

TEST_F(PacketCacheTest, HitPatchesIdCaseAndTtls) {
    const auto stored = response("www.example.com.");
    cache.insert(key("www.example.com."), stored, 300, kNow);
    EXPECT_EQ(cache.entries(), 1u);

    const auto spelling = name("wWw.ExAmple.COM.");
    const size_t n = cache.lookup(key("WWW.example.com."), 0xbeef, spelling, kNow + 100, out);
    ASSERT_EQ(n, stored.size());
    EXPECT_EQ(cache.hits(), 1u);
    const auto m = parse(std::span<const uint8_t>(out).first(n));
    EXPECT_EQ(m.header.id, 0xbeef);
    EXPECT_TRUE(m.header.qr && m.header.rd && m.header.ra);
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_TRUE(m.questions[0].name.identical(spelling));
    // The CNAME's owner is a compression pointer to the question: it follows.
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_TRUE(m.answers[0].owner.identical(spelling));
    EXPECT_EQ(m.answers[0].ttl, 200u);
    EXPECT_EQ(m.answers[1].ttl, 500u);
    ASSERT_EQ(m.authorities.size(), 1u);
    EXPECT_EQ(m.authorities[0].ttl, 3500u);
    ASSERT_EQ(m.additionals.size(), 1u);
    EXPECT_EQ(m.additionals[0].ttl, 0u);  // 30 - 100, floored at 0
    ASSERT_TRUE(m.edns);
    EXPECT_TRUE(m.edns->dnssec_ok);
    EXPECT_EQ(m.edns->udp_size, 1232);
    EXPECT_EQ(m.edns->version, 0);
    // Everything else is the stored answer. Names compressed against the
    // question take on the client's letter case too, which is harmless
    // (RFC 4343).
    const auto original = parse(stored);
    EXPECT_EQ(m.answers[1].rdata, original.answers[1].rdata);
    const auto ns = wire::Name::from_wire(m.authorities[0].rdata.bytes());
    ASSERT_TRUE(ns.ok());
    EXPECT_EQ(*ns, name("ns1.example.com."));
    EXPECT_EQ(m.authorities[0].owner, name("example.com."));
}

TEST_F(PacketCacheTest, StoredCopyIsNotChangedByHits) {
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    ASSERT_GT(cache.lookup(key("www.example.com."), 1, name("WWW.EXAMPLE.COM."), kNow + 100, out),
              0u);
    const size_t n = cache.lookup(key("www.example.com."), 2, name("www.example.com."), kNow, out);
    ASSERT_GT(n, 0u);
    const auto m = parse(std::span<const uint8_t>(out).first(n));
    EXPECT_TRUE(m.questions[0].name.identical(name("www.example.com.")));
    EXPECT_EQ(m.answers[0].ttl, 300u);
}

TEST_F(PacketCacheTest, ExpiresAfterTtl) {
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    EXPECT_GT(cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow + 299, out),
              0u);
    EXPECT_EQ(cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow + 300, out),
              0u);
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.memory_used(), 0u);
}

TEST_F(PacketCacheTest, KeyFieldsAllMatter) {
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    const auto q = name("www.example.com.");
    auto k = key("www.example.com.");
    k.dnssec_ok = false;
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    k = key("www.example.com.");
    k.checking_disabled = true;
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    k = key("www.example.com.");
    k.has_edns = false;
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    k = key("www.example.com.");
    k.recursion_desired = false;
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    k = key("www.example.com.", RRType::AAAA);
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    k = key("www.example.com.");
    k.qclass = wire::RRClass::CH;
    EXPECT_EQ(cache.lookup(k, 1, q, kNow, out), 0u);
    EXPECT_GT(cache.lookup(key("www.example.com."), 1, q, kNow, out), 0u);
}

TEST_F(PacketCacheTest, DoesNotFitIsAMiss) {
    const auto stored = response("www.example.com.");
    cache.insert(key("www.example.com."), stored, 300, kNow);
    std::vector<uint8_t> small(stored.size() - 1);
    EXPECT_EQ(cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow, small), 0u);
    EXPECT_EQ(cache.misses(), 1u);
    std::vector<uint8_t> exact(stored.size());
    EXPECT_EQ(cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow, exact),
              stored.size());
    EXPECT_EQ(cache.entries(), 1u);
}

TEST_F(PacketCacheTest, RefusesWhatItCannotServe) {
    // Zero TTL, a question for another name, garbage.
    cache.insert(key("www.example.com."), response("www.example.com."), 0, kNow);
    cache.insert(key("www.example.com."), response("www.example.net."), 300, kNow);
    cache.insert(key("www.example.com."), std::vector<uint8_t>(40, 0xff), 300, kNow);
    auto cut = response("www.example.com.");
    cut.pop_back();
    cache.insert(key("www.example.com."), cut, 300, kNow);
    EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(PacketCacheTest, ReplacesAndForgetsOnUncacheableUpdate) {
    cache.insert(key("www.example.com."), response("www.example.com.", 1), 300, kNow);
    cache.insert(key("WWW.example.com."), response("WWW.example.com.", 2), 60, kNow + 10);
    EXPECT_EQ(cache.entries(), 1u);
    const size_t n =
        cache.lookup(key("www.example.com."), 3, name("www.example.com."), kNow + 20, out);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(parse(std::span<const uint8_t>(out).first(n)).answers[0].ttl, 290u);
    EXPECT_EQ(cache.lookup(key("www.example.com."), 3, name("www.example.com."), kNow + 70, out),
              0u);
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    cache.insert(key("www.example.com."), response("www.example.com."), 0, kNow);
    EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(PacketCacheTest, ClockGoingBackwardsDoesNotInflateTtls) {
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    const size_t n =
        cache.lookup(key("www.example.com."), 1, name("www.example.com."), kNow - 50, out);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(parse(std::span<const uint8_t>(out).first(n)).answers[0].ttl, 300u);
}

TEST(PacketCacheBound, LeastRecentlyUsedGoFirst) {
    const size_t bound = 32 * 1024;
    PacketCache cache(bound);
    std::array<uint8_t, 4096> out{};
    const auto hot = name("hot.example.com.");
    cache.insert(key("hot.example.com."), response("hot.example.com."), 3600, kNow);
    const size_t n = 2000;
    for (size_t i = 0; i < n; ++i) {
        const std::string q = "n" + std::to_string(i) + ".example.com.";
        cache.insert(key(q), response(q), 3600, kNow);
        ASSERT_LE(cache.memory_used(), bound);
        if (i % 10 == 0) {
            ASSERT_GT(cache.lookup(key("hot.example.com."), 1, hot, kNow, out), 0u);
        }
    }
    EXPECT_LT(cache.entries(), n);
    EXPECT_GT(cache.memory_used(), bound / 2);
    EXPECT_EQ(cache.lookup(key("n0.example.com."), 1, name("n0.example.com."), kNow, out), 0u);
    const std::string last = "n" + std::to_string(n - 1) + ".example.com.";
    EXPECT_GT(cache.lookup(key(last), 1, name(last), kNow, out), 0u);
    cache.clear();
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.memory_used(), 0u);
}

TEST(PacketCacheBound, AnswerLargerThanBudgetIsNotStored) {
    PacketCache cache(100);
    cache.insert(key("www.example.com."), response("www.example.com."), 300, kNow);
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.memory_used(), 0u);
}

// Past the first buckets the index grows; every entry is still found, under
// any spelling of its name, and each answers with its own data.
TEST(PacketCacheIndex, GrowsAndFindsEveryEntry) {
    PacketCache cache(64 << 20);
    constexpr int kNames = 5000;
    for (int i = 0; i < kNames; ++i) {
        const std::string qname = "n" + std::to_string(i) + ".example.com.";
        cache.insert(key(qname), response(qname), 300, kNow);
    }
    EXPECT_EQ(cache.entries(), static_cast<size_t>(kNames));
    std::array<uint8_t, 4096> out{};
    for (int i = 0; i < kNames; i += 7) {
        const std::string upper = "N" + std::to_string(i) + ".EXAMPLE.com.";
        const size_t n = cache.lookup(key(upper), 3, name(upper), kNow, out);
        ASSERT_GT(n, 0u) << upper;
        const auto m = parse(std::span(out.data(), n));
        ASSERT_EQ(m.questions.size(), 1u);
        EXPECT_TRUE(m.questions[0].name.identical(name(upper)));
    }
    EXPECT_EQ(cache.lookup(key("n5000.example.com."), 3, name("n5000.example.com."), kNow, out),
              0u);
}

// What one small answer costs: a single block with the answer in it, and
// the index's share, not a fixed-size copy of its name beside it.
TEST(PacketCacheIndex, AnEntryCostsLittleMoreThanItsAnswer) {
    PacketCache cache(1 << 20);
    const auto answer = response("www.example.com.");
    cache.insert(key("www.example.com."), answer, 300, kNow);
    ASSERT_EQ(cache.entries(), 1u);
    EXPECT_LE(cache.memory_used(), answer.size() + 128);
}

}  // namespace
}  // namespace cairn::cache
