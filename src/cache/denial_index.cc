#include "cache/denial_index.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include "cache/lru_map.h"
#include "cache/rw_mutex.h"
#include "wire/encoding.h"
#include "wire/typed_rdata.h"

namespace cairn::cache {
namespace {

constexpr uint8_t kSha1 = 1;
constexpr auto kRelaxed = std::memory_order_relaxed;

struct ZoneEntry;

// Which of its zone's containers holds a slot.
enum class Part : uint8_t { kNsec, kNsec3, kSoa };

// A stored record, its CLOCK reference bit and its place on the shard's
// ring. Readers set the bit under the shared lock, hence atomic, and only
// when it is clear, so that hits on a hot record do not keep writing its
// cache line. A new record starts without it: only use earns a second
// chance, so a burst of inserts (the spans a flood of random names brings
// in) cannot push out the records in use. The ring links change only under
// the exclusive lock; they are mutable because std::set elements are const.
struct Slot {
    Slot(IndexedRef e, size_t b, ZoneEntry* z, Part p)
        : entry(std::move(e)), bytes(b), zone(z), part(p) {}
    IndexedRef entry;
    size_t bytes;  // accounted size
    ZoneEntry* zone;
    Part part;
    mutable std::atomic<bool> referenced{false};
    mutable const Slot* prev = nullptr;
    mutable const Slot* next = nullptr;
};

// The live entry of `slot`, marked used; null once expired.
IndexedRef use(const Slot& slot, int64_t now) {
    if (slot.entry->expires <= now) return nullptr;
    if (!slot.referenced.load(kRelaxed)) slot.referenced.store(true, kRelaxed);
    return slot.entry;
}

struct NsecSlot : Slot {
    using Slot::Slot;
    const wire::Name& key() const { return entry->record.owner; }
};

struct Nsec3Slot : Slot {
    Nsec3Slot(IndexedRef e, size_t b, ZoneEntry* z, const Nsec3Hash& o, const Nsec3Hash& n,
              bool out)
        : Slot(std::move(e), b, z, Part::kNsec3), owner(o), next_hash(n), opt_out(out) {}
    Nsec3Hash owner;
    Nsec3Hash next_hash;
    bool opt_out;
    const Nsec3Hash& key() const { return owner; }
};

// Orders slots by their key and finds them by a bare key, so a lookup
// builds no slot.
struct NsecOrder {
    using is_transparent = void;
    static const wire::Name& key(const NsecSlot& slot) { return slot.key(); }
    static const wire::Name& key(const wire::Name& name) { return name; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
        return wire::Name::canonical_compare(key(a), key(b)) < 0;
    }
};

struct Nsec3Order {
    using is_transparent = void;
    static const Nsec3Hash& key(const Nsec3Slot& slot) { return slot.key(); }
    static const Nsec3Hash& key(const Nsec3Hash& hash) { return hash; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
        return key(a) < key(b);
    }
};

using NsecSet = std::set<NsecSlot, NsecOrder>;
using Nsec3Set = std::set<Nsec3Slot, Nsec3Order>;

struct ZoneEntry {
    const wire::Name* name = nullptr;  // its key in the shard's map
    NsecSet nsecs;
    Nsec3Set nsec3s;
    std::optional<Nsec3Params> params;  // of every record in nsec3s
    std::optional<Slot> soa;
    size_t overhead = 0;  // accounted: the zone's map node and the salt

    bool has_records() const { return !nsecs.empty() || !nsec3s.empty(); }
};

// What an insert or a sweep changed in a shard's totals.
struct Tally {
    size_t added_bytes = 0;
    size_t added_records = 0;
    size_t freed_bytes = 0;
    size_t freed_records = 0;
    uint64_t evicted = 0;  // live records dropped for the budget

    void add(const Slot& slot) {
        added_bytes += slot.bytes;
        ++added_records;
    }
    void free(const Slot& slot) {
        freed_bytes += slot.bytes;
        ++freed_records;
    }
};

// Every slot of a shard in the order it was stored, in a circle; the hand
// points at the next one a sweep considers. A new slot goes just behind the
// hand, so it comes round last (CLOCK, as for pages in memory).
struct Ring {
    const Slot* hand = nullptr;

