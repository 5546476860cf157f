#include "policy/rpz_set.h"

#include <algorithm>
#include <cstdint>

namespace cairn::policy {

RpzSet::RpzSet(std::vector<std::shared_ptr<const RpzZone>> zones) : zones_(std::move(zones)) {
    for (size_t i = zones_.size(); i-- > 0;)
        if (zones_[i]->has_response_triggers()) first_response_zone_ = i;
    for (const auto& zone : zones_)
        nameserver_triggers_ = nameserver_triggers_ || zone->has_nameserver_triggers();
}

RpzHit RpzSet::hit(size_t index, const RpzRule& rule, RpzTrigger trigger) const {
    const RpzZone& zone = *zones_[index];
    return RpzHit{index,
                  &zone,
                  &rule,
                  trigger,
                  zone.action_of(rule),
                  zone.settings().override == RpzOverride::kDisabled};
}

std::optional<RpzHit> RpzSet::check_query(const wire::IpAddress& client, const wire::Name& qname,
                                          size_t from) const {
    for (size_t i = from; i < zones_.size(); ++i) {
        const RpzZone& zone = *zones_[i];
        if (const RpzRule* rule = zone.match_client_ip(client))
            return hit(i, *rule, RpzTrigger::kClientIp);
        if (const RpzRule* rule = zone.match_qname(qname)) return hit(i, *rule, RpzTrigger::kQname);
    }
    return std::nullopt;
}

std::optional<RpzHit> RpzSet::check_name(const wire::Name& name, size_t from, size_t until) const {
    for (size_t i = from; i < std::min(until, zones_.size()); ++i)
        if (const RpzRule* rule = zones_[i]->match_qname(name))
            return hit(i, *rule, RpzTrigger::kQname);
    return std::nullopt;
}

std::optional<RpzHit> RpzSet::check_response(const RpzResponseFacts& facts, size_t from,
                                             size_t until) const {
    for (size_t i = from; i < std::min(until, zones_.size()); ++i) {
        if (!zones_[i]->has_response_triggers()) continue;
        if (auto found = check_response_in(i, facts)) return found;
    }
    return std::nullopt;
}

std::optional<RpzHit> RpzSet::check_response_in(size_t index, const RpzResponseFacts& facts) const {
    const RpzZone& zone = *zones_[index];
    // Among the answer's addresses, the longest prefix is the most specific.
    const RpzRule* best = nullptr;
    int best_length = -1;
    for (const auto& address : facts.addresses) {
        const auto length = zone.response_ip_length(address);
        if (length && *length > best_length) {
            best = zone.match_response_ip(address);
            best_length = *length;
        }
    }
    if (best) return hit(index, *best, RpzTrigger::kResponseIp);
    for (const auto& ns : facts.ns_names)
        if (const RpzRule* rule = zone.match_nsdname(ns))
            return hit(index, *rule, RpzTrigger::kNsdname);
    for (const auto& address : facts.ns_addresses)
        if (const RpzRule* rule = zone.match_nsip(address))
            return hit(index, *rule, RpzTrigger::kNsip);
    return std::nullopt;
}

}  // namespace cairn::policy
