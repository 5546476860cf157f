// Settings of the cache layer, filled in by config.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace cairn::cache {

struct CacheOptions {
    // Memory bound for all caches together (RRsets, negative answers,
    // packets), in bytes of accounted entry size.
    size_t max_bytes = 256u << 20;
    uint32_t max_ttl = 86400;
    uint32_t min_ttl = 0;
    // RFC 2308 §5: negative answers are kept for at most this long.
    uint32_t max_negative_ttl = 3600;
    // Serve-stale (RFC 8767 §5): expired data is kept this long for use
    // when its zone cannot be reached; 0 keeps nothing. Signed data never
    // outlives its RRSIGs.
    uint32_t stale_max = 86400;
    // Lock shards of the shared caches; a power of two.
    size_t shards = 64;

    bool operator==(const CacheOptions&) const = default;
};

// A zone's own lifetimes for the data it is stored with (zone-policy,
// policy/zone_policy.h); each unset field is CacheOptions' value.
struct TtlOverride {
    std::optional<uint32_t> min_ttl;
    std::optional<uint32_t> max_ttl;
    std::optional<uint32_t> stale_max;

    bool operator==(const TtlOverride&) const = default;
};

}  // namespace cairn::cache
