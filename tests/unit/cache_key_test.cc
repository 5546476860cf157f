// The key cache: zone key verdicts for their TTL, and the holds of zones
// whose keys exhausted the validation limits (dnssec-limit-hold).
#include <gtest/gtest.h>

#include "cache/key_cache.h"

namespace cairn::cache {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

Verdict secure() {
    return Verdict::of(Security::kSecure);
}

TEST(KeyCache, KeysLastTheirTtl) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.insert(name("example."), secure(), 300);
    ASSERT_TRUE(cache.lookup(name("example.")));
    EXPECT_EQ(cache.lookup(name("example."))->security, Security::kSecure);
    EXPECT_FALSE(cache.lookup(name("other.")));
    clock.advance(300);
    EXPECT_FALSE(cache.lookup(name("example.")));
}

TEST(KeyCache, HoldLastsItsTimeAndOutlivesANewInsert) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.insert(name("trap.example."), secure(), 3600);
    cache.insert(name("example."), secure(), 3600);
    EXPECT_FALSE(cache.lookup(name("trap.example."))->held);

    cache.hold(name("trap.example."), 60);
    EXPECT_TRUE(cache.lookup(name("trap.example."))->held);
    EXPECT_FALSE(cache.lookup(name("example."))->held) << "only the zone itself";
    // Keys proven again do not lift the hold; an insert never sets one.
    clock.advance(30);
    Verdict again = secure();
    again.held = true;
    cache.insert(name("trap.example."), again, 3600);
    cache.insert(name("example."), again, 3600);
    EXPECT_TRUE(cache.lookup(name("trap.example."))->held);
    EXPECT_FALSE(cache.lookup(name("example."))->held);
    clock.advance(30);
    EXPECT_FALSE(cache.lookup(name("trap.example."))->held);
    EXPECT_EQ(cache.lookup(name("trap.example."))->security, Security::kSecure);
}

TEST(KeyCache, HoldOfKeysNotCachedIsNothing) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.hold(name("trap.example."), 60);
    cache.insert(name("trap.example."), secure(), 3600);
    EXPECT_FALSE(cache.lookup(name("trap.example."))->held);
}

TEST(KeyCache, HoldIsNeverShortened) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.insert(name("trap.example."), secure(), 3600);
    cache.hold(name("trap.example."), 60);
    cache.hold(name("trap.example."), 10);
    clock.advance(59);
    EXPECT_TRUE(cache.lookup(name("trap.example."))->held);
}

TEST(KeyCache, HeldWildcardCoversTheNamesBelowItsParentForOneType) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    const auto a = wire::RRType::A;
    EXPECT_FALSE(cache.held_wildcard_over(name("k1.trap.example."), a));
    cache.hold_wildcard(name("trap.example."), a, 60);
    EXPECT_EQ(cache.held_wildcard_over(name("k1.trap.example."), a), name("trap.example."));
    EXPECT_EQ(cache.held_wildcard_over(name("x.k1.trap.example."), a), name("trap.example."));
    EXPECT_FALSE(cache.held_wildcard_over(name("trap.example."), a)) << "the parent itself";
    EXPECT_FALSE(cache.held_wildcard_over(name("k1.other.example."), a));
    EXPECT_FALSE(cache.held_wildcard_over(name("k1.trap.example."), wire::RRType::AAAA));
    clock.advance(60);
    EXPECT_FALSE(cache.held_wildcard_over(name("k1.trap.example."), a));
}

TEST(KeyCache, HeldWildcardsAreBounded) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    const auto a = wire::RRType::A;
    cache.hold_wildcard(name("first.example."), a, 10);
    for (size_t i = 1; i < KeyCache::kMaxHeldWildcards; ++i)
        cache.hold_wildcard(name("w" + std::to_string(i) + ".example."), a, 60);
    EXPECT_TRUE(cache.held_wildcard_over(name("k.first.example."), a));
    // One more: the hold that ends first makes room.
    cache.hold_wildcard(name("last.example."), a, 60);
    EXPECT_TRUE(cache.held_wildcard_over(name("k.last.example."), a));
    EXPECT_FALSE(cache.held_wildcard_over(name("k.first.example."), a));
    EXPECT_TRUE(cache.held_wildcard_over(name("k.w1.example."), a));
    cache.clear();
    EXPECT_FALSE(cache.held_wildcard_over(name("k.w1.example."), a));
}

}  // namespace
}  // namespace cairn::cache
