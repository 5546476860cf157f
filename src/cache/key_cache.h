// What validation concluded about each zone's keys: the validated DNSKEY set
// of a secure zone, or that the zone is insecure or its keys bogus. A zone's
// keys are then proven once per TTL, not once per answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cache/cache_selection.h"
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
    // across their next insert; nothing if they are not cached.
    void hold(const wire::Name& zone, uint32_t seconds);
    // Remembers for `seconds` that expansions of the wildcard `*.<parent>`
    // for `type` exhausted the validation limits (a KeyTrap flood of new
    // names, all answered from one wildcard). At most kMaxHeldWildcards.
    void hold_wildcard(const wire::Name& parent, wire::RRType type, uint32_t seconds);
    // The parent of a held wildcard at or above `name` for `type`, if any.
    // Without a wildcard held lately, one atomic load and no lock.
    std::optional<wire::Name> held_wildcard_over(const wire::Name& name, wire::RRType type) const;
    static constexpr size_t kMaxHeldWildcards = 64;

    // Forgets the keys of the zones `which` selects by name (and, with
    // bogus_only, only keys found bogus); its type is not looked at.
    // Returns how many zones went.
    size_t erase(const CacheSelection& which);
    void clear();
    size_t entries() const;
    size_t memory_used() const;

private:
    struct State;
    const Clock& clock_;
    std::unique_ptr<State> state_;
    // When the last wildcard hold ends: none is in force after it.
    std::atomic<int64_t> wildcards_until_{0};
};

}  // namespace cairn::cache
