// Resolutions in flight per client prefix on one worker, so that one client
// cannot take every resolution slot (DESIGN.md "Work limits": in-flight
// resolutions have per-prefix shares). Used by that worker's thread alone:
// no lock. An entry exists only while its client has a resolution running,
// so there are never more entries than resolutions in flight.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "net/client_prefix.h"

namespace cairn::server {

class InflightShares {
public:
    explicit InflightShares(uint32_t per_client) : per_client_(per_client) {}

    // Takes a slot for `client`; false when it has its share already.
    bool try_take(const net::ClientPrefix& client);
    // Gives back a slot taken with try_take.
    void give_back(const net::ClientPrefix& client);

    uint32_t running(const net::ClientPrefix& client) const;
    size_t clients() const { return counts_.size(); }

private:
    struct Hash {
        size_t operator()(const net::ClientPrefix& p) const { return p.hash(0); }
    };

    const uint32_t per_client_;
    std::unordered_map<net::ClientPrefix, uint32_t, Hash> counts_;
};

}  // namespace cairn::server
