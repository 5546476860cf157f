#include "resolve/server_selector.h"

#include <algorithm>

namespace cairn::resolve {

ServerSelector::ServerSelector(const ResolverOptions& options, cache::InfraCache& infra,
                               Random& random)
    : options_(options), infra_(infra), random_(random) {}

bool ServerSelector::permitted(const wire::IpAddress& address) const {
    if (address.is_v4() && !options_.upstream_ipv4) return false;
    if (!address.is_v4() && !options_.upstream_ipv6) return false;
    return std::none_of(options_.upstream_deny.begin(), options_.upstream_deny.end(),
                        [&](const wire::IpPrefix& p) { return p.contains(address); });
}

std::vector<ServerSelector::Candidate> ServerSelector::candidates(
    const Delegation& delegation, const std::vector<wire::IpAddress>& tried,
    cache::MonotonicTime now) const {
    std::vector<Candidate> out;
    for (const auto& server : delegation.servers)
        for (const auto& address : server.addresses) {
            if (delegation.configured.empty() && !permitted(address)) continue;
            if (std::find(tried.begin(), tried.end(), address) != tried.end()) continue;
            if (infra_.lame(address, delegation.zone, now)) continue;
            if (std::any_of(out.begin(), out.end(),
                            [&](const Candidate& c) { return c.address == address; }))
                continue;
            out.push_back({address, infra_.timeout(address, options_.initial_timeout),
                           infra_.backed_off(address, now)});
        }
    return out;
}

std::optional<wire::IpAddress> ServerSelector::choose(const Delegation& delegation,
                                                      const std::vector<wire::IpAddress>& tried,
                                                      cache::MonotonicTime now) {
    const auto all = candidates(delegation, tried, now);
    if (all.empty()) return std::nullopt;
    // A backed-off server is only a last resort: better to probe it than to
    // give up on a zone whose every server had trouble.
    auto better = [](const Candidate& a, const Candidate& b) {
        if (a.backed_off != b.backed_off) return !a.backed_off;
        return a.timeout < b.timeout;
    };
    const auto best = std::min_element(all.begin(), all.end(), better);
    std::vector<const Candidate*> pool;
    const bool explore = all.size() > 1 && random_.below(kExploreOneIn) == 0;
    for (const auto& c : all) {
        const bool equal = !better(c, *best) && !better(*best, c);
        // Exploring refreshes estimates of servers that answer; one that
        // timed out lately (its timeout above the initial one) is left to
        // the back-off to probe.
        const bool explorable =
            &c != &*best && !c.backed_off && c.timeout <= options_.initial_timeout;
        if (explore ? explorable : equal) pool.push_back(&c);
    }
    if (pool.empty()) return best->address;
    // Among equals (or among the others, when exploring), each is as likely.
    return pool[random_.below(static_cast<uint32_t>(pool.size()))]->address;
}

}  // namespace cairn::resolve
