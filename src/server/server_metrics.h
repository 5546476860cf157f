// Counters of the request pipeline of one worker. Only that worker writes
// them (net::count: a plain load and store); the control command sums them
// over workers.
#pragma once

#include <cstdint>

#include "net/transport_metrics.h"

namespace cairn::server {

using net::Counter;

struct ServerMetrics {
    Counter queries_udp{0};
    Counter queries_tcp{0};
    // Not a query, so no answer: header or question unreadable, QR=1, or
    // QDCOUNT other than 1.
    Counter dropped{0};
    // Answered SERVFAIL at once: max-inflight reached on this worker, or the
    // client's share of it.
    Counter refused_inflight{0};
    Counter refused_inflight_client{0};
    Counter refused_acl{0};  // client not in `allow`
    Counter packet_cache_hits{0};
    Counter packet_cache_misses{0};
    Counter resolutions{0};  // queries handed to the resolver
    Counter truncated{0};    // answers sent with TC=1
    // UDP responses over their client prefix's rate limit (dropped, or sent
    // as a slip), by class; and the slips.
    Counter rate_limited_answers{0};
    Counter rate_limited_nxdomains{0};
    Counter rate_limited_errors{0};
    Counter rate_limit_slips{0};
    // Queries with a COOKIE option: a valid server cookie, a server cookie
    // that is not (stale, or made with another secret), or a client cookie
    // alone; and rate-limited answers sent as BADCOOKIE with a fresh cookie.
    Counter cookies_valid{0};
    Counter cookies_invalid{0};
    Counter cookies_new{0};
    Counter badcookie_sent{0};
    // Answers by rcode.
    Counter rcode_noerror{0};
    Counter rcode_formerr{0};
    Counter rcode_servfail{0};
    Counter rcode_nxdomain{0};
    Counter rcode_notimp{0};
    Counter rcode_refused{0};
    Counter rcode_badvers{0};
    Counter rcode_badcookie{0};
    Counter rcode_other{0};
    Counter inflight{0};  // gauge: resolutions running now
};

}  // namespace cairn::server
