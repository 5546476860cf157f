#include "policy/zone_policy.h"

namespace cairn::policy {

ZonePolicies::ZonePolicies(std::span<const ZonePolicy> entries) {
    for (const ZonePolicy& entry : entries)
        zones_.insert(entry.name, entry);
}

const ZonePolicy* ZonePolicies::policy_for(const wire::Name& name) const {
    if (zones_.empty()) return nullptr;
    const auto match = zones_.closest(name);
    return match ? &match->value : nullptr;
}

cache::TtlOverride ZonePolicies::ttl_for(const wire::Name& owner) const {
    const ZonePolicy* zone = policy_for(owner);
    if (zone == nullptr) return {};
    return {zone->cache_min_ttl, zone->cache_max_ttl, zone->stale_max};
}

bool ZonePolicies::prefetch_for(const wire::Name& name, bool global) const {
    const ZonePolicy* zone = policy_for(name);
    return zone != nullptr ? zone->prefetch.value_or(global) : global;
}

bool ZonePolicies::serve_stale_for(const wire::Name& name, bool global) const {
    const ZonePolicy* zone = policy_for(name);
    return zone != nullptr ? zone->serve_stale.value_or(global) : global;
}

std::chrono::milliseconds ZonePolicies::stale_recheck_for(const wire::Name& name,
                                                          std::chrono::milliseconds global) const {
    const ZonePolicy* zone = policy_for(name);
    return zone != nullptr ? zone->stale_recheck_interval.value_or(global) : global;
}

}  // namespace cairn::policy
