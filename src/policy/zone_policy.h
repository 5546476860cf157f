// Per-zone cache policy (zone-policy): a zone's own cache-min-ttl,
// cache-max-ttl, prefetch, serve-stale, stale-max and
// stale-recheck-interval. The closest enclosing zone with an entry decides;
// each field it leaves unset is the global option's value. Signed data still
// never outlives its signatures, whatever stale-max says (the cache sees to
// that).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "cache/cache_options.h"
#include "policy/zone_map.h"
#include "wire/name.h"

namespace cairn::policy {

// One zone-policy entry, as configured.
struct ZonePolicy {
    wire::Name name;
    std::optional<uint32_t> cache_min_ttl;
    std::optional<uint32_t> cache_max_ttl;
    std::optional<bool> prefetch;
    std::optional<bool> serve_stale;
    // RFC 8767's maximum stale timer: how long past expiry data is kept.
    std::optional<uint32_t> stale_max;
    // RFC 8767's failure recheck timer.
    std::optional<std::chrono::milliseconds> stale_recheck_interval;

    bool operator==(const ZonePolicy&) const = default;
};

class ZonePolicies {
public:
    ZonePolicies() = default;
    // A later entry for a zone already listed is ignored (config refuses
    // such lists).
    explicit ZonePolicies(std::span<const ZonePolicy> entries);

    // The entry of the closest enclosing zone of `name`; null if none.
    // Allocation-free.
    const ZonePolicy* policy_for(const wire::Name& name) const;

    // What the zone of `owner` sets of the cache's lifetimes.
    cache::TtlOverride ttl_for(const wire::Name& owner) const;
    bool prefetch_for(const wire::Name& name, bool global) const;
    bool serve_stale_for(const wire::Name& name, bool global) const;
    std::chrono::milliseconds stale_recheck_for(const wire::Name& name,
                                                std::chrono::milliseconds global) const;

    bool empty() const { return zones_.empty(); }

private:
    ZoneMap<ZonePolicy> zones_;
};

}  // namespace cairn::policy
