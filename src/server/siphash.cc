#include "server/siphash.h"

#include <bit>

namespace cairn::server {

namespace {

uint64_t load_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}

struct SipState {
    uint64_t v0, v1, v2, v3;

    void round() {
        v0 += v1;
        v1 = std::rotl(v1, 13);
        v1 ^= v0;
        v0 = std::rotl(v0, 32);
        v2 += v3;
        v3 = std::rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = std::rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = std::rotl(v1, 17);
        v1 ^= v2;
        v2 = std::rotl(v2, 32);
    }
    // Two compression rounds per 8-octet word (the "2" of 2-4).
    void absorb(uint64_t word) {
        v3 ^= word;
        round();
        round();
        v0 ^= word;
    }
};

}  // namespace

uint64_t siphash24(const SipHashKey& key, std::span<const uint8_t> data) {
    const uint64_t k0 = load_le64(key.data());
    const uint64_t k1 = load_le64(key.data() + 8);
    SipState s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
               0x7465646279746573ULL ^ k1};
    const size_t whole = data.size() / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        s.absorb(load_le64(data.data() + i));
    // The last word: the remaining octets, and the length (mod 256) on top.
    uint64_t last = uint64_t{data.size() & 0xff} << 56;
    for (size_t i = whole; i < data.size(); ++i)
        last |= uint64_t{data[i]} << (8 * (i - whole));
    s.absorb(last);
    // Four finalisation rounds (the "4").
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace cairn::server
