#include "net/upstream_transport.h"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <optional>
#include <variant>

#include "net/endpoint.h"
#include "net/qname_case.h"

namespace cairn::net {
namespace {

using namespace asio::experimental::awaitable_operators;
using resolve::UpstreamQuery;
using resolve::UpstreamReply;
using resolve::UpstreamStatus;
using Clock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kMaxMessage = 65535;

std::vector<uint8_t> query_wire(const UpstreamQuery& query, const ExpectedReply& expected) {
    wire::Message m;
    m.header.id = expected.id;
    m.header.rd = query.recursion_desired;
    m.header.cd = query.checking_disabled;
    m.questions.push_back(expected.question);
    if (query.use_edns) {
        wire::Edns edns;
        edns.udp_size = query.edns_udp_size;
        edns.dnssec_ok = query.dnssec_ok;
        m.edns = std::move(edns);
    }
    return m.to_wire();
}

// What comes after a UDP attempt.
enum class Next : uint8_t {
    kDone,           // its result is the exchange's
    kTcpTruncated,   // TC=1 (RFC 7766)
    kTcpSuspicious,  // a reply looked forged
    kTcpUnverified,  // a reply only TCP can confirm
};

// What one attempt over one transport came to.
struct Attempt {
    UpstreamStatus status = UpstreamStatus::kTimeout;
    Next next = Next::kDone;
    // TCP: the answer came back with the QNAME in another case.
    bool case_blind = false;
    wire::Message message;
    std::chrono::microseconds rtt{0};
};

Attempt failed(UpstreamStatus status) {
    Attempt a;
    a.status = status;
    return a;
}

// A cancelled operation belongs to an attempt whose time ran out.
UpstreamStatus status_of(const std::error_code& ec) {
    return ec == asio::error::operation_aborted ? UpstreamStatus::kTimeout
                                                : UpstreamStatus::kNetworkError;
}

std::chrono::microseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

// Runs `attempt` until it finishes or `timeout` passes, whichever is first;
// either way the other is cancelled and has completed when this returns.
asio::awaitable<Attempt> with_timeout(asio::awaitable<Attempt> attempt,
                                      std::chrono::milliseconds timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto first = co_await (std::move(attempt) || timer.async_wait(kNoThrow));
    if (auto* done = std::get_if<0>(&first)) co_return std::move(*done);
    co_return failed(UpstreamStatus::kTimeout);
}

Attempt concluded(UpstreamStatus status, Clock::time_point start) {
    Attempt a = failed(status);
    a.rtt = since(start);
    return a;
}

// Near misses seen by one UDP query, against the limit (PowerDNS
// Recursor's spoof-nearmiss-max). Each query has a socket of its own, on a
// fresh port, connect()ed to its server: nothing but the answer is due
// there, so a stray reply is a guess.
struct NearMisses {
    uint32_t limit = 0;  // 0: no limit
    uint32_t seen = 0;

