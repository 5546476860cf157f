// What validation concluded about each zone's keys: the validated DNSKEY set
// of a secure zone, or that the zone is insecure or its keys bogus. A zone's
// keys are then proven once per TTL, not once per answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cache/clock.h"
#include "cache/security.h"
#include "cache/verdict.h"
#include "dnssec/key_set.h"
#include "wire/edns.h"
#include "wire/rrset.h"

namespace cairn::cache {

// Thread-safe (one lock: it is consulted only on the validation path, never
// on cache hits) and bounded with LRU eviction.
class KeyCache {
public:
    KeyCache(size_t max_bytes, const Clock& clock);
    ~KeyCache();
    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;

    void insert(const wire::Name& zone, Verdict keys, uint32_t ttl);
    // The zone's keys, with Verdict::held set while a hold lasts.
    std::optional<Verdict> lookup(const wire::Name& zone) const;
    // Marks the keys of `zone` held for `seconds` (dnssec-limit-hold), also
    // across their next insert; nothing if they are not cached. `crowded`:
    // the zone's validated DNSKEY set has more keys sharing one tag than may
    // be tried, which no honest zone has and no forger can fake.
    void hold(const wire::Name& zone, uint32_t seconds, bool crowded);
    // The zone at or above `name` held as crowded right now, if any. Without
    // such a hold anywhere lately, one atomic load and no lock.
    std::optional<wire::Name> crowded_zone_of(const wire::Name& name) const;

    void clear();
    size_t entries() const;
    size_t memory_used() const;

private:
    struct State;
    const Clock& clock_;
    std::unique_ptr<State> state_;
    // When the last crowded hold ends: none is in force after it.
    std::atomic<int64_t> crowded_until_{0};
};

}  // namespace cairn::cache
