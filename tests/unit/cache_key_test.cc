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

    cache.hold(name("trap.example."), 60, false);
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
    cache.hold(name("trap.example."), 60, false);
    cache.insert(name("trap.example."), secure(), 3600);
    EXPECT_FALSE(cache.lookup(name("trap.example."))->held);
}

TEST(KeyCache, HoldIsNeverShortened) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.insert(name("trap.example."), secure(), 3600);
    cache.hold(name("trap.example."), 60, false);
    cache.hold(name("trap.example."), 10, false);
    clock.advance(59);
    EXPECT_TRUE(cache.lookup(name("trap.example."))->held);
}

TEST(KeyCache, CrowdedHoldCoversTheZoneAndBelowForItsTime) {
    FakeClock clock;
    KeyCache cache(64 * 1024, clock);
    cache.insert(name("trap.example."), secure(), 3600);
    cache.insert(name("slow.example."), secure(), 3600);
    EXPECT_FALSE(cache.crowded_zone_of(name("www.trap.example.")));
    cache.hold(name("slow.example."), 60, false);
    EXPECT_FALSE(cache.crowded_zone_of(name("www.slow.example."))) << "not crowded";

    cache.hold(name("trap.example."), 60, true);
    EXPECT_EQ(cache.crowded_zone_of(name("a.b.trap.example.")), name("trap.example."));
    EXPECT_EQ(cache.crowded_zone_of(name("trap.example.")), name("trap.example."));
    EXPECT_FALSE(cache.crowded_zone_of(name("example.")));
    EXPECT_FALSE(cache.crowded_zone_of(name("www.slow.example.")));
    // A later hold that is not for crowding keeps the zone crowded.
    cache.hold(name("trap.example."), 60, false);
    EXPECT_TRUE(cache.crowded_zone_of(name("www.trap.example.")));
    clock.advance(60);
    EXPECT_FALSE(cache.crowded_zone_of(name("www.trap.example.")));
    // Once a hold is over, a new one starts afresh.
    cache.hold(name("trap.example."), 60, false);
    EXPECT_FALSE(cache.crowded_zone_of(name("www.trap.example.")));
}

}  // namespace
}  // namespace cairn::cache
