// What the workers count, summed over workers: named figures for the
// control command `stats` (one `name value` line each; names are
// `<layer>.<counter>`), and, for /metrics, the same figures with the
// distributions that do not fit one line (answers by protocol and rcode,
// latency histograms).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cache/caches.h"
#include "net/query_handler.h"
#include "net/transport_metrics.h"
#include "observe/dnstap_recorder.h"
#include "observe/histogram.h"
#include "resolve/resolver_metrics.h"
#include "server/dns64_resolver.h"
#include "server/response_cache.h"
#include "server/server_metrics.h"

namespace cairn::server {

struct Stat {
    std::string name;
    uint64_t value = 0;
    // A level (open connections, cache entries), not a count of events:
    // not carried over when the workers are replaced by a reload.
    bool gauge = false;
    // One sentence for the operator: the HELP line of /metrics.
    std::string_view help;
};

using Stats = std::vector<Stat>;

// Client traffic by protocol (net::Protocol order).
struct ClientFigures {
    std::array<uint64_t, net::kProtocols> queries{};
    std::array<std::array<uint64_t, kRcodeClasses>, net::kProtocols> answers{};
    std::array<observe::HistogramCounts, net::kProtocols> latency{};

    ClientFigures& operator+=(const ClientFigures& other);
};

// Everything one worker, a service or the daemon counts. All of it but
// the gauges in `stats` adds up across reloads.
struct Figures {
    Stats stats;
    ClientFigures clients;
    // Round trips of upstream queries that got an answer.
    observe::HistogramCounts upstream_rtt;
};

void append_stats(Stats& out, const ServerMetrics& metrics);
void append_stats(Stats& out, const net::TransportMetrics& metrics);
void append_stats(Stats& out, const resolve::ResolverMetrics& metrics);
// server.dns64_synthesised and server.dns64_ptr_synthesised; zeros when
// `metrics` is null (DNS64 off), so the figures are always there.
void append_dns64_stats(Stats& out, const Dns64Metrics* metrics);
void append_packet_cache_stats(Stats& out, const ResponseCacheFigures& figures);
void append_stats(Stats& out, const cache::Caches& caches);
// dnstap.frames (handed to the writer) and dnstap.dropped (queue full, or no
// reader connected).
void append_dnstap_stats(Stats& out, const observe::DnstapRecorder& recorder);

ClientFigures client_figures(const ServerMetrics& metrics);

// Adds `more` into `total` by name; names new to `total` are appended.
void add_stats(Stats& total, const Stats& more);
void add_figures(Figures& total, const Figures& more);
// `figures` without its gauges: what a retired worker leaves to the totals.
Figures counters_of(const Figures& figures);

// "name value\n" per stat.
std::string format_stats(const Stats& stats);
// One JSON object, {"name": value, ...}, in the same order.
std::string format_stats_json(const Stats& stats);

}  // namespace cairn::server
