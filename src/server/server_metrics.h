// Counters of the request pipeline of one worker. Only that worker writes
// them (net::count: a plain load and store; Histogram::record likewise);
// the control command and /metrics sum them over workers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/query_handler.h"
#include "net/transport_metrics.h"
#include "observe/histogram.h"
#include "wire/types.h"

namespace cairn::server {

using net::Counter;

// The rcodes answers are counted by; the rest are kOther.
enum class RcodeClass : uint8_t {
    kNoerror,
    kFormerr,
    kServfail,
    kNxdomain,
    kNotimp,
    kRefused,
    kBadvers,
    kBadcookie,
    kOther
};
inline constexpr size_t kRcodeClasses = 9;

// Inline: it runs for every answer.
constexpr RcodeClass rcode_class(unsigned rcode) {
    switch (static_cast<wire::Rcode>(rcode)) {
        case wire::Rcode::NOERROR: return RcodeClass::kNoerror;
        case wire::Rcode::FORMERR: return RcodeClass::kFormerr;
        case wire::Rcode::SERVFAIL: return RcodeClass::kServfail;
        case wire::Rcode::NXDOMAIN: return RcodeClass::kNxdomain;
        case wire::Rcode::NOTIMP: return RcodeClass::kNotimp;
        case wire::Rcode::REFUSED: return RcodeClass::kRefused;
        case wire::Rcode::BADVERS: return RcodeClass::kBadvers;
        case wire::Rcode::BADCOOKIE: return RcodeClass::kBadcookie;
        default: return RcodeClass::kOther;
    }
}
// "noerror", ..., "other": the `server.rcode_*` stat names.
const char* rcode_class_name(RcodeClass rcode);
// "NOERROR", ..., "OTHER": the rcode label on /metrics.
const char* rcode_class_label(RcodeClass rcode);

constexpr size_t protocol_index(net::Protocol protocol) {
    return static_cast<size_t>(protocol);
}
constexpr size_t protocol_index(net::ClientProtocol protocol) {
    return protocol_index(net::figures_protocol(protocol));
}

struct ServerMetrics {
    // Queries read, by the protocol that carried them (server.queries_udp;
    // server.queries_tcp counts every stream protocol).
    std::array<Counter, net::kProtocols> queries{};
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
    // Queries the local zones answered (or dropped: `deny`; counted in both).
    Counter local_answers{0};
    Counter local_dropped{0};
    Counter truncated{0};  // answers sent with TC=1
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
    // Answers, by protocol and rcode (server.rcode_* sums the protocols).
    std::array<std::array<Counter, kRcodeClasses>, net::kProtocols> answers{};
    // Time from a query read to its answer sent (handed to the transport),
    // by protocol; one observation per answer counted above.
    std::array<observe::Histogram, net::kProtocols> answer_latency;
    Counter inflight{0};  // gauge: resolutions running now
};

}  // namespace cairn::server
