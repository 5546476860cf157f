// The per-worker cache of whole answers, as the pipeline sees it. The daemon
// plugs in cache::PacketCache (WorkerPacketCache); tests plug in fakes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "cache/packet_cache.h"

namespace cairn::server {

// Figures for the control command, safe to read from any thread.
struct ResponseCacheFigures {
    uint64_t entries = 0;
    uint64_t memory = 0;
};

class ResponseCache {
public:
    virtual ~ResponseCache() = default;
    // cache::PacketCache::lookup: the answer for `key` copied into `out`
    // with ID, question spelling and TTLs patched; 0 on a miss or when it
    // does not fit. Must not allocate.
    virtual size_t lookup(const cache::PacketKeyView& key, uint16_t id,
                          const wire::Name& question_spelling, int64_t now,
                          std::span<uint8_t> out) = 0;
    virtual void insert(const cache::PacketKeyView& key, std::span<const uint8_t> answer,
                        uint32_t ttl, int64_t now) = 0;
    virtual void clear() = 0;
    virtual ResponseCacheFigures figures() const = 0;
};

}  // namespace cairn::server