    void link(const Slot& slot) {
        if (!hand) {
            slot.prev = slot.next = hand = &slot;
            return;
        }
        slot.next = hand;
        slot.prev = hand->prev;
        hand->prev->next = &slot;
        hand->prev = &slot;
    }

    void unlink(const Slot& slot) {
        if (slot.next == &slot) {
            hand = nullptr;
            return;
        }
        slot.prev->next = slot.next;
        slot.next->prev = slot.prev;
        if (hand == &slot) hand = slot.next;
    }
};

// Map node (key, value, next pointer, cached hash) and its share of the
// bucket array, as LruMap counts it.
constexpr size_t kZoneBytes =
    detail::heap_block(sizeof(wire::Name) + sizeof(ZoneEntry) + 2 * sizeof(void*)) +
    2 * sizeof(void*);
// A std::set node adds three links and a colour to its element.
constexpr size_t kSetNodeLinks = 4 * sizeof(void*);

// `node`: the bytes of the container node that holds the slot.
size_t accounted_bytes(const IndexedRecord& e, size_t node) {
    // make_shared puts the record after a control block of two counts.
    size_t bytes = detail::heap_block(node) +
                   detail::heap_block(sizeof(IndexedRecord) + 2 * sizeof(void*)) +
                   detail::heap_block(e.record.rdata.size()) +
                   detail::heap_block(e.signatures.capacity() * sizeof(wire::RData));
    for (const auto& sig : e.signatures)
        bytes += detail::heap_block(sig.size());
    return bytes;
}

// The record with the greatest key at or before `key`, wrapping to the last
// one when `key` sorts before them all; end() when there are none.
template <class Set, class Key>
typename Set::const_iterator at_or_before(const Set& set, const Key& key) {
    if (set.empty()) return set.end();
    auto it = set.upper_bound(key);
    return std::prev(it == set.begin() ? set.end() : it);
}

std::optional<Nsec3Hash> decode_hash(std::span<const uint8_t> label) {
    auto bytes = wire::decode_base32hex(
        std::string_view(reinterpret_cast<const char*>(label.data()), label.size()));
    if (!bytes || bytes->size() != Nsec3Hash{}.size()) return std::nullopt;
    Nsec3Hash hash;
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    return hash;
}

// The record as stored, or null when its TTL leaves nothing to store.
std::shared_ptr<IndexedRecord> make_entry(const wire::Record& record,
                                          std::span<const wire::RData> signatures, uint32_t ttl_cap,
                                          int64_t now) {
    // RFC 2181 §8: a TTL with the top bit set means zero.
    const uint32_t ttl = std::min(record.ttl > INT32_MAX ? 0 : record.ttl, ttl_cap);
    if (ttl == 0) return nullptr;
    auto entry = std::make_shared<IndexedRecord>();
    entry->record = record;
    entry->record.ttl = ttl;
    entry->signatures.assign(signatures.begin(), signatures.end());
    entry->expires = now + ttl;
    return entry;
}

void raise_to(std::atomic<size_t>& value, size_t at_least) {
    size_t seen = value.load(kRelaxed);
    while (seen < at_least && !value.compare_exchange_weak(seen, at_least, kRelaxed)) {
    }
}

}  // namespace

struct DenialIndex::Shard {
    mutable detail::RwMutex mutex;
    std::unordered_map<wire::Name, ZoneEntry, wire::NameHash> zones;
    Ring ring;
    size_t bytes = 0;
    size_t records = 0;

    ZoneEntry& zone(const wire::Name& name, Tally& tally) {
        auto [it, created] = zones.try_emplace(name);
        if (created) {
            it->second.name = &it->first;
            it->second.overhead = kZoneBytes;
            tally.added_bytes += kZoneBytes;
        }
        return it->second;
    }

    template <class Set, class... Args>
    void store(Set& set, Tally& tally, Args&&... args) {
        auto it = set.emplace(std::forward<Args>(args)...).first;
        ring.link(*it);
        tally.add(*it);
    }

    template <class Set>
    void erase(Set& set, typename Set::iterator first, typename Set::iterator last, Tally& tally) {
        for (auto it = first; it != last; ++it) {
            ring.unlink(*it);
            tally.free(*it);
        }
        set.erase(first, last);
    }

