// A client as the per-client budgets see it (response rate limits, TCP
// connections, resolutions in flight): its address with the host bits
// cleared, /24 for IPv4 and /56 for IPv6 by default. A household behind one
// NAT address or a host with IPv6 privacy addresses is then one client, and
// a client cannot multiply its budgets by moving within its own network.
#pragma once

#include <compare>
#include <cstdint>

#include "wire/ip_address.h"

namespace cairn::net {

struct ClientPrefixLengths {
    uint8_t v4 = 24;  // 0 to 32
    uint8_t v6 = 56;  // 0 to 128
};

class ClientPrefix {
public:
    ClientPrefix() = default;

    static ClientPrefix of(const wire::IpAddress& address, const ClientPrefixLengths& lengths) {
        ClientPrefix prefix;
        const auto bytes = address.bytes();
        prefix.v6_ = !address.is_v4();
        const unsigned length = prefix.v6_ ? lengths.v6 : lengths.v4;
        for (size_t i = 0; i < bytes.size(); ++i) {
            uint64_t& half = i < 8 ? prefix.high_ : prefix.low_;
            half |= uint64_t{bytes[i]} << (56 - 8 * (i % 8));
        }
        prefix.high_ &= mask(length);
        prefix.low_ &= mask(length > 64 ? length - 64 : 0);
        return prefix;
    }

    // A hash for tables; `seed` keeps its buckets unpredictable to clients.
    uint64_t hash(uint64_t seed) const {
        uint64_t h = seed ^ (v6_ ? 0x9e3779b97f4a7c15ULL : 0);
        h = mix(h ^ high_);
        return mix(h ^ low_);
    }

    bool is_v6() const { return v6_; }
    uint64_t high() const { return high_; }
    uint64_t low() const { return low_; }

    auto operator<=>(const ClientPrefix&) const = default;

private:
    // The top `bits` bits of a 64-bit half.
    static uint64_t mask(unsigned bits) {
        if (bits >= 64) return ~uint64_t{0};
        return bits == 0 ? 0 : ~uint64_t{0} << (64 - bits);
    }
    // The splitmix64 finaliser.
    static uint64_t mix(uint64_t x) {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    }

    uint64_t high_ = 0;
    uint64_t low_ = 0;
    bool v6_ = false;
};

}  // namespace cairn::net
