// Cached NXDOMAIN and NODATA answers (RFC 2308).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "cache/cache_options.h"
#include "cache/cache_selection.h"
#include "cache/clock.h"
#include "cache/security.h"
#include "wire/edns.h"
#include "wire/record.h"

namespace cairn::cache {

struct NegativeEntry {
    wire::Rcode rcode = wire::Rcode::NXDOMAIN;  // NXDOMAIN, or NOERROR for NODATA
    wire::Name name;                            // the name that does not exist / has no data
    wire::RRType type = wire::RRType::A;        // for NODATA: the type that is absent
    // What proves it, to put in the authority section: the SOA (with its
    // TTL already the negative TTL) and any NSEC/NSEC3/RRSIG records. TTLs
    // are decremented on lookup.
    std::vector<wire::Record> authority;
    Security security = Security::kIndeterminate;
    std::optional<wire::ExtendedErrorCode> reason;  // as in CachedRRset
    uint32_t ttl = 0;                               // seconds left
    int64_t expires = 0;
};

// Thread-safe and sharded like RRsetCache; bounded with LRU-ish eviction.
class NegativeCache {
public:
    NegativeCache(const CacheOptions& options, size_t max_bytes, const Clock& clock);
    ~NegativeCache();
    NegativeCache(const NegativeCache&) = delete;
    NegativeCache& operator=(const NegativeCache&) = delete;

    // `ttl` is the negative TTL the resolver worked out (RFC 2308 §5:
    // min(SOA TTL, SOA MINIMUM)); it is capped at max_negative_ttl. An
    // NXDOMAIN entry covers every type of the name. `zone` may lower the cap
    // (its max_ttl) and sets how long the entry stays for serve-stale.
    void insert(wire::Rcode rcode, const wire::Name& name, wire::RRType type,
                std::vector<wire::Record> authority, uint32_t ttl, Security security,
                const TtlOverride& zone = {});

    // Records what validation concluded about the entry for exactly
    // (rcode, name, type); it expires no later than `ttl_cap` from now.
    void set_security(wire::Rcode rcode, const wire::Name& name, wire::RRType type,
                      Security security, std::optional<wire::ExtendedErrorCode> reason,
                      uint32_t ttl_cap);

    // NXDOMAIN for `name`, or for an ancestor of it (RFC 8020: nothing
    // exists below a name that does not exist), or NODATA for (name, type).
    std::optional<NegativeEntry> lookup(const wire::Name& name, wire::RRType type) const;

    // Serve-stale (RFC 8767): the entry for exactly (name, type), or the
    // NXDOMAIN of `name`, if it expired less than `stale_max` ago (and its
    // RRSIGs have not); TTLs 0.
    std::optional<NegativeEntry> lookup_stale(const wire::Name& name, wire::RRType type) const;

    // Removes every entry, live or stale, that `which` selects, one shard's
    // lock at a time. A NXDOMAIN answers every type of its name, so a
    // selection of one type takes it too. Returns how many went.
    size_t erase(const CacheSelection& which);
    void clear();

    // As RRsetCache::for_each_live: a copy of every live entry, TTLs
    // decremented, `visit` called outside every lock. Counts no hit.
    void for_each_live(const std::function<void(const NegativeEntry&)>& visit) const;

    size_t entries() const;
    size_t memory_used() const;
    uint64_t evictions() const;

private:
    struct Shard;
    Shard& shard_for(const wire::Name& name) const;

    const CacheOptions options_;
    const Clock& clock_;
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cairn::cache
