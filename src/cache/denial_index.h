// The validated NSEC and NSEC3 records of signed zones, in chain order, and
// each zone's validated SOA: what aggressive use of the validated cache
// (RFC 8198) needs to deny a name from a span already proven, without
// asking the zone again.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "cache/clock.h"
#include "wire/record.h"

namespace cairn::cache {

// One record as the index holds it. Immutable once stored and shared with
// readers, so a lookup copies a pointer, never the record, and a record
// evicted while a reader holds it stays valid for that reader.
struct IndexedRecord {
    wire::Record record;                  // NSEC, NSEC3 or SOA; TTL as stored (capped)
    std::vector<wire::RData> signatures;  // RRSIG RDATA over it
    int64_t expires = 0;                  // wall-clock second
};
using IndexedRef = std::shared_ptr<const IndexedRecord>;

// SHA-1, the only NSEC3 hash algorithm (RFC 5155 §11): the index keeps
// records of no other.
using Nsec3Hash = std::array<uint8_t, 20>;

// The parameters every NSEC3 record of one zone's indexed chain shares.
struct Nsec3Params {
    uint16_t iterations = 0;
    std::vector<uint8_t> salt;

    bool operator==(const Nsec3Params&) const = default;
};

// An NSEC3 record with the hashes of its span already decoded.
struct IndexedNsec3 {
    IndexedRef entry;
    Nsec3Hash owner{};  // the owner's first label
    Nsec3Hash next{};   // the next hashed owner name
    bool opt_out = false;
};

// Thread-safe: sharded by zone, each shard behind a reader-writer lock that
// lookups take shared, so readers never wait for each other (and that lets
// a waiting writer in first, so inserts are not starved); the record
// lookups allocate nothing. Writers (inserts, eviction) take one shard's
// lock at a time.
//
// Bounded by one byte budget for the whole index, so a single large zone may
// use all of it. Eviction is per record, by CLOCK (second chance), an
// approximation of LRU that readers can feed under a shared lock: a lookup
// sets the record's reference bit, which a new record does not have. Each
// shard keeps its records on a ring in the order they were stored. When an
// insert takes the index over its budget, the shards take turns: from the
// shard's hand on, expired records go, referenced ones lose their bit and
// stay, the others are evicted, until the budget holds. A zone left without
// NSEC or NSEC3 records goes with its SOA. Expired records are otherwise
// ignored by lookups, and dropped by sweeps or when replaced.
class DenialIndex {
public:
    DenialIndex(size_t max_bytes, size_t shards, const Clock& clock);
    ~DenialIndex();
    DenialIndex(const DenialIndex&) = delete;
    DenialIndex& operator=(const DenialIndex&) = delete;

    // Stores an NSEC or NSEC3 record of `zone` that validation found Secure
    // with the zone's keys (the index trusts the caller), with its RRSIG
    // RDATA, for min(its TTL, ttl_cap) seconds. Records the proofs could not
    // use are refused: outside the zone, NSEC3 owners that are not one
    // hashed label under the apex, hash algorithms other than SHA-1, flags
    // other than opt-out, malformed RDATA. An NSEC3 record with other
    // parameters than the zone's indexed chain replaces that chain (the
    // zone was re-salted). Records whose owners the new record's span says
    // do not exist are dropped: the zone changed since they were stored.
    // Returns whether the record was stored.
    bool insert_denial(const wire::Name& zone, const wire::Record& record,
                       std::span<const wire::RData> signatures, uint32_t ttl_cap);

    // Stores the zone's Secure SOA record (owner `zone`), whose MINIMUM and
    // TTL bound the negative TTL of synthesised answers (RFC 9077).
    bool insert_soa(const wire::Name& zone, const wire::Record& soa,
                    std::span<const wire::RData> signatures, uint32_t ttl_cap);

    // The deepest zone at or above `name` that the index holds anything for.
    std::optional<wire::Name> zone_for(const wire::Name& name) const;

    // The live NSEC of `zone` whose owner is the greatest at or before
    // `name` in canonical order (RFC 4034 §6.1), the last one when `name`
    // sorts before them all; null when that record is absent or expired.
    IndexedRef nsec_at_or_before(const wire::Name& zone, const wire::Name& name) const;

    // The parameters of the zone's indexed NSEC3 chain, if it has one.
    std::optional<Nsec3Params> nsec3_params(const wire::Name& zone) const;

    // The same as nsec_at_or_before() in hash order, for NSEC3.
    std::optional<IndexedNsec3> nsec3_at_or_before(const wire::Name& zone,
                                                   const Nsec3Hash& hash) const;

    // The zone's live SOA record; null if absent or expired.
    IndexedRef soa(const wire::Name& zone) const;

    // Forgets the records of the zone `zone` and, with `subtree`, of every
    // zone below it. Returns how many zones went.
    size_t erase_zones(const wire::Name& zone, bool subtree);
    void clear();
    size_t entries() const;      // records held (NSEC, NSEC3, SOA), expired ones included
    size_t memory_used() const;  // accounted bytes
    uint64_t evictions() const;  // live records evicted for the budget

private:
    struct Shard;
    Shard& shard_for(const wire::Name& zone) const;
    // Sweeps shards in turn until the index is within its budget again.
    void enforce_budget();

    const size_t max_bytes_;
    const Clock& clock_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<size_t> used_{0};
    std::atomic<uint64_t> evictions_{0};
    std::atomic<size_t> sweep_cursor_{0};
    // Label count of the deepest zone ever stored: zone_for() looks no
    // deeper, so a long query name costs no more lookups than that.
    std::atomic<size_t> deepest_zone_{0};
};

}  // namespace cairn::cache
