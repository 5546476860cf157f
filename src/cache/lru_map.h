// Internal to the cache layer: a hash map whose entries are also threaded on
// an intrusive recency list, with an accounted size per entry and a budget.
// Not thread-safe; the shared caches guard one LruMap per shard with that
// shard's mutex, the per-worker packet cache uses one directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>

namespace cairn::cache::detail {

// Approximate heap cost of one malloc'd block of `n` bytes in glibc: a
// size word in front, rounded to 16, at least 32 bytes.
constexpr size_t heap_block(size_t n) {
    if (n == 0) return 0;
    const size_t chunk = (n + sizeof(size_t) + 15) & ~size_t{15};
    return chunk < 32 ? 32 : chunk;
}

// Mixes a 64-bit hash so that every output bit depends on every input bit
// (the finaliser of SplitMix64); FNV-style name hashes are weak in places.
constexpr uint64_t mix64(uint64_t h) {
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

// How many lock shards a shared cache gets. Each shard enforces its share of
// the memory bound on its own, so a shard must be able to hold a good number
// of entries: fewer shards than asked for when the budget is small. A power
// of two, at least 1.
inline size_t shard_count(size_t requested, size_t max_bytes) {
    constexpr size_t kMinShardBytes = 32 * 1024;
    size_t limit = max_bytes / kMinShardBytes;
    if (requested < limit) limit = requested;
    size_t n = 1;
    while (n * 2 <= limit)
        n *= 2;
    return n;
}

template <class Key, class Value, class Hash, class Eq = std::equal_to<Key>>
class LruMap {
public:
    struct Slot {
        Value value;
        size_t bytes = 0;       // accounted size, node overhead included
        Slot* newer = nullptr;  // towards the most recently used
        Slot* older = nullptr;  // towards the least recently used
        const Key* key = nullptr;
    };

    // What one entry costs besides what its key and value own on the heap:
    // the map node (key, slot, next pointer, cached hash), its share of the
    // bucket array (up to two pointers: the table grows by doubling) and the
    // allocator's header.
    static constexpr size_t kNodeOverhead =
        heap_block(sizeof(std::pair<const Key, Slot>) + 2 * sizeof(void*)) + 2 * sizeof(void*);

    explicit LruMap(size_t budget) : budget_(budget) {}
    LruMap(const LruMap&) = delete;
    LruMap& operator=(const LruMap&) = delete;

    // The entry for `key`, marked most recently used; nullptr if absent.
    // Allocates nothing. `key` may be of another type that Hash and Eq
    // accept (both `is_transparent`), so that a lookup need not build a Key.
    template <class K>
    Slot* find(const K& key) {
        auto it = map_.find(key);
        if (it == map_.end()) return nullptr;
        touch(&it->second);
        return &it->second;
    }

    // Like find() without changing the recency order.
    template <class K>
    Slot* peek(const K& key) {
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }

    // Marks `slot` most recently used.
    void touch(Slot* slot) {
        if (newest_ == slot) return;
        unlink(slot);
        link_front(slot);
    }

    // Inserts or replaces the entry for `key` (taking `key`'s spelling) with
    // an accounted size of `bytes`, then evicts least recently used entries
    // until the budget holds again. An entry larger than the whole budget is
    // not stored, and replaces nothing: an older entry under the key is
    // removed. Returns the stored slot, or nullptr.
    Slot* put(const Key& key, Value value, size_t bytes) {
        auto it = map_.find(key);
        if (bytes > budget_) {
            if (it != map_.end()) remove(it);
            return nullptr;
        }
        Slot* slot = nullptr;
        if (it != map_.end()) {
            slot = &it->second;
            slot->value = std::move(value);
            // Take the new spelling of the key; the node (and so every
            // pointer into it) stays the same.
            auto node = map_.extract(it);
            node.key() = key;
            auto inserted = map_.insert(std::move(node));
            slot->key = &inserted.position->first;
            touch(slot);
        } else {
            auto [pos, ok] = map_.try_emplace(key, Slot{std::move(value)});
            slot = &pos->second;
            slot->key = &pos->first;
            link_front(slot);
        }
        resize(slot, bytes);
        return slot;
    }

    // Sets the accounted size of `slot` (its value grew or shrank in place),
    // then evicts least recently used entries other than `slot` until the
    // budget holds again.
    void resize(Slot* slot, size_t bytes) {
        used_ = used_ - slot->bytes + bytes;
        slot->bytes = bytes;
        while (used_ > budget_ && oldest_ != slot) {
            ++evictions_;
            remove(map_.find(*oldest_->key));
        }
    }

    template <class K>
    bool erase(const K& key) {
        auto it = map_.find(key);
        if (it == map_.end()) return false;
        remove(it);
        return true;
    }

    void erase(Slot* slot) { remove(map_.find(*slot->key)); }

    // Removes every entry for which `pick(key, value)` holds; returns how
    // many. Recency order of the others is kept.
    template <class Pick>
    size_t erase_if(Pick pick) {
        size_t erased = 0;
        for (auto it = map_.begin(); it != map_.end();) {
            if (!pick(it->first, it->second.value)) {
                ++it;
                continue;
            }
            unlink(&it->second);
            used_ -= it->second.bytes;
            it = map_.erase(it);
            ++erased;
        }
        return erased;
    }

    // Calls `visit(key, value)` for every entry, in no particular order.
    template <class Visit>
    void for_each(Visit visit) const {
        for (const auto& [key, slot] : map_)
            visit(key, slot.value);
    }

    void clear() {
        map_.clear();
        newest_ = oldest_ = nullptr;
        used_ = 0;
    }

    // Least recently used entry, or nullptr.
    Slot* oldest() const { return oldest_; }

    size_t size() const { return map_.size(); }
    size_t bytes() const { return used_; }
    size_t budget() const { return budget_; }
    uint64_t evictions() const { return evictions_; }

private:
    using Map = std::unordered_map<Key, Slot, Hash, Eq>;

    void unlink(Slot* s) {
        (s->newer ? s->newer->older : newest_) = s->older;
        (s->older ? s->older->newer : oldest_) = s->newer;
        s->newer = s->older = nullptr;
    }
    void link_front(Slot* s) {
        s->older = newest_;
        s->newer = nullptr;
        if (newest_) newest_->newer = s;
        newest_ = s;
        if (!oldest_) oldest_ = s;
    }
    void remove(typename Map::iterator it) {
        Slot* s = &it->second;
        unlink(s);
        used_ -= s->bytes;
        map_.erase(it);
    }

    Map map_;
    size_t budget_;
    size_t used_ = 0;
    uint64_t evictions_ = 0;
    Slot* newest_ = nullptr;
    Slot* oldest_ = nullptr;
};

}  // namespace cairn::cache::detail
