// Iterative resolution of one exact question: from the closest known zone
// cut down to the servers that are authoritative for the answer.
#pragma once

#include <asio/awaitable.hpp>
#include <optional>

#include "cache/caches.h"
#include "policy/local_root.h"
#include "resolve/delegation.h"
#include "resolve/early_key_fetches.h"
#include "resolve/lookup_result.h"
#include "resolve/resolver_metrics.h"
#include "resolve/resolver_options.h"
#include "resolve/root_hints.h"
#include "resolve/server_selector.h"
#include "resolve/upstream.h"

namespace cairn::resolve {

// Everything a worker's resolver shares between its requests.
struct ResolverContext {
    const ResolverOptions& options;
    const RootHints& hints;
    cache::Caches& caches;
    Upstream& upstream;
    const cache::Clock& clock;
    const cache::MonotonicClock& monotonic;
    ResolverMetrics& metrics;
    ServerSelector& selector;
    // DNSKEY fetches under way, by zone (Iterator::fetch_keys_early): the
    // validator waits for one rather than asking again.
    EarlyKeyFetches& key_fetches;
    // The local copy of the root zone (RFC 8806), asked before the root
    // servers; null when `local-root` is off.
    const policy::LocalRoot* local_root = nullptr;
};

class Iterator {
public:
    Iterator(ResolverContext& context, RequestBudget& budget) : ctx_(context), budget_(budget) {}

    // Resolves `question` upstream, caching what it learns on the way
    // (delegations, glue, proofs) but not the answer, which it returns.
    asio::awaitable<LookupResult> lookup(const wire::Question& question);

    // Before the first client asks (issue 18): up to kRootProbes root
    // servers are asked for the root's NS set at once, so that their round
    // trips are known and the nearest is asked from the first question on;
    // then priming (RFC 8109) as a first question would do it.
    asio::awaitable<void> prime_root();
    static constexpr size_t kRootProbes = 4;

    // What the DNSKEY fetch of `zone` started by fetch_keys_early found,
    // waiting for it if it is under way; nullopt if there is none, or its
    // result was taken already.
    static asio::awaitable<std::optional<LookupResult>> take_early_keys(ResolverContext& context,
                                                                        const wire::Name& zone);

private:
    struct ZoneReply {
        UpstreamReply reply;
        Classification classification;
        wire::IpAddress server;
    };
    // What one round of asking a zone's servers came to.
    struct ZoneAttempt;

    asio::awaitable<std::optional<Delegation>> closest_delegation(const wire::Name& name);
    // Forward and stub zones (forwarding.cc). The answer of the forwarders
    // of the forward zone of `start`, or their failure; nullopt when `start`
    // is not forwarded, or its forwarders failed and iteration may take over.
    asio::awaitable<std::optional<LookupResult>> forward_lookup(const wire::Question& question,
                                                                const wire::Name& start);
    std::optional<policy::ForwardZones::Match> stub_zone_of(const wire::Name& name) const;
    static Delegation configured_delegation(const policy::ForwardZones::Match& zone);
    asio::awaitable<Delegation> root_delegation();
    Delegation delegation_from_cache(const wire::Name& zone, const wire::RRset& ns) const;
    Delegation delegation_from_hints() const;
    Delegation delegation_from_referral(const wire::Message& response,
                                        const wire::Name& child) const;
    void add_cached_addresses(NameServer& server) const;

    // Asks the servers of `delegation` until one gives a usable response.
    // `shortened`: the question is a QNAME-minimised step, not the target.
    asio::awaitable<std::optional<ZoneReply>> query_zone(Delegation& delegation,
                                                         const wire::Question& question,
                                                         bool shortened, LookupResult& failure);
    // The local root copy's response to `question`, taken as a root
    // server's; nullopt when there is no valid copy or it cannot answer.
    std::optional<ZoneReply> ask_local_root(const Delegation& delegation,
                                            const wire::Question& question);
    // One exchange with `address`; a reply only if it is usable.
    asio::awaitable<std::optional<ZoneReply>> ask_server(const Delegation& delegation,
                                                         const wire::IpAddress& address,
                                                         const wire::Question& question,
                                                         bool shortened, ZoneAttempt& attempt);
    // More addresses for `delegation` once those known are used up: the
    // next glueless name server, else the parent's glue (for server
    // addresses expired from the cache, or published wrongly by the zone).
    asio::awaitable<bool> find_more_addresses(Delegation& delegation);
    // The cache holds an NXDOMAIN for `name`.
    bool cached_nxdomain(const wire::Name& name) const;
    // Looks up the address of one more glueless name server; false when
    // there is none left to try (or the NXNS budget is spent).
    asio::awaitable<bool> resolve_next_glueless(Delegation& delegation);
    std::optional<wire::Name> next_glueless(Delegation& delegation) const;
    asio::awaitable<std::vector<wire::IpAddress>> addresses_of(const wire::Name& ns_name);
    asio::awaitable<bool> addresses_from_parent(Delegation& delegation);

    // The RRsets of one section of `response`, with their signatures.
    std::vector<SignedRRset> signed_rrsets(const wire::Message& response,
                                           const std::vector<wire::Record>& records,
                                           cache::Trust trust, const Classification& c,
                                           const Delegation& delegation) const;
    // Caches what `response` teaches on the way (delegations, glue,
    // proofs); its answer section too unless `with_answers` is false (the
    // final answer, which the lookup returns instead).
    void cache_response(const wire::Message& response, const Classification& c,
                        const Delegation& delegation, bool with_answers = true);
    // A signed referral to an unsigned child carries the proof that the
    // child has no DS (RFC 4035 §3.1.4): cached, so validation need not ask.
    void cache_referral_denial(const wire::Message& response, const wire::Name& child);
    // The records of a NXDOMAIN/NODATA answer that prove it (SOA with the
    // negative TTL, NSEC/NSEC3, signatures), into `result`.
    static void negative_result(const wire::Message& response, LookupResult& result);
    // The cache already shows `step` (a QNAME-minimised question) has an
    // answer or NODATA, so no zone cut hides there.
    bool known_no_cut(const wire::Question& step) const;
    // The answer to `question` in `response`, not cached: the resolver
    // validates and stores it.
    LookupResult final_result(const wire::Message& response, const wire::Question& question,
                              const Classification& c, const Delegation& delegation);
    std::optional<LookupResult> budget_exceeded();
    // Starts fetching the DNSKEY set of `zone` in the background, beside
    // the question about to be asked there, when the zone is signed (an
    // anchor, or a DS came with its referral) and its keys are neither
    // cached nor already being fetched: validation of the answer then
    // need not wait one more round trip per zone of the chain.
    bool zone_signed(const wire::Name& zone) const;
    void fetch_keys_early(const wire::Name& zone, const wire::Question& question,
                          const asio::any_io_executor& executor);
    // Records one exchange in the request's trace, if it has one.
    void trace_exchange(const Delegation& delegation, const UpstreamQuery& query,
                        const UpstreamReply& reply, bool shortened, trace::Outcome outcome,
                        const wire::Name& referral = {}) const;

    ResolverContext& ctx_;
    RequestBudget& budget_;
};

}  // namespace cairn::resolve
