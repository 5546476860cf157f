#include "server/worker_packet_cache.h"

namespace cairn::server {

void WorkerPacketCache::insert(const cache::PacketKeyView& key, std::span<const uint8_t> answer,
                               uint32_t ttl, int64_t now) {
    cache_.insert(key, answer, ttl, now);
    publish();
}

void WorkerPacketCache::clear() {
    cache_.clear();
    publish();
}

ResponseCacheFigures WorkerPacketCache::figures() const {
    return {entries_.load(std::memory_order_relaxed), memory_.load(std::memory_order_relaxed)};
}

void WorkerPacketCache::publish() {
    entries_.store(cache_.entries(), std::memory_order_relaxed);
    memory_.store(cache_.memory_used(), std::memory_order_relaxed);
}

}  // namespace cairn::server
