// SipHash-2-4 (Aumasson and Bernstein, 2012): a fast keyed hash that an
// attacker who does not know the key cannot predict, for values derived
// from a secret on the data path (DNS cookies, hashed client addresses).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace cairn::wire {

using SipHashKey = std::array<uint8_t, 16>;

// The 64-bit result in the byte order of the reference implementation's
// output (little-endian), as RFC 9018 §4.4 also uses it.
std::array<uint8_t, 8> siphash24(const SipHashKey& key, std::span<const uint8_t> data);

}  // namespace cairn::wire
