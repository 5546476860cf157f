// The figures of `cairnctl stats` as a Prometheus page (/metrics): the
// same numbers under Prometheus names, with the distributions the control
// command cannot show.
//
// Names: `<layer>.<name>` becomes `cairn_<layer>_<name>`, with `_total`
// for a counter (`server.dropped` -> `cairn_server_dropped_total`,
// `process.uptime_seconds` -> `cairn_process_uptime_seconds`). Figures
// that are one quantity split by a kind become one labelled family:
//   cache.<c>_entries, _memory, _evictions -> cairn_cache_entries,
//       cairn_cache_bytes, cairn_cache_evictions_total {cache="<c>"}
//   resolver.dnssec_secure, _insecure, _bogus, _failures
//       -> cairn_dnssec_outcomes_total {outcome="secure" ... "failed"}
//   resolver.limit_<l> -> cairn_resolver_limits_reached_total {limit="<l>"}
//   server.queries_udp, _tcp -> cairn_queries_total {transport}
//   server.rcode_<r> -> cairn_answers_total {transport, rcode}
//   rpz.<figure>.<zone> -> cairn_rpz_<figure>[_total] {zone}, and
//   rpz.hits.<trigger>.<action>.<zone> -> cairn_rpz_hits_total
//       {zone, trigger, action}
// and the histograms cairn_answer_latency_seconds {transport} and
// cairn_upstream_rtt_seconds. transport is udp, tcp, dot, doh or doq.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "observe/prometheus_text.h"
#include "server/stats.h"

namespace cairn::server {

// Where a stat goes on the page; an empty family: in the client families
// (queries and answers by transport) instead.
struct MetricPlace {
    std::string family;
    observe::MetricType type = observe::MetricType::kCounter;
    std::string label;  // empty: none
    std::string label_value;
    // Labels after that one (rpz.hits: trigger and action).
    observe::Labels more_labels{};
};

MetricPlace metric_place(std::string_view stat_name, bool gauge);

std::vector<observe::MetricFamily> metric_families(const Figures& figures);

// The text of /metrics.
std::string metrics_page(const Figures& figures);

}  // namespace cairn::server
