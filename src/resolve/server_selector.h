// Chooses which address of a delegation to ask next (Knot Resolver's
// lib/selection.c is the model: a unit of its own).
#pragma once

#include <optional>
#include <random>
#include <vector>

#include "cache/infra_cache.h"
#include "resolve/delegation.h"
#include "resolve/resolver_options.h"

namespace cairn::resolve {

class ServerSelector {
public:
    ServerSelector(const ResolverOptions& options, cache::InfraCache& infra);

    // The best address not yet in `tried`: allowed by family and
    // upstream-deny, not lame for the zone; servers not backed off first,
    // then the lowest expected timeout (known fast < unknown < recently
    // timed out), ties broken at random so load spreads. nullopt when none
    // is left.
    std::optional<wire::IpAddress> choose(const Delegation& delegation,
                                          const std::vector<wire::IpAddress>& tried,
                                          cache::MonotonicTime now);

    // Whether Cairn may send queries to `address` at all.
    bool permitted(const wire::IpAddress& address) const;

private:
    const ResolverOptions& options_;
    cache::InfraCache& infra_;
    std::minstd_rand random_;
};

}  // namespace cairn::resolve