    // Drops `zone` with every record it holds.
    void erase_zone(ZoneEntry& zone, Tally& tally) {
        erase(zone.nsecs, zone.nsecs.begin(), zone.nsecs.end(), tally);
        erase(zone.nsec3s, zone.nsec3s.begin(), zone.nsec3s.end(), tally);
        if (zone.soa) erase_soa(zone, tally);
        tally.freed_bytes += zone.overhead;
        zones.erase(zones.find(*zone.name));
    }

    void erase_soa(ZoneEntry& zone, Tally& tally) {
        ring.unlink(*zone.soa);
        tally.free(*zone.soa);
        zone.soa.reset();
    }

    // Drops `slot`; a zone left without NSEC or NSEC3 records, whose SOA
    // then serves nothing, goes with it.
    void erase(const Slot& slot, Tally& tally) {
        ZoneEntry& zone = *slot.zone;
        switch (slot.part) {
            case Part::kNsec: {
                auto it = zone.nsecs.find(static_cast<const NsecSlot&>(slot).key());
                erase(zone.nsecs, it, std::next(it), tally);
                break;
            }
            case Part::kNsec3: {
                auto it = zone.nsec3s.find(static_cast<const Nsec3Slot&>(slot).key());
                erase(zone.nsec3s, it, std::next(it), tally);
                break;
            }
            case Part::kSoa: erase_soa(zone, tally); break;
        }
        if (zone.has_records()) return;
        if (zone.soa) erase_soa(zone, tally);
        tally.freed_bytes += zone.overhead;
        // By position: the key to erase by would live in the node erased.
        zones.erase(zones.find(*zone.name));
    }

    // CLOCK: from the hand on, expired records go, referenced ones lose
    // their bit and stay, the rest are evicted, until `goal` bytes are
    // freed or nothing is left. No reader can set a bit meanwhile, so the
    // hand goes round at most twice.
    void sweep(size_t goal, int64_t now, Tally& tally) {
        while (tally.freed_bytes < goal && ring.hand) {
            const Slot& slot = *ring.hand;
            const bool live = slot.entry->expires > now;
            if (live && slot.referenced.exchange(false, kRelaxed)) {
                ring.hand = slot.next;
                continue;
            }
            if (live) ++tally.evicted;
            erase(slot, tally);
        }
    }

