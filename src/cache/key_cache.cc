#include "cache/key_cache.h"

#include <algorithm>
#include <mutex>

#include "cache/lru_map.h"

namespace cairn::cache {
namespace {

struct ZoneHash {
    size_t operator()(const wire::Name& zone) const { return detail::mix64(zone.hash()); }
};

struct StoredKeys {
    Verdict keys;
    int64_t expires = 0;
    int64_t held_until = 0;
};

struct HeldWildcard {
    wire::Name parent;
    wire::RRType type;
    int64_t until = 0;
};

using KeyMap = detail::LruMap<wire::Name, StoredKeys, ZoneHash>;

size_t accounted_bytes(const StoredKeys& value) {
    size_t bytes =
        KeyMap::kNodeOverhead +
        detail::heap_block(value.keys.error ? value.keys.error->extra_text.capacity() : 0);
    if (value.keys.dnskeys) bytes += value.keys.dnskeys->memory_estimate();
    return bytes;
}

}  // namespace

struct KeyCache::State {
    explicit State(size_t budget) : map(budget) {}
    mutable std::mutex mutex;
    mutable KeyMap map;
    std::vector<HeldWildcard> wildcards;
};

KeyCache::KeyCache(size_t max_bytes, const Clock& clock)
    : clock_(clock), state_(std::make_unique<State>(max_bytes)) {}

KeyCache::~KeyCache() = default;

void KeyCache::insert(const wire::Name& zone, Verdict keys, uint32_t ttl) {
    const int64_t now = clock_.now();
    keys.held = false;
    StoredKeys value{std::move(keys), now + ttl};
    const size_t bytes = accounted_bytes(value);
    std::lock_guard lock(state_->mutex);
    // Keys proven again do not end a hold: the zone still has them.
    if (auto* old = state_->map.peek(zone); old && old->value.held_until > now)
        value.held_until = old->value.held_until;
    state_->map.put(zone, std::move(value), bytes);
}

void KeyCache::hold(const wire::Name& zone, uint32_t seconds) {
    const int64_t until = clock_.now() + seconds;
    std::lock_guard lock(state_->mutex);
    if (auto* slot = state_->map.peek(zone))
        slot->value.held_until = std::max(slot->value.held_until, until);
}

void KeyCache::hold_wildcard(const wire::Name& parent, wire::RRType type, uint32_t seconds) {
    const int64_t now = clock_.now();
    const int64_t until = now + seconds;
    std::lock_guard lock(state_->mutex);
    auto& held = state_->wildcards;
    auto same = std::find_if(held.begin(), held.end(), [&](const HeldWildcard& w) {
        return w.type == type && w.parent == parent;
    });
    if (same != held.end()) {
        same->until = std::max(same->until, until);
    } else if (held.size() < kMaxHeldWildcards) {
        held.push_back({parent, type, until});
    } else {
        // Full: the hold that ends first makes room.
        *std::min_element(held.begin(), held.end(), [](const auto& a, const auto& b) {
            return a.until < b.until;
        }) = {parent, type, until};
    }
    if (wildcards_until_.load(std::memory_order_relaxed) < until)
        wildcards_until_.store(until, std::memory_order_relaxed);
}

std::optional<wire::Name> KeyCache::held_wildcard_over(const wire::Name& name,
                                                       wire::RRType type) const {
    const int64_t now = clock_.now();
    if (wildcards_until_.load(std::memory_order_relaxed) <= now) return std::nullopt;
    std::lock_guard lock(state_->mutex);
    for (const auto& w : state_->wildcards)
        if (w.until > now && w.type == type && name.is_subdomain_of(w.parent) && name != w.parent)
            return w.parent;
    return std::nullopt;
}

std::optional<Verdict> KeyCache::lookup(const wire::Name& zone) const {
    const int64_t now = clock_.now();
    std::lock_guard lock(state_->mutex);
    auto* slot = state_->map.peek(zone);
    if (!slot || slot->value.expires <= now) return std::nullopt;
    state_->map.touch(slot);
    Verdict keys = slot->value.keys;
    keys.held = slot->value.held_until > now;
    return keys;
}

size_t KeyCache::erase(const CacheSelection& which) {
    std::lock_guard lock(state_->mutex);
    return state_->map.erase_if([&](const wire::Name& zone, const StoredKeys& stored) {
        return which.covers_name(zone) && which.covers_security(stored.keys.security);
    });
}

void KeyCache::clear() {
    std::lock_guard lock(state_->mutex);
    state_->map.clear();
    state_->wildcards.clear();
}

size_t KeyCache::entries() const {
    std::lock_guard lock(state_->mutex);
    return state_->map.size();
}

size_t KeyCache::memory_used() const {
    std::lock_guard lock(state_->mutex);
    return state_->map.bytes();
}

}  // namespace cairn::cache
