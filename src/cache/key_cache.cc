#include "cache/key_cache.h"

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
};

KeyCache::KeyCache(size_t max_bytes, const Clock& clock)
    : clock_(clock), state_(std::make_unique<State>(max_bytes)) {}

KeyCache::~KeyCache() = default;

void KeyCache::insert(const wire::Name& zone, Verdict keys, uint32_t ttl) {
    StoredKeys value{std::move(keys), clock_.now() + ttl};
    const size_t bytes = accounted_bytes(value);
    std::lock_guard lock(state_->mutex);
    state_->map.put(zone, std::move(value), bytes);
}

std::optional<Verdict> KeyCache::lookup(const wire::Name& zone) const {
    const int64_t now = clock_.now();
    std::lock_guard lock(state_->mutex);
    auto* slot = state_->map.peek(zone);
    if (!slot || slot->value.expires <= now) return std::nullopt;
    state_->map.touch(slot);
    return slot->value.keys;
}

void KeyCache::clear() {
    std::lock_guard lock(state_->mutex);
    state_->map.clear();
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