    void apply(const Tally& tally, std::atomic<size_t>& used, std::atomic<uint64_t>& evictions) {
        bytes = bytes + tally.added_bytes - tally.freed_bytes;
        records = records + tally.added_records - tally.freed_records;
        used.fetch_add(tally.added_bytes, kRelaxed);
        used.fetch_sub(tally.freed_bytes, kRelaxed);
        evictions.fetch_add(tally.evicted, kRelaxed);
    }
};

DenialIndex::DenialIndex(size_t max_bytes, size_t shards, const Clock& clock)
    : max_bytes_(max_bytes), clock_(clock) {
    const size_t n = detail::shard_count(shards, max_bytes);
    shards_.reserve(n);
    for (size_t i = 0; i < n; ++i)
        shards_.push_back(std::make_unique<Shard>());
}

DenialIndex::~DenialIndex() = default;

DenialIndex::Shard& DenialIndex::shard_for(const wire::Name& zone) const {
    return *shards_[detail::mix64(zone.hash()) & (shards_.size() - 1)];
}

bool DenialIndex::insert_denial(const wire::Name& zone, const wire::Record& record,
                                std::span<const wire::RData> signatures, uint32_t ttl_cap) {
    if (record.rclass != wire::RRClass::IN || !record.owner.is_subdomain_of(zone)) return false;
    auto entry = make_entry(record, signatures, ttl_cap, clock_.now());
    if (!entry) return false;
    Shard& shard = shard_for(zone);
    Tally tally;
    if (record.type == wire::RRType::NSEC) {
        auto data = wire::NsecData::from(record.rdata);
        if (!data || !data->next.is_subdomain_of(zone)) return false;
        const size_t bytes = accounted_bytes(*entry, sizeof(NsecSlot) + kSetNodeLinks);
        std::unique_lock lock(shard.mutex);
        ZoneEntry& z = shard.zone(zone, tally);
        // The span says nothing exists strictly between the owner and the
        // next name (to the end of the zone for the last record): records
        // owned there are from before a change of the zone.
        auto first = z.nsecs.lower_bound(record.owner);
        auto last = wire::Name::canonical_compare(record.owner, data->next) < 0
                        ? z.nsecs.lower_bound(data->next)
                        : z.nsecs.end();
        shard.erase(z.nsecs, first, last, tally);
        shard.store(z.nsecs, tally, std::move(entry), bytes, &z, Part::kNsec);
        shard.apply(tally, used_, evictions_);
    } else if (record.type == wire::RRType::NSEC3) {
        // RFC 5155 §3: one hashed label directly under the apex.
        if (record.owner.label_count() != zone.label_count() + 1) return false;
        auto data = wire::Nsec3Data::from(record.rdata);
        auto owner = decode_hash(record.owner.label(0));
        Nsec3Hash next;
        if (!data || !owner || data->hash_algorithm != kSha1 ||
            data->flags > wire::Nsec3Data::kOptOutFlag ||
            data->next_hashed_owner.size() != next.size())
            return false;
        std::copy(data->next_hashed_owner.begin(), data->next_hashed_owner.end(), next.begin());
        Nsec3Params params{data->iterations, std::move(data->salt)};
        const size_t bytes = accounted_bytes(*entry, sizeof(Nsec3Slot) + kSetNodeLinks);
        std::unique_lock lock(shard.mutex);
        ZoneEntry& z = shard.zone(zone, tally);
        if (z.params != params) {
            // Proofs compare hashes made with one salt and iteration count
            // (RFC 5155 §8.3): the new chain replaces the old.
            shard.erase(z.nsec3s, z.nsec3s.begin(), z.nsec3s.end(), tally);
            const size_t old_salt = z.params ? detail::heap_block(z.params->salt.size()) : 0;
            const size_t new_salt = detail::heap_block(params.salt.size());
            z.overhead = z.overhead - old_salt + new_salt;
            tally.freed_bytes += old_salt;
            tally.added_bytes += new_salt;
            z.params = std::move(params);
        }
        // As for NSEC; the last record's span wraps to the first hash.
        auto first = z.nsec3s.lower_bound(*owner);
        if (*owner < next) {
            shard.erase(z.nsec3s, first, z.nsec3s.lower_bound(next), tally);
        } else {
            shard.erase(z.nsec3s, first, z.nsec3s.end(), tally);
            shard.erase(z.nsec3s, z.nsec3s.begin(), z.nsec3s.lower_bound(next), tally);
        }
        shard.store(z.nsec3s, tally, std::move(entry), bytes, &z, *owner, next, data->opt_out());
        shard.apply(tally, used_, evictions_);
    } else {
        return false;
    }
    raise_to(deepest_zone_, zone.label_count());
    enforce_budget();
    return true;
}

bool DenialIndex::insert_soa(const wire::Name& zone, const wire::Record& soa,
                             std::span<const wire::RData> signatures, uint32_t ttl_cap) {
    if (soa.type != wire::RRType::SOA || soa.rclass != wire::RRClass::IN || soa.owner != zone ||
        !wire::SoaData::from(soa.rdata))
        return false;
    auto entry = make_entry(soa, signatures, ttl_cap, clock_.now());
    if (!entry) return false;
    const size_t bytes = accounted_bytes(*entry, 0);
    Shard& shard = shard_for(zone);
    {
        Tally tally;
        std::unique_lock lock(shard.mutex);
        ZoneEntry& z = shard.zone(zone, tally);
        if (z.soa) shard.erase_soa(z, tally);
        z.soa.emplace(std::move(entry), bytes, &z, Part::kSoa);
        shard.ring.link(*z.soa);
        tally.add(*z.soa);
        shard.apply(tally, used_, evictions_);
    }
    raise_to(deepest_zone_, zone.label_count());
    enforce_budget();
    return true;
}

void DenialIndex::enforce_budget() {
    const int64_t now = clock_.now();
    // Shards take turns, so every shard's coldest records are candidates,
    // not only those of the shard that grew. Each visit frees what is over
    // budget or empties the shard: one round of visits is enough.
    for (size_t visits = 0; visits < shards_.size() && used_.load(kRelaxed) > max_bytes_;
         ++visits) {
        Shard& shard = *shards_[sweep_cursor_.fetch_add(1, kRelaxed) & (shards_.size() - 1)];
        std::unique_lock lock(shard.mutex);
        const size_t used = used_.load(kRelaxed);
        if (used <= max_bytes_) return;
        Tally tally;
        shard.sweep(used - max_bytes_, now, tally);
        shard.apply(tally, used_, evictions_);
    }
}

std::optional<wire::Name> DenialIndex::zone_for(const wire::Name& name) const {
    if (used_.load(kRelaxed) == 0) return std::nullopt;
    for (size_t labels = std::min(name.label_count(), deepest_zone_.load(kRelaxed));; --labels) {
        wire::Name candidate = name.suffix(labels);
        const Shard& shard = shard_for(candidate);
        {
            std::shared_lock lock(shard.mutex);
            if (shard.zones.contains(candidate)) return candidate;
        }
        if (labels == 0) return std::nullopt;
    }
}

IndexedRef DenialIndex::nsec_at_or_before(const wire::Name& zone, const wire::Name& name) const {
    const int64_t now = clock_.now();
    const Shard& shard = shard_for(zone);
    std::shared_lock lock(shard.mutex);
    auto z = shard.zones.find(zone);
    if (z == shard.zones.end()) return nullptr;
    auto it = at_or_before(z->second.nsecs, name);
    return it == z->second.nsecs.end() ? nullptr : use(*it, now);
}

std::optional<Nsec3Params> DenialIndex::nsec3_params(const wire::Name& zone) const {
    const Shard& shard = shard_for(zone);
    std::shared_lock lock(shard.mutex);
    auto z = shard.zones.find(zone);
    if (z == shard.zones.end() || z->second.nsec3s.empty()) return std::nullopt;
    return z->second.params;
}

std::optional<IndexedNsec3> DenialIndex::nsec3_at_or_before(const wire::Name& zone,
                                                            const Nsec3Hash& hash) const {
    const int64_t now = clock_.now();
    const Shard& shard = shard_for(zone);
    std::shared_lock lock(shard.mutex);
    auto z = shard.zones.find(zone);
    if (z == shard.zones.end()) return std::nullopt;
    auto it = at_or_before(z->second.nsec3s, hash);
    if (it == z->second.nsec3s.end()) return std::nullopt;
    IndexedRef entry = use(*it, now);
    if (!entry) return std::nullopt;
    return IndexedNsec3{std::move(entry), it->owner, it->next_hash, it->opt_out};
}

IndexedRef DenialIndex::soa(const wire::Name& zone) const {
    const int64_t now = clock_.now();
    const Shard& shard = shard_for(zone);
    std::shared_lock lock(shard.mutex);
    auto z = shard.zones.find(zone);
    if (z == shard.zones.end() || !z->second.soa) return nullptr;
    return use(*z->second.soa, now);
}

size_t DenialIndex::erase_zones(const wire::Name& zone, bool subtree) {
    if (!subtree) {
        Shard& shard = shard_for(zone);
        std::unique_lock lock(shard.mutex);
        auto it = shard.zones.find(zone);
        if (it == shard.zones.end()) return 0;
        Tally tally;
        shard.erase_zone(it->second, tally);
        shard.apply(tally, used_, evictions_);
        return 1;
    }
    size_t erased = 0;
    for (auto& shard : shards_) {
        std::unique_lock lock(shard->mutex);
        std::vector<ZoneEntry*> doomed;
        for (auto& [name, entry] : shard->zones)
            if (name.is_subdomain_of(zone)) doomed.push_back(&entry);
        Tally tally;
        for (ZoneEntry* entry : doomed)
            shard->erase_zone(*entry, tally);
        shard->apply(tally, used_, evictions_);
        erased += doomed.size();
    }
    return erased;
}

void DenialIndex::clear() {
    for (auto& shard : shards_) {
        std::unique_lock lock(shard->mutex);
        used_.fetch_sub(shard->bytes, kRelaxed);
        shard->zones.clear();
        shard->ring = {};
        shard->bytes = 0;
        shard->records = 0;
    }
}

size_t DenialIndex::entries() const {
    size_t total = 0;
    for (const auto& shard : shards_) {
        std::shared_lock lock(shard->mutex);
        total += shard->records;
    }
    return total;
}

size_t DenialIndex::memory_used() const {
    return used_.load(kRelaxed);
}

uint64_t DenialIndex::evictions() const {
    return evictions_.load(kRelaxed);
}

}  // namespace cairn::cache