    // Counts one; true when the query should leave UDP.
    bool add(UpstreamMetrics& metrics) {
        count_shared(metrics.near_misses);
        ++seen;
        return limit != 0 && seen >= limit;
    }
};

// What a check of a datagram says the UDP attempt comes to, or nullopt to
// keep waiting.
std::optional<Attempt> conclude_udp(ResponseCheck check, Clock::time_point start,
                                    NearMisses& near_misses, UpstreamMetrics& metrics) {
    Attempt a = concluded(UpstreamStatus::kOk, start);
    switch (check.verdict) {
        case ResponseVerdict::kMismatch:
            if (!near_misses.add(metrics)) return std::nullopt;
            a.next = Next::kTcpSuspicious;
            break;
        case ResponseVerdict::kMalformed: a.status = UpstreamStatus::kMalformed; break;
        case ResponseVerdict::kTruncated: a.next = Next::kTcpTruncated; break;
        case ResponseVerdict::kCaseMismatch:
            // Whatever the limit: only TCP can tell a forger from a server
            // that does not preserve case.
            count_shared(metrics.case_mismatches);
            near_misses.add(metrics);
            a.next = Next::kTcpSuspicious;
            break;
        case ResponseVerdict::kUnverified: a.next = Next::kTcpUnverified; break;
        case ResponseVerdict::kAccept: a.message = std::move(check.message); break;
    }
    return a;
}

// The same over TCP, where nobody off the path can answer for the server:
// what it sends is its answer, whatever the case of its question.
std::optional<Attempt> conclude_tcp(ResponseCheck check, std::span<const uint8_t> data,
                                    Clock::time_point start, UpstreamMetrics& metrics) {
    Attempt a = concluded(UpstreamStatus::kOk, start);
    switch (check.verdict) {
        case ResponseVerdict::kMismatch: return std::nullopt;
        case ResponseVerdict::kMalformed: a.status = UpstreamStatus::kMalformed; break;
        case ResponseVerdict::kTruncated: {
            // There is nowhere further to go: TC=1 is the answer.
            auto full = wire::Message::parse(data);
            if (!full) return concluded(UpstreamStatus::kMalformed, start);
            a.message = std::move(*full);
            break;
        }
        case ResponseVerdict::kCaseMismatch:
            count_shared(metrics.case_mismatches);
            a.case_blind = true;
            a.message = std::move(check.message);
            break;
        case ResponseVerdict::kUnverified:
        case ResponseVerdict::kAccept: a.message = std::move(check.message); break;
    }
    return a;
}

template <class Socket>
std::error_code open_socket(Socket& socket, const typename Socket::endpoint_type& server,
                            const std::optional<wire::IpAddress>& source) {
    std::error_code ec;
    socket.open(server.protocol(), ec);
    if (ec) return ec;
    // Port 0: the kernel picks a random ephemeral port (RFC 6056).
    if (source) socket.bind({to_asio(*source), 0}, ec);
    return ec;
}

asio::awaitable<Attempt> udp_attempt(asio::io_context& io, UpstreamQuery query,
                                     ExpectedReply expected, std::optional<wire::IpAddress> source,
                                     NearMisses near_misses, UpstreamMetrics& metrics) {
    const auto request = query_wire(query, expected);
    const auto server = udp_endpoint(query.server);
    asio::ip::udp::socket socket(io);
    if (auto ec = open_socket(socket, server, source)) co_return failed(status_of(ec));
    // Connected: the kernel drops datagrams from anyone but the server, and
    // reports its ICMP errors (ECONNREFUSED) to us.
    std::error_code ec;
    socket.connect(server, ec);
    if (ec) co_return failed(status_of(ec));

    const auto start = Clock::now();
    auto [send_ec, sent] = co_await socket.async_send(asio::buffer(request), kNoThrow);
    if (send_ec) co_return failed(status_of(send_ec));
    (void)sent;
    std::vector<uint8_t> buffer(kMaxMessage);
    for (;;) {
        auto [recv_ec, n] = co_await socket.async_receive(asio::buffer(buffer), kNoThrow);
        if (recv_ec) co_return failed(status_of(recv_ec));
        auto check = check_response(std::span<const uint8_t>(buffer).first(n), expected);
        if (auto done = conclude_udp(std::move(check), start, near_misses, metrics))
            co_return std::move(*done);
    }
}

asio::awaitable<Attempt> tcp_attempt(asio::io_context& io, UpstreamQuery query,
                                     ExpectedReply expected, std::optional<wire::IpAddress> source,
                                     UpstreamMetrics& metrics) {
    const auto request = query_wire(query, expected);
    const auto server = tcp_endpoint(query.server);
    asio::ip::tcp::socket socket(io);
    if (auto ec = open_socket(socket, server, source)) co_return failed(status_of(ec));

    const auto start = Clock::now();
    auto [connect_ec] = co_await socket.async_connect(server, kNoThrow);
    if (connect_ec) co_return failed(status_of(connect_ec));
    // RFC 1035 §4.2.2: two-octet length, then the message; one write.
    std::vector<uint8_t> framed;
    framed.reserve(2 + request.size());
    framed.push_back(static_cast<uint8_t>(request.size() >> 8));
    framed.push_back(static_cast<uint8_t>(request.size()));
    framed.insert(framed.end(), request.begin(), request.end());
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(framed), kNoThrow);
    if (write_ec) co_return failed(status_of(write_ec));
    (void)written;

