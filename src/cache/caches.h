// The caches shared by all worker threads, sized from one memory budget.
#pragma once

#include "cache/cache_options.h"
#include "cache/clock.h"
#include "cache/denial_index.h"
#include "cache/infra_cache.h"
#include "cache/key_cache.h"
#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"

namespace cairn::cache {

// How `cache-size` is shared out, in 64ths. Everything the resolver keeps
// per name, zone or server lives in one of these, each bounded by its share,
// so together they never account for more than `cache-size`. README.md and
// the cache-size help text repeat this table: keep them in step.
struct CacheBudget {
    size_t rrsets;     // 31/64: records, with their signatures
    size_t negatives;  // 10/64: NXDOMAIN and NODATA answers
    size_t packets;    // 16/64: whole answers, divided among the workers
    size_t denials;    //  4/64: validated NSEC/NSEC3 records (RFC 8198)
    size_t infra;      //  2/64: per-server RTT, EDNS, lameness, cookies
    size_t keys;       //  1/64: validated zone keys

    static constexpr CacheBudget of(size_t max_bytes) {
        const size_t part = max_bytes / 64;
        return {.rrsets = 31 * part,
                .negatives = 10 * part,
                .packets = 16 * part,
                .denials = 4 * part,
                .infra = 2 * part,
                .keys = part};
    }
    constexpr size_t total() const { return rrsets + negatives + packets + denials + infra + keys; }
};

struct Caches {
    Caches(const CacheOptions& options, const Clock& clock)
        : Caches(options, CacheBudget::of(options.max_bytes), clock) {}

    RRsetCache rrsets;
    NegativeCache negatives;
    KeyCache keys;
    DenialIndex denials;
    InfraCache infra;

    // Accounted bytes of the shared caches (the packet caches are the
    // workers' own).
    size_t memory_used() const {
        return rrsets.memory_used() + negatives.memory_used() + keys.memory_used() +
               denials.memory_used() + infra.memory_used();
    }

private:
    Caches(const CacheOptions& options, const CacheBudget& budget, const Clock& clock)
        : rrsets(options, budget.rrsets, clock),
          negatives(options, budget.negatives, clock),
          keys(budget.keys, clock),
          denials(budget.denials, options.shards, clock),
          infra(budget.infra) {}
};

// Packet cache budget of one worker out of `workers`.
inline size_t packet_cache_bytes(const CacheOptions& options, unsigned workers) {
    return CacheBudget::of(options.max_bytes).packets / (workers == 0 ? 1 : workers);
}

}  // namespace cairn::cache
