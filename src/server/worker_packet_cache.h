// cache::PacketCache as a worker's ResponseCache. The packet cache belongs
// to one thread and is not safe to query from another, so its figures are
// copied into atomics after every change, for the control command to read.
#pragma once

#include <atomic>

#include "cache/packet_cache.h"
#include "server/response_cache.h"

namespace cairn::server {

class WorkerPacketCache final : public ResponseCache {
public:
    explicit WorkerPacketCache(size_t max_bytes) : cache_(max_bytes) {}

    size_t lookup(const cache::PacketKeyView& key, uint16_t id, const wire::Name& question_spelling,
                  int64_t now, std::span<uint8_t> out) override {
        return cache_.lookup(key, id, question_spelling, now, out);
    }
    void insert(const cache::PacketKeyView& key, std::span<const uint8_t> answer, uint32_t ttl,
                int64_t now) override;
    void clear() override;
    ResponseCacheFigures figures() const override;

private:
    void publish();

    cache::PacketCache cache_;
    std::atomic<uint64_t> entries_{0};
    std::atomic<uint64_t> memory_{0};
};

}  // namespace cairn::server
