// The iterative resolver: walks from the root hints (or the closest cached
// delegation) to an answer, caching what it learns.
#pragma once

#include <memory>

#include "cache/caches.h"
#include "policy/local_root.h"
#include "resolve/joined_upstream.h"
#include "resolve/random.h"
#include "resolve/resolver.h"
#include "resolve/resolver_metrics.h"
#include "resolve/resolver_options.h"
#include "resolve/root_hints.h"
#include "resolve/upstream.h"

namespace cairn::resolve {

// One per worker thread: it keeps that worker's in-flight table, so it must
// only be used from the worker's event loop. The caches are shared.
class RecursiveResolver final : public Resolver {
public:
    RecursiveResolver(const ResolverOptions& options, const RootHints& hints, cache::Caches& caches,
                      Upstream& upstream, const cache::Clock& clock);
    // With the monotonic clock and the random source given (tests).
    RecursiveResolver(const ResolverOptions& options, const RootHints& hints, cache::Caches& caches,
                      Upstream& upstream, const cache::Clock& clock,
                      const cache::MonotonicClock& monotonic, Random& random);
    ~RecursiveResolver() override;

    asio::awaitable<Answer> resolve(ClientQuery query) override;
    asio::awaitable<Answer> resolve_traced(ClientQuery query, Trace& trace) override;
    void share_work_slots(WorkSlots& slots) override;
    // Queries to the servers in flight on other workers' resolvers that
    // share `joins` are joined, not sent again (call before the first
    // question).
    void share_upstream_joins(std::shared_ptr<UpstreamJoins> joins);
    // Root priming with probes of several root servers (Iterator::prime_root),
    // then the root's validated DNSKEY set, unless the caches have both.
    asio::awaitable<void> warm_up() override;
    // Questions for the root servers go to `root` first (RFC 8806); it
    // must outlive the resolver.
    void use_local_root(const policy::LocalRoot& root);

    const ResolverMetrics& metrics() const;

private:
    struct State;
    // The random source when none is given: one per resolver, as the
    // resolver is one per worker.
    std::unique_ptr<Random> own_random_;
    std::unique_ptr<State> state_;
};

}  // namespace cairn::resolve
