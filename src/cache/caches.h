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

struct Caches {
    // Of `options.max_bytes`: half to RRsets and zone keys (a 64th), a
    // quarter to negative answers and validated NSEC/NSEC3 records (a
    // 16th); the last quarter is left for the per-worker packet caches.
    Caches(const CacheOptions& options, const Clock& clock)
        : rrsets(options, options.max_bytes / 2 - options.max_bytes / 64, clock),
          negatives(options, options.max_bytes / 4 - options.max_bytes / 16, clock),
          keys(options.max_bytes / 64, clock),
          denials(options.max_bytes / 16, options.shards, clock) {}

    RRsetCache rrsets;
    NegativeCache negatives;
    KeyCache keys;
    DenialIndex denials;
    InfraCache infra;
};

// Packet cache budget of one worker out of `workers`.
inline size_t packet_cache_bytes(const CacheOptions& options, unsigned workers) {
    return options.max_bytes / 4 / (workers == 0 ? 1 : workers);
}

}  // namespace cairn::cache
