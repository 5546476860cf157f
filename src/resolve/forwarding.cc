// The iterator's part of forward and stub zones (policy/forward_zones.h):
// the delegation made of configured servers, and asking forwarders.
#include "resolve/iterator.h"

namespace cairn::resolve {

Delegation Iterator::configured_delegation(const policy::ForwardZones::Match& zone) {
    using Kind = policy::ConfiguredServers::Kind;
    Delegation d;
    d.zone = zone.zone;
    d.configured = zone.servers.servers;
    d.forward = zone.servers.kind == Kind::kForward;
    d.tls_name = zone.servers.tls_name;
    // What the parent says does not replace what the operator configured.
    d.parent_asked = true;
    // One server per address, named as the zone: in the zone, so no
    // address lookup is ever tried for it.
    for (const auto& server : zone.servers.servers)
        d.servers.push_back({zone.zone, {server.address}, true});
    return d;
}

std::optional<policy::ForwardZones::Match> Iterator::stub_zone_of(const wire::Name& name) const {
    const auto& zones = ctx_.options.forward_zones;
    if (!zones) return std::nullopt;
    return zones->stub_for(name);
}

asio::awaitable<std::optional<LookupResult>> Iterator::forward_lookup(
    const wire::Question& question, const wire::Name& start) {
    const auto& zones = ctx_.options.forward_zones;
    if (!zones) co_return std::nullopt;
    const auto zone = zones->forward_for(start);
    if (!zone) co_return std::nullopt;
    auto delegation = configured_delegation(*zone);
    note(budget_.trace, [&] { return trace::Start{delegation.zone, true}; });
    LookupResult failure;
    auto reply = co_await query_zone(delegation, question, false, failure);
    if (!reply) {
        ++ctx_.metrics.forward_failures;
        // `first`: the forwarders failed, iteration takes over (unless the
        // request has no budget left for it).
        if (zone->servers.first && failure.cause != FailureCause::kLimit) co_return std::nullopt;
        co_return failure;
    }
    cache_response(reply->reply.message, reply->classification, delegation, false);
    auto result = final_result(reply->reply.message, question, reply->classification, delegation);
    result.zone = delegation.zone;
    result.server = reply->server;
    co_return result;
}

}  // namespace cairn::resolve
