// A worker's resolution slots (max-inflight), shared by clients' requests
// and the resolver's background work.
#include "resolve/work_slots.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace cairn::resolve {
namespace {

TEST(WorkSlots, ClientsMayTakeEverySlot) {
    WorkSlots slots(3);
    EXPECT_TRUE(slots.try_take());
    EXPECT_TRUE(slots.try_take());
    EXPECT_TRUE(slots.try_take());
    EXPECT_FALSE(slots.try_take());
    EXPECT_EQ(slots.running(), 3u);
    slots.give_back();
    EXPECT_TRUE(slots.try_take());
}

TEST(WorkSlots, BackgroundWorkLeavesTheLastQuarter) {
    WorkSlots slots(8);
    std::vector<BackgroundSlot> held;
    while (slots.try_take_background())
        held.emplace_back(&slots);
    EXPECT_EQ(held.size(), 6u);
    EXPECT_TRUE(slots.try_take()) << "clients still get in";
    EXPECT_TRUE(slots.try_take());
    EXPECT_FALSE(slots.try_take());
    held.clear();
    EXPECT_EQ(slots.running(), 2u) << "each background slot given back once";
}

TEST(WorkSlots, BackgroundSlotGivesBackOnceWhateverHappensToIt) {
    WorkSlots slots(4);
    ASSERT_TRUE(slots.try_take_background());
    ASSERT_TRUE(slots.try_take_background());
    {
        BackgroundSlot a(&slots);
        BackgroundSlot b(std::move(a));
        std::optional<BackgroundSlot> c;
        c = BackgroundSlot(&slots);
        c = std::move(b);  // the one c held is given back here
        EXPECT_EQ(slots.running(), 1u);
    }
    EXPECT_EQ(slots.running(), 0u);
    BackgroundSlot none;  // not taken from any WorkSlots: nothing to give back
}

}  // namespace
}  // namespace cairn::resolve
