// The shared RRset cache: one entry per (owner, type, class), with its
// covering RRSIGs, its trust rank and its DNSSEC status.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "cache/cache_options.h"
#include "cache/cache_selection.h"
#include "cache/clock.h"
#include "cache/security.h"
#include "wire/edns.h"
#include "wire/rrset.h"

namespace cairn::cache {

struct CachedRRset {
    wire::RRset rrset;                    // ttl: seconds left (decremented), at least 0
    std::vector<wire::RData> signatures;  // RRSIG RDATA covering the RRset
    Trust trust = Trust::kAdditional;
    Security security = Security::kIndeterminate;
    // The Extended DNS Error validation concluded with: for kBogus, why;
    // for kInsecure, an optional note (unsupported algorithm or digest,
    // NSEC3 iterations).
    std::optional<wire::ExtendedErrorCode> reason;
    // For a wildcard expansion: the NSEC/NSEC3 records (and their RRSIGs)
    // proving the name itself does not exist (RFC 4035 §3.1.3.3).
    std::vector<wire::Record> proof;
    uint32_t original_ttl = 0;  // TTL when stored (after min/max clamping)
    int64_t expires = 0;        // wall-clock second of expiry
    uint32_t hits = 0;          // live lookups of this entry, this one included (prefetch)
};

// Thread-safe: sharded by name hash, each shard's lock held only for the
// lookup or insert itself. Bounded by an approximately-LRU eviction.
class RRsetCache {
public:
    RRsetCache(const CacheOptions& options, size_t max_bytes, const Clock& clock);
    ~RRsetCache();
    RRsetCache(const RRsetCache&) = delete;
    RRsetCache& operator=(const RRsetCache&) = delete;

    struct Stored {
        bool stored = false;   // false: live data of higher trust was kept
        bool renewed = false;  // byte-for-byte the Secure data already cached: still Secure
        explicit operator bool() const { return stored; }
    };

    // Stores `rrset` (TTL clamped to [min_ttl, max_ttl], and never past its
    // RRSIGs' expiration) unless the cache holds an unexpired entry of
    // higher trust (RFC 2181 §5.4.1). When the RRset and its RRSIGs are
    // identical to a Secure entry, it stays Secure without validating
    // again: the signatures are the zone's change marker.
    // `zone` overrides the lifetimes of the options for this RRset.
    Stored insert(const wire::RRset& rrset, std::span<const wire::RData> signatures, Trust trust,
                  Security security, std::span<const wire::Record> proof = {},
                  const TtlOverride& zone = {});

    // A received TTL as the cache keeps it: [min_ttl, max_ttl] (the zone's
    // where it sets them), and zero for a TTL with the top bit set
    // (RFC 2181 §8).
    uint32_t clamp_ttl(uint32_t received, const TtlOverride& zone = {}) const;

    // Records what validation concluded about the cached `rrset` with
    // `signatures` (if the entry still holds that data and those RRSIGs):
    // Secure data rises to Trust::kValidated, and the entry expires no
    // later than `ttl_cap` seconds from now.
    void set_security(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                      Security security, std::optional<wire::ExtendedErrorCode> reason,
                      uint32_t ttl_cap);
    // Whether a live entry holds `rrset` with exactly `signatures` and was
    // validated Secure: those signatures need not be checked again. Unlike
    // lookup() it copies nothing and counts no hit.
    bool holds_secure(const wire::RRset& rrset, std::span<const wire::RData> signatures) const;

    // The live entry for (owner, type, class), TTL decremented; nullopt if
    // absent or expired. Counts a hit: for a client's question.
    std::optional<CachedRRset> lookup(const wire::Name& owner, wire::RRType type,
                                      wire::RRClass rclass = wire::RRClass::IN) const;
    // The same for the resolver's own use (delegations, server addresses,
    // keys): no hit counted, so that only clients make an RRset popular
    // enough to prefetch.
    std::optional<CachedRRset> peek(const wire::Name& owner, wire::RRType type,
                                    wire::RRClass rclass = wire::RRClass::IN) const;

    // Serve-stale (RFC 8767): the entry if it has expired less than
    // `stale_max` ago (and its RRSIGs have not), with TTL 0.
    std::optional<CachedRRset> lookup_stale(const wire::Name& owner, wire::RRType type,
                                            wire::RRClass rclass = wire::RRClass::IN) const;

    void erase(const wire::Name& owner, wire::RRType type,
               wire::RRClass rclass = wire::RRClass::IN);
    // Removes every entry, live or stale, that `which` selects, taking one
    // shard's lock at a time (only the name's shard for a single name).
    // Returns how many went.
    size_t erase(const CacheSelection& which);
    void clear();

    // Calls `visit` with a copy of every live entry, TTL decremented, one
    // shard at a time: a shard's lock is held only while its live entries
    // are copied, and `visit` runs outside every lock, so a dump of the
    // whole cache never holds up lookups for long. Counts no hit.
    void for_each_live(const std::function<void(const CachedRRset&)>& visit) const;

    size_t entries() const;
    size_t memory_used() const;  // accounted bytes
    uint64_t evictions() const;

private:
    struct Shard;
    Shard& shard_for(const wire::Name& owner) const;
    std::optional<CachedRRset> find(const wire::Name& owner, wire::RRType type,
                                    wire::RRClass rclass, bool count_hit) const;

    const CacheOptions options_;
    const Clock& clock_;
    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cairn::cache
