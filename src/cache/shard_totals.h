// Whole-cache figures of a sharded cache: each shard's lock is taken in turn,
// only for reading its own map.
#pragma once

#include <cstdint>
#include <mutex>

namespace cairn::cache {

// Sum of `read(shard->map)` over `shards` (a range of pointers to shards that
// have a `mutex` and a `map`).
template <class Shards, class Read>
uint64_t sum_over_shards(const Shards& shards, Read read) {
    uint64_t total = 0;
    for (const auto& shard : shards) {
        std::lock_guard lock(shard->mutex);
        total += read(shard->map);
    }
    return total;
}

template <class Shards>
void clear_shards(Shards& shards) {
    for (auto& shard : shards) {
        std::lock_guard lock(shard->mutex);
        shard->map.clear();
    }
}

}  // namespace cairn::cache
