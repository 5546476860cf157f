#include "cache/rrset_cache.h"

#include <algorithm>
#include <mutex>

#include "cache/lru_map.h"
#include "cache/packed_rrset.h"
#include "cache/shard_totals.h"
#include "cache/signature_expiry.h"
#include "cache/stored_name.h"

namespace cairn::cache {
namespace {

struct RRsetKey {
    StoredName owner;  // compared and hashed case-insensitively
    wire::RRType type = wire::RRType::A;
    wire::RRClass rclass = wire::RRClass::IN;
};

// What a lookup asks for, without copying the owner into a StoredName.
struct RRsetProbe {
    const wire::Name& owner;
    wire::RRType type = wire::RRType::A;
    wire::RRClass rclass = wire::RRClass::IN;
};

uint64_t key_hash(uint64_t owner_hash, wire::RRType type, wire::RRClass rclass) {
    const uint64_t tc = uint64_t{static_cast<uint16_t>(type)} << 16 | static_cast<uint16_t>(rclass);
    return detail::mix64(owner_hash ^ tc * 0x9e3779b97f4a7c15ULL);
}

struct RRsetKeyHash {
    using is_transparent = void;
    size_t operator()(const RRsetKey& key) const {
        return key_hash(key.owner.hash(), key.type, key.rclass);
    }
    size_t operator()(const RRsetProbe& key) const {
        return key_hash(key.owner.hash(), key.type, key.rclass);
    }
};

struct RRsetKeyEqual {
    using is_transparent = void;
    bool operator()(const RRsetKey& a, const RRsetKey& b) const {
        return a.type == b.type && a.rclass == b.rclass && a.owner == b.owner;
    }
    bool operator()(const RRsetKey& a, const RRsetProbe& b) const {
        return a.type == b.type && a.rclass == b.rclass && a.owner == b.owner;
    }
    bool operator()(const RRsetProbe& a, const RRsetKey& b) const { return (*this)(b, a); }
};

// What a shard keeps per RRset; the owner, type and class are the key.
// Entries stay past `expires` until `stale_until` for serve-stale (RFC
// 8767); prefetch reads `original_ttl` and `hits`.
struct StoredRRset {
    PackedRRset data;  // RDATA, RRSIGs, a wildcard expansion's proof
    int64_t expires = 0;
    int64_t stale_until = 0;  // kept for serve-stale until then
    uint32_t original_ttl = 0;
    uint32_t hits = 0;
    Trust trust = Trust::kAdditional;
    Security security = Security::kIndeterminate;
    std::optional<wire::ExtendedErrorCode> reason;
};

using RRsetMap = detail::LruMap<RRsetKey, StoredRRset, RRsetKeyHash, RRsetKeyEqual>;

// Byte for byte the data and RRSIGs the entry holds: a verdict on the one is
// a verdict on the other.
bool holds(const StoredRRset& stored, std::span<const wire::RData> rdatas,
           std::span<const wire::RData> signatures) {
    return stored.data.holds(rdatas, signatures);
}

size_t accounted_bytes(const RRsetKey& key, const StoredRRset& value) {
    return RRsetMap::kNodeOverhead + detail::heap_block(key.owner.heap_size()) +
           detail::heap_block(value.data.heap_size());
}

}  // namespace

struct RRsetCache::Shard {
    explicit Shard(size_t budget) : map(budget) {}
    std::mutex mutex;
    RRsetMap map;
};

RRsetCache::RRsetCache(const CacheOptions& options, size_t max_bytes, const Clock& clock)
    : options_(options), clock_(clock) {
    const size_t n = detail::shard_count(options.shards, max_bytes);
    shards_.reserve(n);
    for (size_t i = 0; i < n; ++i)
        shards_.push_back(std::make_unique<Shard>(max_bytes / n));
}

RRsetCache::~RRsetCache() = default;

RRsetCache::Shard& RRsetCache::shard_for(const wire::Name& owner) const {
    // All types of one name share a shard.
    return *shards_[detail::mix64(owner.hash()) & (shards_.size() - 1)];
}

uint32_t RRsetCache::clamp_ttl(uint32_t received, const TtlOverride& zone) const {
    if (received > INT32_MAX) received = 0;
    return std::min(std::max(received, zone.min_ttl.value_or(options_.min_ttl)),
                    zone.max_ttl.value_or(options_.max_ttl));
}

RRsetCache::Stored RRsetCache::insert(const wire::RRset& rrset,
                                      std::span<const wire::RData> signatures, Trust trust,
                                      Security security, std::span<const wire::Record> proof,
                                      const TtlOverride& zone) {
    if (rrset.rdatas.empty()) return {};
    const int64_t now = clock_.now();
    const uint32_t ttl = clamp_ttl(rrset.ttl, zone);
    RRsetKey key{StoredName(rrset.owner), rrset.type, rrset.rclass};
    // Copy outside the lock; the shard's lock covers only the map update.
    StoredRRset value;
    value.data = PackedRRset(rrset.rdatas, signatures, proof);
    value.expires = now + ttl;
    value.stale_until = value.expires + zone.stale_max.value_or(options_.stale_max);
    if (auto sig_expiry = earliest_signature_expiry(signatures, now)) {
        value.expires = std::min(value.expires, std::max(now, *sig_expiry));
        value.stale_until = std::min(value.stale_until, std::max(now, *sig_expiry));
    }
    value.original_ttl = ttl;
    value.trust = trust;
    value.security = security;
    size_t bytes = accounted_bytes(key, value);

    Shard& shard = shard_for(rrset.owner);
    std::lock_guard lock(shard.mutex);
    Stored result{true, false};
    if (const auto* old = shard.map.peek(key)) {
        const StoredRRset& before = old->value;
        // RFC 2181 §5.4.1: data of lower rank does not replace live data of
        // higher rank; equal or higher rank replaces it.
        const bool same = holds(before, rrset.rdatas, signatures);
        if (before.expires > now && before.trust > trust && !same) return {};
        // Data seen again as glue or referral data neither renews nor
        // replaces an answer: it would lose its proof and its rank.
        if (before.expires > now && before.trust > trust && trust < Trust::kAnswerNonAuth)
            return {};
        if (before.security == Security::kSecure && !signatures.empty() && same) {
            value.security = Security::kSecure;
            value.trust = std::max(before.trust, trust);
            // A wildcard expansion stays Secure only with the proof that
            // its name does not exist (RFC 4035 §5.3.4).
            if (proof.empty() && before.data.has_records()) {
                value.data = PackedRRset(rrset.rdatas, signatures, before.data.records());
                bytes = accounted_bytes(key, value);
            }
            result.renewed = true;
        }
    }
    if (shard.map.put(key, std::move(value), bytes) == nullptr) return {};
    return result;
}

namespace {

CachedRRset to_cached(const RRsetKey& key, const StoredRRset& stored, uint32_t ttl) {
    CachedRRset out;
    out.rrset.owner = key.owner.name();
    out.rrset.type = key.type;
    out.rrset.rclass = key.rclass;
    out.rrset.ttl = ttl;
    out.rrset.rdatas = stored.data.rdatas();
    out.signatures = stored.data.signatures();
    out.trust = stored.trust;
    out.security = stored.security;
    out.reason = stored.reason;
    out.proof = stored.data.records();
    for (auto& r : out.proof)
        r.ttl = std::min(r.ttl, out.rrset.ttl);
    out.original_ttl = stored.original_ttl;
    out.expires = stored.expires;
    out.hits = stored.hits;
    return out;
}

}  // namespace

std::optional<CachedRRset> RRsetCache::lookup(const wire::Name& owner, wire::RRType type,
                                              wire::RRClass rclass) const {
    return find(owner, type, rclass, true);
}

std::optional<CachedRRset> RRsetCache::peek(const wire::Name& owner, wire::RRType type,
                                            wire::RRClass rclass) const {
    return find(owner, type, rclass, false);
}

std::optional<CachedRRset> RRsetCache::find(const wire::Name& owner, wire::RRType type,
                                            wire::RRClass rclass, bool count_hit) const {
    const int64_t now = clock_.now();
    const RRsetProbe key{owner, type, rclass};
    Shard& shard = shard_for(owner);
    std::lock_guard lock(shard.mutex);
    auto* slot = shard.map.peek(key);
    // An expired entry is absent; it stays (without gaining recency) until
    // evicted or overwritten.
    if (!slot || slot->value.expires <= now) return std::nullopt;
    shard.map.touch(slot);
    StoredRRset& stored = slot->value;
    if (count_hit && stored.hits < UINT32_MAX) ++stored.hits;
    return to_cached(*slot->key, stored, static_cast<uint32_t>(stored.expires - now));
}

std::optional<CachedRRset> RRsetCache::lookup_stale(const wire::Name& owner, wire::RRType type,
                                                    wire::RRClass rclass) const {
    const int64_t now = clock_.now();
    const RRsetProbe key{owner, type, rclass};
    Shard& shard = shard_for(owner);
    std::lock_guard lock(shard.mutex);
    auto* slot = shard.map.peek(key);
    if (!slot || slot->value.expires > now || slot->value.stale_until <= now) return std::nullopt;
    return to_cached(*slot->key, slot->value, 0);
}

void RRsetCache::set_security(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                              Security security, std::optional<wire::ExtendedErrorCode> reason,
                              uint32_t ttl_cap) {
    const int64_t now = clock_.now();
    const RRsetProbe key{rrset.owner, rrset.type, rrset.rclass};
    Shard& shard = shard_for(rrset.owner);
    std::lock_guard lock(shard.mutex);
    auto* slot = shard.map.peek(key);
    // Replaced or expired since it was validated: the verdict is not for it.
    if (!slot || slot->value.expires <= now || !holds(slot->value, rrset.rdatas, signatures))
        return;
    StoredRRset& stored = slot->value;
    stored.security = security;
    stored.reason = reason;
    if (security == Security::kSecure) stored.trust = Trust::kValidated;
    stored.expires = std::min(stored.expires, now + ttl_cap);
    if (security == Security::kBogus) stored.stale_until = stored.expires;
}

bool RRsetCache::holds_secure(const wire::RRset& rrset,
                              std::span<const wire::RData> signatures) const {
    if (signatures.empty()) return false;
    const int64_t now = clock_.now();
    const RRsetProbe key{rrset.owner, rrset.type, rrset.rclass};
    Shard& shard = shard_for(rrset.owner);
    std::lock_guard lock(shard.mutex);
    const auto* slot = shard.map.peek(key);
    return slot && slot->value.expires > now && slot->value.security == Security::kSecure &&
           holds(slot->value, rrset.rdatas, signatures);
}

void RRsetCache::erase(const wire::Name& owner, wire::RRType type, wire::RRClass rclass) {
    const RRsetProbe key{owner, type, rclass};
    Shard& shard = shard_for(owner);
    std::lock_guard lock(shard.mutex);
    shard.map.erase(key);
}

size_t RRsetCache::erase(const CacheSelection& which) {
    auto pick = [&](const RRsetKey& key, const StoredRRset& stored) {
        return which.covers_type(key.type) && which.covers_security(stored.security) &&
               which.covers_name(key.owner.name());
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

void RRsetCache::clear() {
    clear_shards(shards_);
}

void RRsetCache::for_each_live(const std::function<void(const CachedRRset&)>& visit) const {
    std::vector<CachedRRset> copies;
    for (const auto& shard : shards_) {
        copies.clear();
        {
            const int64_t now = clock_.now();
            std::lock_guard lock(shard->mutex);
            shard->map.for_each([&](const RRsetKey& key, const StoredRRset& stored) {
                if (stored.expires > now)
                    copies.push_back(
                        to_cached(key, stored, static_cast<uint32_t>(stored.expires - now)));
            });
        }
        for (const auto& entry : copies)
            visit(entry);
    }
}

size_t RRsetCache::entries() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.size(); });
}

size_t RRsetCache::memory_used() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.bytes(); });
}

uint64_t RRsetCache::evictions() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.evictions(); });
}

}  // namespace cairn::cache
