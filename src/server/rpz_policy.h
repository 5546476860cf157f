// The response policy a worker applies: one immutable snapshot of the policy
// zones in force (policy/rpz_set.h), what may NOTIFY them, and the hit
// counters. Built on the daemon's main loop by RpzFeeds, handed to each
// worker through its event loop; a worker reads it with no lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "policy/rpz_set.h"
#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::server {

// Hits of one policy zone by trigger and action, from every worker. Kept
// by zone name across new versions of the zone and reloads.
struct RpzZoneCounters {
    std::array<std::array<std::atomic<uint64_t>, policy::kRpzActionCount>, policy::kRpzTriggerCount>
        hits{};
    // Hits in a zone whose policy is `disabled`: logged, not applied.
    std::atomic<uint64_t> disabled_hits{0};
};

struct RpzPolicy {
    policy::RpzSet set;
    // By zone index in `set`.
    std::vector<std::shared_ptr<RpzZoneCounters>> counters;
    bool break_dnssec = false;

    // Zones fed by primaries, and who may NOTIFY each (RFC 1996 §3.10).
    struct Notifiable {
        wire::Name zone;
        std::vector<wire::IpPrefix> allowed;
    };
    std::vector<Notifiable> notifiable;
    // Starts a refresh of the zone on the main loop; callable from any thread.
    std::function<void(const wire::Name&)> refresh;

    // Whether `source` may NOTIFY `zone`; false also for a zone not here.
    bool may_notify(const wire::Name& zone, const wire::IpAddress& source) const {
        for (const auto& entry : notifiable) {
            if (!(entry.zone == zone)) continue;
            for (const auto& prefix : entry.allowed)
                if (prefix.contains(source)) return true;
        }
        return false;
    }
};

}  // namespace cairn::server
