#include "resolve/server_selector.h"

#include <algorithm>

namespace cairn::resolve {

ServerSelector::ServerSelector(const ResolverOptions& options, cache::InfraCache& infra)
    : options_(options), infra_(infra), random_(std::random_device{}()) {}

bool ServerSelector::permitted(const wire::IpAddress& address) const {
    if (address.is_v4() && !options_.upstream_ipv4) return false;
    if (!address.is_v4() && !options_.upstream_ipv6) return false;
    return std::none_of(options_.upstream_deny.begin(), options_.upstream_deny.end(),
                        [&](const wire::IpPrefix& p) { return p.contains(address); });
}

std::optional<wire::IpAddress> ServerSelector::choose(const Delegation& delegation,
                                                      const std::vector<wire::IpAddress>& tried,
                                                      cache::MonotonicTime now) {
    std::optional<wire::IpAddress> best;
    std::chrono::milliseconds best_timeout{};
    bool best_backed_off = true;
    unsigned ties = 0;
    for (const auto& server : delegation.servers) {
        for (const auto& address : server.addresses) {
            if (!permitted(address)) continue;
            if (std::find(tried.begin(), tried.end(), address) != tried.end()) continue;
            if (infra_.lame(address, delegation.zone, now)) continue;
            // A backed-off server is only a last resort: better to probe it
            // than to give up on a zone whose every server had trouble.
            const bool backed_off = infra_.backed_off(address, now);
            const auto timeout = infra_.timeout(address, options_.initial_timeout);
            const bool better = !best || (best_backed_off && !backed_off) ||
                                (backed_off == best_backed_off && timeout < best_timeout);
            if (better) {
                best = address;
                best_timeout = timeout;
                best_backed_off = backed_off;
                ties = 1;
            } else if (backed_off == best_backed_off && timeout == best_timeout &&
                       random_() % ++ties == 0) {
                // Reservoir choice among equals: each is picked with 1/ties.
                best = address;
            }
        }
    }
    return best;
}

}  // namespace cairn::resolve
