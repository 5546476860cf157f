// The resolver's choices that need no secrecy (which server to explore),
// injected like the clocks so tests can replay them. Query IDs, ports and
// cookies come from the transport's own secure source, never from here.
#pragma once

#include <cstdint>
#include <random>

namespace cairn::resolve {

class Random {
public:
    virtual ~Random() = default;
    // Uniform in [0, bound); bound > 0.
    virtual uint32_t below(uint32_t bound) = 0;
};

// One per worker: not thread-safe.
class FastRandom final : public Random {
public:
    FastRandom() : engine_(std::random_device{}()) {}
    uint32_t below(uint32_t bound) override {
        return std::uniform_int_distribution<uint32_t>(0, bound - 1)(engine_);
    }

private:
    std::minstd_rand engine_;
};

}  // namespace cairn::resolve
