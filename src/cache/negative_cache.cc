#include "cache/negative_cache.h"

#include <algorithm>
#include <mutex>

#include "cache/lru_map.h"
#include "cache/packed_rrset.h"
#include "cache/shard_totals.h"
#include "cache/signature_expiry.h"
#include "cache/stored_name.h"

namespace cairn::cache {
namespace {

// NXDOMAIN entries are keyed by name alone (type 0, which no query asks
// for); NODATA entries by name and type.
struct NegativeKey {
    StoredName name;  // compared and hashed case-insensitively
    uint16_t type = 0;
    bool nxdomain = false;
};

// What a lookup asks for, without copying the name into a StoredName.
struct NegativeProbe {
    const wire::Name& name;
    uint16_t type = 0;
    bool nxdomain = false;
};

uint64_t key_hash(uint64_t name_hash, uint16_t type, bool nxdomain) {
    const uint64_t t = uint64_t{type} << 1 | (nxdomain ? 1 : 0);
    return detail::mix64(name_hash ^ t * 0x9e3779b97f4a7c15ULL);
}

struct NegativeKeyHash {
    using is_transparent = void;
    size_t operator()(const NegativeKey& key) const {
        return key_hash(key.name.hash(), key.type, key.nxdomain);
    }
    size_t operator()(const NegativeProbe& key) const {
        return key_hash(key.name.hash(), key.type, key.nxdomain);
    }
};

struct NegativeKeyEqual {
    using is_transparent = void;
    bool operator()(const NegativeKey& a, const NegativeKey& b) const {
        return a.type == b.type && a.nxdomain == b.nxdomain && a.name == b.name;
    }
    bool operator()(const NegativeKey& a, const NegativeProbe& b) const {
        return a.type == b.type && a.nxdomain == b.nxdomain && a.name == b.name;
    }
    bool operator()(const NegativeProbe& a, const NegativeKey& b) const { return (*this)(b, a); }
};

// Entries stay past `expires` until `stale_until` for serve-stale (RFC 8767).
struct StoredNegative {
    PackedRRset authority;  // its records part; TTLs as stored, at most original_ttl
    wire::Rcode rcode = wire::Rcode::NXDOMAIN;
    wire::RRType type = wire::RRType::A;
    Security security = Security::kIndeterminate;
    std::optional<wire::ExtendedErrorCode> reason;
    uint32_t original_ttl = 0;
    uint32_t hits = 0;
    int64_t stored_at = 0;
    int64_t expires = 0;
    int64_t stale_until = 0;
};

using NegativeMap = detail::LruMap<NegativeKey, StoredNegative, NegativeKeyHash, NegativeKeyEqual>;

size_t accounted_bytes(const NegativeKey& key, const StoredNegative& value) {
    return NegativeMap::kNodeOverhead + detail::heap_block(key.name.heap_size()) +
           detail::heap_block(value.authority.heap_size());
}

NegativeProbe nxdomain_key(const wire::Name& name) {
    return NegativeProbe{name, 0, true};
}

NegativeProbe nodata_key(const wire::Name& name, wire::RRType type) {
    return NegativeProbe{name, static_cast<uint16_t>(type), false};
}

}  // namespace

struct NegativeCache::Shard {
    explicit Shard(size_t budget) : map(budget) {}
    std::mutex mutex;
    NegativeMap map;
};

namespace {

// The live entry under `key`, or nullptr. Does not change recency.
NegativeMap::Slot* live(NegativeMap& map, const NegativeProbe& key, int64_t now) {
    auto* slot = map.peek(key);
    return slot && slot->value.expires > now ? slot : nullptr;
}

// A copy of `stored` (owned by `name`) with its TTLs as they are `now`.
NegativeEntry copy_entry(const wire::Name& name, const StoredNegative& stored, int64_t now) {
    const int64_t age = std::max<int64_t>(0, now - stored.stored_at);
    NegativeEntry entry;
    entry.rcode = stored.rcode;
    entry.name = name;
    entry.type = stored.type;
    entry.authority = stored.authority.records();
    for (auto& record : entry.authority)
        record.ttl = record.ttl > age ? static_cast<uint32_t>(record.ttl - age) : 0;
    entry.security = stored.security;
    entry.reason = stored.reason;
    entry.ttl = static_cast<uint32_t>(stored.expires - now);
    entry.expires = stored.expires;
    return entry;
}

NegativeEntry to_entry(NegativeMap& map, NegativeMap::Slot* slot, int64_t now) {
    map.touch(slot);
    StoredNegative& stored = slot->value;
    if (stored.hits < UINT32_MAX) ++stored.hits;
    return copy_entry(slot->key->name.name(), stored, now);
}

}  // namespace

NegativeCache::NegativeCache(const CacheOptions& options, size_t max_bytes, const Clock& clock)
    : options_(options), clock_(clock) {
    const size_t n = detail::shard_count(options.shards, max_bytes);
    shards_.reserve(n);
    for (size_t i = 0; i < n; ++i)
        shards_.push_back(std::make_unique<Shard>(max_bytes / n));
}

NegativeCache::~NegativeCache() = default;

NegativeCache::Shard& NegativeCache::shard_for(const wire::Name& name) const {
    // NXDOMAIN and NODATA entries of one name share a shard.
    return *shards_[detail::mix64(name.hash()) & (shards_.size() - 1)];
}

void NegativeCache::insert(wire::Rcode rcode, const wire::Name& name, wire::RRType type,
                           std::vector<wire::Record> authority, uint32_t ttl, Security security,
                           const TtlOverride& zone) {
    const bool nxdomain = rcode == wire::Rcode::NXDOMAIN;
    if (!nxdomain && rcode != wire::Rcode::NOERROR) return;
    const int64_t now = clock_.now();
    // RFC 2181 §8: a TTL with the top bit set means zero. RFC 2308 §5:
    // never longer than the configured maximum.
    if (ttl > INT32_MAX) ttl = 0;
    ttl = std::min(ttl, options_.max_negative_ttl);
    if (zone.max_ttl) ttl = std::min(ttl, *zone.max_ttl);
    for (auto& record : authority)
        record.ttl = std::min(record.ttl, ttl);
    StoredNegative value;
    value.authority = PackedRRset({}, {}, authority);
    value.rcode = rcode;
    value.type = type;
    value.security = security;
    value.original_ttl = ttl;
    value.stored_at = now;
    value.expires = now + ttl;
    value.stale_until = value.expires + zone.stale_max.value_or(options_.stale_max);
    if (auto sig_expiry = earliest_signature_expiry(authority, now)) {
        value.expires = std::min(value.expires, std::max(now, *sig_expiry));
        value.stale_until = std::min(value.stale_until, std::max(now, *sig_expiry));
    }
    const NegativeKey key{StoredName(name), nxdomain ? uint16_t{0} : static_cast<uint16_t>(type),
                          nxdomain};
    const size_t bytes = accounted_bytes(key, value);

    Shard& shard = shard_for(name);
    std::lock_guard lock(shard.mutex);
    // A NODATA answer shows the name exists now: an older NXDOMAIN for it
    // is out of date.
    if (!nxdomain) shard.map.erase(nxdomain_key(name));
    shard.map.put(key, std::move(value), bytes);
}

void NegativeCache::set_security(wire::Rcode rcode, const wire::Name& name, wire::RRType type,
                                 Security security, std::optional<wire::ExtendedErrorCode> reason,
                                 uint32_t ttl_cap) {
    const int64_t now = clock_.now();
    const NegativeProbe key =
        rcode == wire::Rcode::NXDOMAIN ? nxdomain_key(name) : nodata_key(name, type);
    Shard& shard = shard_for(name);
    std::lock_guard lock(shard.mutex);
    auto* slot = live(shard.map, key, now);
    if (!slot) return;
    slot->value.security = security;
    slot->value.reason = reason;
    slot->value.expires = std::min(slot->value.expires, now + ttl_cap);
    if (security == Security::kBogus) slot->value.stale_until = slot->value.expires;
}

std::optional<NegativeEntry> NegativeCache::lookup_stale(const wire::Name& name,
                                                         wire::RRType type) const {
    const int64_t now = clock_.now();
    Shard& shard = shard_for(name);
    std::lock_guard lock(shard.mutex);
    for (const auto& key : {nodata_key(name, type), nxdomain_key(name)}) {
        auto* slot = shard.map.peek(key);
        if (!slot || slot->value.expires > now || slot->value.stale_until <= now) continue;
        NegativeEntry entry = to_entry(shard.map, slot, now);
        entry.ttl = 0;
        for (auto& record : entry.authority)
            record.ttl = 0;
        return entry;
    }
    return std::nullopt;
}

std::optional<NegativeEntry> NegativeCache::lookup(const wire::Name& name,
                                                   wire::RRType type) const {
    const int64_t now = clock_.now();
    {
        Shard& shard = shard_for(name);
        std::lock_guard lock(shard.mutex);
        auto* nx = live(shard.map, nxdomain_key(name), now);
        auto* nodata = live(shard.map, nodata_key(name, type), now);
        // Both can be live when they were learnt from different servers;
        // the more recent one wins.
        if (nx && nodata) {
            if (nodata->value.stored_at > nx->value.stored_at)
                nx = nullptr;
            else
                nodata = nullptr;
        }
        if (nx) return to_entry(shard.map, nx, now);
        if (nodata) return to_entry(shard.map, nodata, now);
    }
    // RFC 8020: nothing exists below a name that does not exist.
    for (size_t labels = name.label_count(); labels-- > 1;) {
        const wire::Name ancestor = name.suffix(labels);
        Shard& shard = shard_for(ancestor);
        std::lock_guard lock(shard.mutex);
        if (auto* nx = live(shard.map, nxdomain_key(ancestor), now))
            return to_entry(shard.map, nx, now);
    }
    return std::nullopt;
}

size_t NegativeCache::erase(const CacheSelection& which) {
    auto pick = [&](const NegativeKey& key, const StoredNegative& stored) {
        return (key.nxdomain || which.covers_type(stored.type)) &&
               which.covers_security(stored.security) && which.covers_name(key.name.name());
    };
    if (which.single_name()) {
        Shard& shard = shard_for(*which.name);
        std::lock_guard lock(shard.mutex);
        return shard.map.erase_if(pick);
    }
    size_t erased = 0;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        erased += shard->map.erase_if(pick);
    }
    return erased;
}

void NegativeCache::clear() {
    clear_shards(shards_);
}

void NegativeCache::for_each_live(const std::function<void(const NegativeEntry&)>& visit) const {
    std::vector<NegativeEntry> copies;
    for (const auto& shard : shards_) {
        copies.clear();
        {
            const int64_t now = clock_.now();
            std::lock_guard lock(shard->mutex);
            shard->map.for_each([&](const NegativeKey& key, const StoredNegative& stored) {
                if (stored.expires > now)
                    copies.push_back(copy_entry(key.name.name(), stored, now));
            });
        }
        for (const auto& entry : copies)
            visit(entry);
    }
}

size_t NegativeCache::entries() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.size(); });
}

size_t NegativeCache::memory_used() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.bytes(); });
}

uint64_t NegativeCache::evictions() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.evictions(); });
}

}  // namespace cairn::cache