    std::vector<uint8_t> buffer(kMaxMessage);
    for (;;) {
        std::array<uint8_t, 2> prefix{};
        auto [len_ec, len_n] = co_await asio::async_read(socket, asio::buffer(prefix), kNoThrow);
        if (len_ec) co_return failed(status_of(len_ec));
        (void)len_n;
        const size_t length = wire::load_u16(prefix.data());
        auto [body_ec, body_n] =
            co_await asio::async_read(socket, asio::buffer(buffer.data(), length), kNoThrow);
        if (body_ec) co_return failed(status_of(body_ec));
        const auto data = std::span<const uint8_t>(buffer).first(body_n);
        if (auto done = conclude_tcp(check_response(data, expected), data, start, metrics))
            co_return std::move(*done);
    }
}

UpstreamReply to_reply(Attempt attempt, const UpstreamQuery& query, const ExpectedReply& expected,
                       bool via_tcp) {
    UpstreamReply reply;
    reply.status = attempt.status;
    reply.message = std::move(attempt.message);
    if (reply.status == UpstreamStatus::kOk)
        restore_case(reply.message, expected.question.name, query.question.name);
    reply.rtt = attempt.rtt;
    reply.via_tcp = via_tcp;
    return reply;
}

}  // namespace

struct UpstreamTransport::Plan {
    std::optional<wire::IpAddress> source;
    bool use_0x20 = false;
};

UpstreamTransport::UpstreamTransport(asio::io_context& io, cache::InfraCache& infra,
                                     UpstreamMetrics& metrics, UpstreamSettings settings)
    : io_(io), infra_(infra), metrics_(metrics), settings_(std::move(settings)) {}

UpstreamTransport::Plan UpstreamTransport::plan(const UpstreamQuery& query) {
    Plan plan;
    // A source address of the server's family, picked at random.
    std::vector<const wire::IpAddress*> candidates;
    for (const auto& address : settings_.outgoing)
        if (address.is_v4() == query.server.address.is_v4()) candidates.push_back(&address);
    if (!candidates.empty())
        plan.source = *candidates[random_.below(static_cast<uint32_t>(candidates.size()))];
    const auto hygiene = infra_.hygiene(query.server.address, Clock::now());
    plan.use_0x20 = settings_.options.qname_case_randomisation && hygiene.preserves_case;
    return plan;
}

ExpectedReply UpstreamTransport::expect(const UpstreamQuery& query, const Plan& plan) {
    ExpectedReply expected;
    // RFC 5452 §9.2: an ID an off-path attacker cannot predict.
    expected.id = random_.u16();
    expected.question = query.question;
    if (plan.use_0x20) {
        expected.question.name = randomise_case(query.question.name, random_);
        expected.exact_case = true;
    } else if (settings_.options.qname_case_randomisation) {
        // A server known not to preserve case.
        expected.question.name = query.question.name.lowercased();
    }
    return expected;
}

asio::awaitable<UpstreamReply> UpstreamTransport::exchange(UpstreamQuery query) {
    if (query.timeout.count() <= 0)
        co_return to_reply(failed(UpstreamStatus::kTimeout), query, {}, false);
    const Plan p = plan(query);

    std::optional<std::chrono::microseconds> udp_rtt;
    if (!query.force_tcp) {
        const auto expected = expect(query, p);
        const NearMisses near_misses{settings_.options.spoof_nearmiss_max};
        Attempt udp = co_await with_timeout(
            udp_attempt(io_, query, expected, p.source, near_misses, metrics_), query.timeout);
        switch (udp.next) {
            case Next::kDone: co_return to_reply(std::move(udp), query, expected, false);
            case Next::kTcpTruncated: udp_rtt = udp.rtt; break;
            case Next::kTcpSuspicious: count_shared(metrics_.spoof_tcp_retries); break;
            case Next::kTcpUnverified: break;
        }
    }
    const auto expected = expect(query, p);
    Attempt tcp =
        co_await with_timeout(tcp_attempt(io_, query, expected, p.source, metrics_), query.timeout);
    if (tcp.case_blind) {
        infra_.mark_case_blind(query.server.address, Clock::now());
        count_shared(metrics_.case_blind_servers);
    }
    // The server's round trip is best measured by the datagram it answered;
    // a TCP exchange adds the handshake.
    if (udp_rtt && tcp.status == UpstreamStatus::kOk) tcp.rtt = *udp_rtt;
    co_return to_reply(std::move(tcp), query, expected, true);
}

}  // namespace cairn::net
