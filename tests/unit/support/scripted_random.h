// A Random that replays the values a test gives it, then keeps returning
// the last one (each reduced below the bound asked for).
#pragma once

#include <deque>

#include "resolve/random.h"

namespace cairn::testing {

class ScriptedRandom final : public resolve::Random {
public:
    explicit ScriptedRandom(std::deque<uint32_t> values = {1}) : values_(std::move(values)) {}
    uint32_t below(uint32_t bound) override {
        const uint32_t v = values_.front();
        if (values_.size() > 1) values_.pop_front();
        return v % bound;
    }

private:
    std::deque<uint32_t> values_;
};

}  // namespace cairn::testing
