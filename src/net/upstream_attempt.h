// One attempt at one upstream query over one transport: a UDP socket and
// the datagrams that come back to it, or one TCP connection. Sockets,
// framing, and what the replies come to; UpstreamTransport decides which
// attempts to make and what to learn from them.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cache/infra_cache.h"
#include "net/client_cookie.h"
#include "net/dnstap_upstream.h"
#include "net/upstream_match.h"
#include "net/upstream_metrics.h"
#include "resolve/upstream.h"
#include "wire/ip_address.h"

namespace cairn::net {

// What comes after a UDP attempt.
enum class AttemptNext : uint8_t {
    kDone,           // its result is the exchange's
    kTcpTruncated,   // TC=1 (RFC 7766)
    kTcpSuspicious,  // a reply looked forged
    kTcpUnverified,  // a reply only TCP can confirm, or BADCOOKIE once more
};

// What one attempt came to.
struct UpstreamAttempt {
    resolve::UpstreamStatus status = resolve::UpstreamStatus::kTimeout;
    AttemptNext next = AttemptNext::kDone;
    // TCP: the answer came back with the QNAME in another case.
    bool case_blind = false;
    // The client cookie the query carried, if any.
    std::optional<ClientCookie> client_cookie;
    wire::Message message;
    std::chrono::microseconds rtt{0};
};

UpstreamAttempt failed(resolve::UpstreamStatus status);

// The most a UDP reply to `query` may hold: the EDNS size we advertise, or
// 512 octets without EDNS (RFC 6891 §6.2.5, RFC 1035 §4.2.1). The receive
// buffer is sized to it; a longer reply is asked again over TCP.
size_t udp_reply_limit(const resolve::UpstreamQuery& query);

// Near misses seen by one UDP query, against the limit (PowerDNS
// Recursor's spoof-nearmiss-max). Each query has a socket of its own, on a
// fresh port, connect()ed to its server: nothing but the answer is due
// there, so a stray reply is a guess.
struct NearMisses {
    uint32_t limit = 0;  // 0: no limit
    uint32_t seen = 0;

    // Counts one; true when the query should leave UDP.
    bool add(UpstreamMetrics& metrics);
};

// What an attempt needs to send a cookie (RFC 7873 §5.1).
struct CookieOffer {
    const CookieSecret* secret = nullptr;  // null: no cookie
    std::optional<cache::ServerCookie> known;

    // The COOKIE option for a query from `local` to `server`: our client
    // cookie, and the server's if it was given for that one. Fills in what
    // the reply must echo.
    std::optional<wire::CookieOption> option(const wire::IpAddress& local,
                                             const wire::IpAddress& server,
                                             ExpectedReply& expected) const;
};

// The query as it goes out: `expected`'s ID and question, the flags and EDNS
// of `query`, and `cookie` if any.
std::vector<uint8_t> query_wire(const resolve::UpstreamQuery& query, const ExpectedReply& expected,
                                std::optional<wire::CookieOption> cookie);

// What a checked message read from a stream (TCP, TLS) comes to, or
// nullopt to keep reading. Nobody off the path can answer on a stream: what
// the server sends is its answer, whatever the case of its question.
std::optional<UpstreamAttempt> conclude_tcp(ResponseCheck check, std::span<const uint8_t> data,
                                            std::chrono::steady_clock::time_point start,
                                            UpstreamMetrics& metrics);

// Runs `attempt` until it finishes or `timeout` passes, whichever is first;
// either way the other is cancelled and has completed when this returns.
asio::awaitable<UpstreamAttempt> with_timeout(asio::awaitable<UpstreamAttempt> attempt,
                                              std::chrono::milliseconds timeout);

// A fresh socket on a random port (bound to `source` if given), connect()ed
// to the server, one datagram out, and replies read until one decides.
// `tap` sees the query and the datagram that decided (dnstap).
asio::awaitable<UpstreamAttempt> udp_attempt(asio::io_context& io, resolve::UpstreamQuery query,
                                             ExpectedReply expected,
                                             std::optional<wire::IpAddress> source,
                                             CookieOffer offer, NearMisses near_misses,
                                             UpstreamMetrics& metrics, UpstreamTap tap = {});

// One TCP connection, one query (RFC 7766), messages read until one is the
// answer. Nobody off the path can answer here: a reply in another case or
// without our cookie is the server's own.
asio::awaitable<UpstreamAttempt> tcp_attempt(asio::io_context& io, resolve::UpstreamQuery query,
                                             ExpectedReply expected,
                                             std::optional<wire::IpAddress> source,
                                             CookieOffer offer, UpstreamMetrics& metrics,
                                             UpstreamTap tap = {});

}  // namespace cairn::net
