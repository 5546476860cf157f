// Chooses which address of a delegation to ask next (Knot Resolver's
// lib/selection.c is the model: a unit of its own).
#pragma once

#include <optional>
#include <vector>

#include "cache/infra_cache.h"
#include "resolve/delegation.h"
#include "resolve/random.h"
#include "resolve/resolver_options.h"

namespace cairn::resolve {

class ServerSelector {
public:
    // One query in `kExploreOneIn` goes to a server other than the best,
    // so that the RTT estimates of the others stay fresh.
    static constexpr uint32_t kExploreOneIn = 20;

    ServerSelector(const ResolverOptions& options, cache::InfraCache& infra, Random& random);

    // The best address not yet in `tried`: allowed by family and
    // upstream-deny, not lame for the zone; servers not backed off first,
    // then the lowest expected timeout (known fast < unknown < recently
    // timed out), ties broken at random so load spreads. About one time in
    // kExploreOneIn, another usable address instead, if one has not timed
    // out lately.
    // nullopt when none is left.
    std::optional<wire::IpAddress> choose(const Delegation& delegation,
                                          const std::vector<wire::IpAddress>& tried,
                                          cache::MonotonicTime now);

    // Whether Cairn may send queries to `address` at all.
    bool permitted(const wire::IpAddress& address) const;

private:
    struct Candidate {
        wire::IpAddress address;
        std::chrono::milliseconds timeout;
        bool backed_off;
    };
    std::vector<Candidate> candidates(const Delegation& delegation,
                                      const std::vector<wire::IpAddress>& tried,
                                      cache::MonotonicTime now) const;

    const ResolverOptions& options_;
    cache::InfraCache& infra_;
    Random& random_;
};

}  // namespace cairn::resolve
