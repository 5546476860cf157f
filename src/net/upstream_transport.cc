#include "net/upstream_transport.h"

#include <stdlib.h>

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
#include "net/upstream_match.h"

namespace cairn::net {
namespace {

using namespace asio::experimental::awaitable_operators;
using resolve::UpstreamQuery;
using resolve::UpstreamReply;
using resolve::UpstreamStatus;
using Clock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kMaxMessage = 65535;

// RFC 5452 §9.2: IDs an off-path attacker cannot predict. arc4random is
// the kernel's CSPRNG (getrandom) behind a per-thread buffer.
uint16_t random_id() {
    return static_cast<uint16_t>(arc4random());
}

std::vector<uint8_t> query_wire(const UpstreamQuery& query, uint16_t id) {
    wire::Message m;
    m.header.id = id;
    m.header.rd = query.recursion_desired;
    m.header.cd = query.checking_disabled;
    m.questions.push_back(query.question);
    if (query.use_edns) {
        wire::Edns edns;
        edns.udp_size = query.edns_udp_size;
        edns.dnssec_ok = query.dnssec_ok;
        m.edns = std::move(edns);
    }
    return m.to_wire();
}

// What one attempt over one transport came to.
struct Attempt {
    UpstreamStatus status = UpstreamStatus::kTimeout;
    bool truncated = false;
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

// Turns what a check said into the attempt's result, or nullopt to keep
// waiting.
std::optional<Attempt> conclude(ResponseCheck check, Clock::time_point start) {
    Attempt a;
    switch (check.verdict) {
        case ResponseVerdict::kIgnore: return std::nullopt;
        case ResponseVerdict::kMalformed: a.status = UpstreamStatus::kMalformed; break;
        case ResponseVerdict::kTruncated:
            a.status = UpstreamStatus::kOk;
            a.truncated = true;
            break;
        case ResponseVerdict::kAccept:
            a.status = UpstreamStatus::kOk;
            a.message = std::move(check.message);
            break;
    }
    a.rtt = since(start);
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
                                     std::optional<wire::IpAddress> source) {
    const uint16_t id = random_id();
    const auto request = query_wire(query, id);
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
        auto check = check_response(std::span<const uint8_t>(buffer).first(n), id, query.question);
        if (auto done = conclude(std::move(check), start)) co_return std::move(*done);
    }
}

asio::awaitable<Attempt> tcp_attempt(asio::io_context& io, UpstreamQuery query,
                                     std::optional<wire::IpAddress> source) {
    const uint16_t id = random_id();
    const auto request = query_wire(query, id);
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
        auto check =
            check_response(std::span<const uint8_t>(buffer).first(body_n), id, query.question);
        // Over TCP there is nowhere further to go: TC=1 is the answer.
        if (check.verdict == ResponseVerdict::kTruncated) {
            auto full = wire::Message::parse(std::span<const uint8_t>(buffer).first(body_n));
            if (!full) co_return failed(UpstreamStatus::kMalformed);
            check.verdict = ResponseVerdict::kAccept;
            check.message = std::move(*full);
        }
        if (auto done = conclude(std::move(check), start)) co_return std::move(*done);
    }
}

UpstreamReply to_reply(Attempt attempt, bool via_tcp) {
    UpstreamReply reply;
    reply.status = attempt.status;
    reply.message = std::move(attempt.message);
    reply.rtt = attempt.rtt;
    reply.via_tcp = via_tcp;
    return reply;
}

}  // namespace

UpstreamTransport::UpstreamTransport(asio::io_context& io, std::vector<wire::IpAddress> outgoing)
    : io_(io), outgoing_(std::move(outgoing)) {}

asio::awaitable<UpstreamReply> UpstreamTransport::exchange(UpstreamQuery query) {
    if (query.timeout.count() <= 0) co_return to_reply(failed(UpstreamStatus::kTimeout), false);

    // A source address of the server's family, picked at random.
    std::vector<const wire::IpAddress*> candidates;
    for (const auto& address : outgoing_)
        if (address.is_v4() == query.server.address.is_v4()) candidates.push_back(&address);
    std::optional<wire::IpAddress> source;
    if (!candidates.empty())
        source = *candidates[arc4random_uniform(static_cast<uint32_t>(candidates.size()))];

    std::optional<std::chrono::microseconds> udp_rtt;
    if (!query.force_tcp) {
        Attempt udp = co_await with_timeout(udp_attempt(io_, query, source), query.timeout);
        if (udp.status != UpstreamStatus::kOk || !udp.truncated)
            co_return to_reply(std::move(udp), false);
        udp_rtt = udp.rtt;
    }
    Attempt tcp = co_await with_timeout(tcp_attempt(io_, query, source), query.timeout);
    // The server's round trip is best measured by the datagram it answered;
    // a TCP exchange adds the handshake.
    if (udp_rtt && tcp.status == UpstreamStatus::kOk) tcp.rtt = *udp_rtt;
    co_return to_reply(std::move(tcp), true);
}

}  // namespace cairn::net
