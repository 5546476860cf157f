// Named figures for the control command `stats`: one `name value` line
// each, summed over workers. Names are `<layer>.<counter>`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cache/caches.h"
#include "net/transport_metrics.h"
#include "resolve/resolver_metrics.h"
#include "server/response_cache.h"
#include "server/server_metrics.h"

namespace cairn::server {

struct Stat {
    std::string name;
    uint64_t value = 0;
    // A level (open connections, cache entries), not a count of events:
    // not carried over when the workers are replaced by a reload.
    bool gauge = false;
};

using Stats = std::vector<Stat>;

void append_stats(Stats& out, const ServerMetrics& metrics);
void append_stats(Stats& out, const net::TransportMetrics& metrics);
void append_stats(Stats& out, const resolve::ResolverMetrics& metrics);
void append_packet_cache_stats(Stats& out, const ResponseCacheFigures& figures);
void append_stats(Stats& out, const cache::Caches& caches);

// Adds `more` into `total` by name; names new to `total` are appended.
void add_stats(Stats& total, const Stats& more);

// "name value\n" per stat.
std::string format_stats(const Stats& stats);
// One JSON object, {"name": value, ...}, in the same order.
std::string format_stats_json(const Stats& stats);

}  // namespace cairn::server
