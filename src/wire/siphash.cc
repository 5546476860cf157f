#include "wire/siphash.h"

#include <bit>

namespace cairn::wire {
namespace {

uint64_t load_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}

struct State {
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

    // Two compression rounds per 8-byte word.
    void absorb(uint64_t m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace

std::array<uint8_t, 8> siphash24(const SipHashKey& key, std::span<const uint8_t> data) {
    const uint64_t k0 = load_le64(key.data());
    const uint64_t k1 = load_le64(key.data() + 8);
    State s{0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
            0x7465646279746573ULL ^ k1};
    const size_t whole = data.size() / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        s.absorb(load_le64(data.data() + i));
    // The last word: the remaining bytes, and the length's low byte on top.
    uint64_t last = static_cast<uint64_t>(data.size()) << 56;
    for (size_t i = whole; i < data.size(); ++i)
        last |= static_cast<uint64_t>(data[i]) << (8 * (i - whole));
    s.absorb(last);
    // Four finalisation rounds.
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        s.round();
    const uint64_t h = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    std::array<uint8_t, 8> out{};
    for (size_t i = 0; i < 8; ++i)
        out[i] = static_cast<uint8_t>(h >> (8 * i));
    return out;
}

}  // namespace cairn::wire
