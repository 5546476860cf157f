// Rate-limited log lines: at most N a minute from one place; the first
// line of the next minute says how many were held back.
#include "observe/log_limit.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace cairn::observe {
namespace {

TEST(LogLimit, PassesNAMinuteThenSaysHowManyWereHeldBack) {
    LogLimit limit(3);
    struct Step {
        int64_t now;
        std::optional<uint64_t> admitted;
    };
    const std::vector<Step> steps = {
        {600, 0u},           {601, 0u},           {659, 0u},  // three pass
        {659, std::nullopt}, {659, std::nullopt},             // held back
        {660, 2u},                                            // a new minute: two were held
        {661, 0u},           {662, 0u},           {663, std::nullopt},
        {900, 1u},  // minutes later: still told
    };
    for (size_t i = 0; i < steps.size(); ++i)
        EXPECT_EQ(limit.admit(steps[i].now), steps[i].admitted) << "step " << i;
}

TEST(LogLimit, HeldBackText) {
    EXPECT_EQ(held_back(0), "");
    EXPECT_EQ(held_back(1), " (1 similar line held back)");
    EXPECT_EQ(held_back(12), " (12 similar lines held back)");
}

}  // namespace
}  // namespace cairn::observe
