// SipHash-2-4 (J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast
// short-input PRF", 2012): the keyed hash of RFC 9018 server cookies.
// Written here rather than taken from OpenSSL's EVP_MAC "SIPHASH": on a
// 32-octet input it is 3 to 5 times faster (no provider dispatch, no
// context), and a cookie is checked on every query that carries one.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace cairn::server {

using SipHashKey = std::array<uint8_t, 16>;

// The 64-bit hash; as octets it is written least significant first (as the
// reference implementation and RFC 9018 do).
uint64_t siphash24(const SipHashKey& key, std::span<const uint8_t> data);

}  // namespace cairn::server
