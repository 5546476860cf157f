#include "net/upstream_attempt.h"

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

namespace cairn::net {
namespace {

using namespace asio::experimental::awaitable_operators;
using resolve::UpstreamQuery;
using resolve::UpstreamStatus;
using Clock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace

std::vector<uint8_t> query_wire(const UpstreamQuery& query, const ExpectedReply& expected,
                                std::optional<wire::CookieOption> cookie) {
    wire::Message m;
    m.header.id = expected.id;
    m.header.rd = query.recursion_desired;
    m.header.cd = query.checking_disabled;
    m.questions.push_back(expected.question);
    if (query.use_edns) {
        wire::Edns edns;
        edns.udp_size = query.edns_udp_size;
        edns.dnssec_ok = query.dnssec_ok;
        if (cookie) edns.options.push_back(std::move(*cookie));
        m.edns = std::move(edns);
    }
    return m.to_wire();
}

namespace {

// Our address on a connected socket; nullopt if the kernel will not say.
template <class Socket>
std::optional<wire::IpAddress> local_address(const Socket& socket) {
    std::error_code ec;
    const auto endpoint = socket.local_endpoint(ec);
    if (ec) return std::nullopt;
    return from_asio(endpoint.address());
}

// Our address and port, for dnstap; nullopt if the kernel will not say.
template <class Socket>
std::optional<wire::SocketAddress> local_end(const Socket& socket) {
    std::error_code ec;
    const auto endpoint = socket.local_endpoint(ec);
    if (ec) return std::nullopt;
    return from_endpoint(endpoint);
}

template <class Socket>
std::optional<wire::CookieOption> cookie_for(const Socket& socket, const CookieOffer& offer,
                                             const UpstreamQuery& query, ExpectedReply& expected) {
    const auto local = local_address(socket);
    if (!local || !query.use_edns) return std::nullopt;
    return offer.option(*local, query.server.address, expected);
}

// A cancelled operation belongs to an attempt whose time ran out.
UpstreamStatus status_of(const std::error_code& ec) {
    return ec == asio::error::operation_aborted ? UpstreamStatus::kTimeout
                                                : UpstreamStatus::kNetworkError;
}

std::chrono::microseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

UpstreamAttempt concluded(UpstreamStatus status, Clock::time_point start) {
    UpstreamAttempt a = failed(status);
    a.rtt = since(start);
    return a;
}

// What a check of a datagram says the UDP attempt comes to, or nullopt to
// keep waiting.
std::optional<UpstreamAttempt> conclude_udp(ResponseCheck check, Clock::time_point start,
                                            NearMisses& near_misses, UpstreamMetrics& metrics) {
    UpstreamAttempt a = concluded(UpstreamStatus::kOk, start);
    switch (check.verdict) {
        case ResponseVerdict::kMismatch:
            if (!near_misses.add(metrics)) return std::nullopt;
            a.next = AttemptNext::kTcpSuspicious;
            break;
        case ResponseVerdict::kMalformed: a.status = UpstreamStatus::kMalformed; break;
        case ResponseVerdict::kTruncated: a.next = AttemptNext::kTcpTruncated; break;
        case ResponseVerdict::kCaseMismatch:
            // Whatever the limit: only TCP can tell a forger from a server
            // that does not preserve case.
            count_shared(metrics.case_mismatches);
            near_misses.add(metrics);
            a.next = AttemptNext::kTcpSuspicious;
            break;
        case ResponseVerdict::kUnverified: a.next = AttemptNext::kTcpUnverified; break;
        case ResponseVerdict::kCookieMismatch:
            count_shared(metrics.cookie_mismatches);
            near_misses.add(metrics);
            a.next = AttemptNext::kTcpSuspicious;
            break;
        case ResponseVerdict::kAccept: a.message = std::move(check.message); break;
    }
    return a;
}

}  // namespace

std::optional<UpstreamAttempt> conclude_tcp(ResponseCheck check, std::span<const uint8_t> data,
                                            Clock::time_point start, UpstreamMetrics& metrics) {
    UpstreamAttempt a = concluded(UpstreamStatus::kOk, start);
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
        case ResponseVerdict::kCookieMismatch:  // the server's, whatever it says of cookies
        case ResponseVerdict::kAccept: a.message = std::move(check.message); break;
    }
    return a;
}

namespace {

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

}  // namespace

size_t udp_reply_limit(const UpstreamQuery& query) {
    return query.use_edns ? std::max<size_t>(512, query.edns_udp_size) : 512;
}

UpstreamAttempt failed(UpstreamStatus status) {
    UpstreamAttempt a;
    a.status = status;
    return a;
}

bool NearMisses::add(UpstreamMetrics& metrics) {
    count_shared(metrics.near_misses);
    ++seen;
    return limit != 0 && seen >= limit;
}

std::optional<wire::CookieOption> CookieOffer::option(const wire::IpAddress& local,
                                                      const wire::IpAddress& server,
                                                      ExpectedReply& expected) const {
    if (!secret) return std::nullopt;
    wire::CookieOption cookie;
    cookie.client = client_cookie(*secret, local, server);
    if (known && known->client == cookie.client)
        cookie.server.assign(known->server_bytes().begin(), known->server_bytes().end());
    expected.client_cookie = cookie.client;
    expected.cookie_required = known.has_value();
    return cookie;
}

asio::awaitable<UpstreamAttempt> with_timeout(asio::awaitable<UpstreamAttempt> attempt,
                                              std::chrono::milliseconds timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto first = co_await (std::move(attempt) || timer.async_wait(kNoThrow));
    if (auto* done = std::get_if<0>(&first)) co_return std::move(*done);
    co_return failed(UpstreamStatus::kTimeout);
}

asio::awaitable<UpstreamAttempt> udp_attempt(asio::io_context& io, UpstreamQuery query,
                                             ExpectedReply expected,
                                             std::optional<wire::IpAddress> source,
                                             CookieOffer offer, NearMisses near_misses,
                                             UpstreamMetrics& metrics, UpstreamTap tap) {
    const auto server = udp_endpoint(query.server);
    asio::ip::udp::socket socket(io);
    if (auto ec = open_socket(socket, server, source)) co_return failed(status_of(ec));
    // Connected: the kernel drops datagrams from anyone but the server, and
    // reports its ICMP errors (ECONNREFUSED) to us.
    std::error_code ec;
    socket.connect(server, ec);
    if (ec) co_return failed(status_of(ec));
    const auto request = query_wire(query, expected, cookie_for(socket, offer, query, expected));

    const auto start = Clock::now();
    auto [send_ec, sent] = co_await socket.async_send(asio::buffer(request), kNoThrow);
    if (send_ec) co_return failed(status_of(send_ec));
    (void)sent;
    if (tap.active())
        tap.sent(observe::DnstapProtocol::kUdp, local_end(socket), query.server, request);
    // Room for what the server may send, and one octet to see it send more.
    const size_t limit = udp_reply_limit(query);
    std::vector<uint8_t> buffer(limit + 1);
    for (;;) {
        auto [recv_ec, n] = co_await socket.async_receive(asio::buffer(buffer), kNoThrow);
        if (recv_ec) co_return failed(status_of(recv_ec));
        auto check = check_response(std::span<const uint8_t>(buffer).first(n), expected);
        // Longer than we allowed: cut short here, so asked again over TCP.
        if (n > limit && check.verdict == ResponseVerdict::kMalformed)
            check.verdict = ResponseVerdict::kTruncated;
        if (auto done = conclude_udp(std::move(check), start, near_misses, metrics)) {
            tap.received(std::span<const uint8_t>(buffer).first(n));
            done->client_cookie = expected.client_cookie;
            co_return std::move(*done);
        }
    }
}

asio::awaitable<UpstreamAttempt> tcp_attempt(asio::io_context& io, UpstreamQuery query,
                                             ExpectedReply expected,
                                             std::optional<wire::IpAddress> source,
                                             CookieOffer offer, UpstreamMetrics& metrics,
                                             UpstreamTap tap) {
    const auto server = tcp_endpoint(query.server);
    asio::ip::tcp::socket socket(io);
    if (auto ec = open_socket(socket, server, source)) co_return failed(status_of(ec));

    const auto start = Clock::now();
    auto [connect_ec] = co_await socket.async_connect(server, kNoThrow);
    if (connect_ec) co_return failed(status_of(connect_ec));
    const auto request = query_wire(query, expected, cookie_for(socket, offer, query, expected));
    // RFC 1035 §4.2.2: two-octet length, then the message; one write.
    std::vector<uint8_t> framed;
    framed.reserve(2 + request.size());
    framed.push_back(static_cast<uint8_t>(request.size() >> 8));
    framed.push_back(static_cast<uint8_t>(request.size()));
    framed.insert(framed.end(), request.begin(), request.end());
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(framed), kNoThrow);
    if (write_ec) co_return failed(status_of(write_ec));
    (void)written;
    if (tap.active())
        tap.sent(observe::DnstapProtocol::kTcp, local_end(socket), query.server, request);

    std::vector<uint8_t> buffer;
    for (;;) {
        std::array<uint8_t, 2> prefix{};
        auto [len_ec, len_n] = co_await asio::async_read(socket, asio::buffer(prefix), kNoThrow);
        if (len_ec) co_return failed(status_of(len_ec));
        (void)len_n;
        // Sized by what the server says comes, not 64 KiB per waiting query.
        const size_t length = wire::load_u16(prefix.data());
        buffer.resize(length);
        auto [body_ec, body_n] =
            co_await asio::async_read(socket, asio::buffer(buffer.data(), length), kNoThrow);
        if (body_ec) co_return failed(status_of(body_ec));
        const auto data = std::span<const uint8_t>(buffer).first(body_n);
        if (auto done = conclude_tcp(check_response(data, expected), data, start, metrics)) {
            tap.received(data);
            done->client_cookie = expected.client_cookie;
            co_return std::move(*done);
        }
    }
}

}  // namespace cairn::net
