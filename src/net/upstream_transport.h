// Upstream queries over UDP and TCP (DESIGN.md "Upstream hygiene"): the net
// layer's implementation of resolve::Upstream.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cache/infra_cache.h"
#include "net/client_cookie.h"
#include "net/dot_client.h"
#include "net/random_pool.h"
#include "net/upstream_attempt.h"
#include "net/upstream_match.h"
#include "net/upstream_metrics.h"
#include "net/upstream_options.h"
#include "observe/histogram.h"
#include "resolve/upstream.h"
#include "wire/ip_address.h"

namespace cairn::net {

struct UpstreamSettings {
    // Source addresses to bind; for each query one of the server's family
    // is picked at random. None of that family: the kernel's choice.
    std::vector<wire::IpAddress> outgoing;
    UpstreamOptions options;
    // What client cookies are derived from. The same for every worker's
    // transport (and across reloads), so that the server cookies one learns
    // in the shared infrastructure cache are valid for the others.
    CookieSecret cookie_secret = random_cookie_secret();
    // CA certificates (PEM) for forwarders asked over TLS; empty: the
    // system's store.
    std::string tls_ca_file;
};

// One per worker, bound to that worker's io_context; exchange() must be
// awaited from a coroutine running there. Exchanges may overlap freely:
// each has its own socket, ID and timer, and leaves nothing behind when it
// returns (a timeout cancels and waits for everything it started).
//
// Every query gets a fresh UDP socket on a random ephemeral port (the
// kernel's pick), connect()ed so that the kernel drops datagrams from other
// sources and reports ICMP errors; a random ID; the QNAME's letters in
// random case (0x20); and, with EDNS, a client cookie (RFC 7873) with the
// server's cookie once known. Only a response with our ID and our
// question, in our case, is accepted (RFC 5452), and once the server has
// answered with a valid cookie, only one that echoes our client cookie.
//
// Other datagrams are near misses: a query that has seen
// `spoof-nearmiss-max` of them is being raced by a forger, and is asked
// again over TCP, where an off-path attacker cannot answer; below that (or
// with no limit) they are ignored until the timeout. A reply that differs
// from the answer only in the QNAME's case, or in a missing or wrong
// cookie, goes to TCP at once. Only what TCP says changes what is known of
// the server: a TCP answer in another case marks it as not preserving case
// (asked in lower case for a while), a TCP answer without our cookie as no
// longer using cookies. An attacker can thus force TCP, never turn 0x20 or
// cookies off. BADCOOKIE is asked again once over UDP with the new server
// cookie, then over TCP.
//
// TC=1 means asking again over TCP (RFC 7766), with a fresh ID and a
// timeout of its own of the same length. The reply's rtt is the time from
// sending to the response that came first (the truncated datagram when TC=1
// led to TCP; connect to answer when TCP was forced or the UDP replies
// looked forged), on the monotonic clock. The reply's question and the
// owner names echoed from it are in the case the resolver asked.
class UpstreamTransport final : public resolve::Upstream {
public:
    // `infra` holds what is learnt about servers (shared by all workers);
    // `metrics` counts replies taken for forgeries (may be shared too);
    // `dnstap`, this worker's recorder, sees each query and the response
    // taken (null: not recorded).
    UpstreamTransport(asio::io_context& io, cache::InfraCache& infra, UpstreamMetrics& metrics,
                      UpstreamSettings settings = {}, observe::DnstapRecorder* dnstap = nullptr);

    asio::awaitable<resolve::UpstreamReply> exchange(resolve::UpstreamQuery query) override;

    // The round trips (the reply's rtt) of the queries that got an answer;
    // written by this worker only, readable from any thread.
    const observe::Histogram& rtt_histogram() const { return rtt_; }

private:
    struct Plan;
    Plan plan(const resolve::UpstreamQuery& query);
    // A fresh ID and the question as it goes out to the server.
    ExpectedReply expect(const resolve::UpstreamQuery& query, const Plan& plan);
    // UDP, with one more try after BADCOOKIE; what came of it, and the
    // reply that was expected.
    asio::awaitable<std::pair<UpstreamAttempt, ExpectedReply>> over_udp(
        const resolve::UpstreamQuery& query, Plan& plan);
    // Remembers the server's cookie from an answer, or (over TCP) that it
    // no longer uses cookies.
    void learn_cookie(const wire::IpAddress& server, Plan& plan, const UpstreamAttempt& attempt,
                      bool via_tcp);
    // DNS over TLS (query.tls_name set): no UDP, no cookies, never clear text.
    asio::awaitable<resolve::UpstreamReply> over_tls(const resolve::UpstreamQuery& query);
    // `reply`, its round trip recorded if it is an answer.
    resolve::UpstreamReply timed(resolve::UpstreamReply reply);

    asio::io_context& io_;
    cache::InfraCache& infra_;
    UpstreamMetrics& metrics_;
    const UpstreamSettings settings_;
    observe::DnstapRecorder* const dnstap_;
    RandomPool random_;
    observe::Histogram rtt_;
    DotClient dot_;
};

}  // namespace cairn::net
