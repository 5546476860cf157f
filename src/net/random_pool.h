// Unpredictable bits for upstream queries (IDs, the QNAME's letter case,
// the source address), drawn from a per-worker pool that OpenSSL's DRBG
// (a CSPRNG seeded from the kernel) refills 256 bytes at a time: no system
// call and no allocation per query. RFC 5452 §9.2: an off-path attacker
// must not be able to predict any of them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cairn::net {

// Not thread-safe: one per worker (each UpstreamTransport owns one).
class RandomPool {
public:
    uint16_t u16();
    uint64_t u64();
    // Uniform in [0, n); n > 0.
    uint32_t below(uint32_t n);

private:
    void take(uint8_t* out, size_t n);
    void refill();

    std::array<uint8_t, 256> pool_{};
    size_t used_ = pool_.size();
};

}  // namespace cairn::net
