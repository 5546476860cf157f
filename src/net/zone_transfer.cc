#include "net/zone_transfer.h"

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
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "net/endpoint.h"
#include "net/random_pool.h"

namespace cairn::net {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

struct Query {
    uint16_t id = 0;
    wire::Question question;
    std::vector<uint8_t> wire;
};

Query make_query(const wire::Name& zone, wire::RRType type,
                 const std::optional<wire::Record>& have_soa) {
    RandomPool random;
    wire::Message m;
    m.header.id = random.u16();
    m.questions.push_back({zone, type, wire::RRClass::IN});
    // RFC 1995 §3: IXFR carries the SOA of the version held in the authority section.
    if (type == wire::RRType::IXFR && have_soa) m.authorities.push_back(*have_soa);
    return {m.header.id, m.questions.front(), m.to_wire()};
}

std::string where(const wire::Name& zone, const wire::SocketAddress& primary) {
    return zone.to_text() + " from " + primary.to_string();
}

// Why a reply to `query` is not one: its ID, QR, opcode or question; or its
// rcode.
std::optional<std::string> reply_problem(const wire::Message& reply, const Query& query,
                                         bool first) {
    if (reply.header.id != query.id || !reply.header.qr) return "a reply with another ID";
    if (reply.header.opcode != wire::Opcode::QUERY) return "a reply with another opcode";
    // RFC 5936 §2.2.1: later messages may leave the question out.
    if ((first || !reply.questions.empty()) &&
        (reply.questions.size() != 1 || !(reply.questions[0].name == query.question.name) ||
         reply.questions[0].type != query.question.type))
        return "a reply to another question";
    if (reply.rcode() != wire::Rcode::NOERROR) return "rcode " + wire::to_string(reply.rcode());
    if (reply.header.tc) return "a truncated message over TCP";
    return std::nullopt;
}

// Takes each message of a TCP stream; says when the stream is complete.
using MessageSink = std::function<Status<TextError>(std::span<const uint8_t>)>;

struct StreamOutcome {
    std::optional<TextError> error;
    bool connected = false;
};

asio::awaitable<StreamOutcome> tcp_stream(const TransferRequest& request, const Query& query,
                                          const MessageSink& sink,
                                          const std::function<bool()>& complete) {
    StreamOutcome outcome;
    const auto server = tcp_endpoint(request.primary);
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    std::error_code ec;
    socket.open(server.protocol(), ec);
    if (!ec && request.source) socket.bind({to_asio(*request.source), 0}, ec);
    if (!ec) std::tie(ec) = co_await socket.async_connect(server, kNoThrow);
    if (ec) {
        outcome.error = TextError{"cannot connect: " + ec.message()};
        co_return outcome;
    }
    outcome.connected = true;
    std::vector<uint8_t> framed;
    framed.reserve(2 + query.wire.size());
    framed.push_back(static_cast<uint8_t>(query.wire.size() >> 8));
    framed.push_back(static_cast<uint8_t>(query.wire.size()));
    framed.insert(framed.end(), query.wire.begin(), query.wire.end());
    auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(framed), kNoThrow);
    (void)written;
    if (write_ec) {
        outcome.error = TextError{"cannot send the query: " + write_ec.message()};
        co_return outcome;
    }
    std::vector<uint8_t> buffer;
    while (!complete()) {
        std::array<uint8_t, 2> prefix{};
        auto [len_ec, len_n] = co_await asio::async_read(socket, asio::buffer(prefix), kNoThrow);
        (void)len_n;
        if (!len_ec) {
            buffer.resize(wire::load_u16(prefix.data()));
            std::tie(len_ec, len_n) =
                co_await asio::async_read(socket, asio::buffer(buffer), kNoThrow);
        }
        if (len_ec) {
            outcome.error = TextError{len_ec == asio::error::eof
                                          ? std::string("the primary closed the connection early")
                                          : "reading: " + len_ec.message()};
            co_return outcome;
        }
        if (auto status = sink(buffer); !status) {
            outcome.error = status.error();
            co_return outcome;
        }
    }
    co_return outcome;
}

// tcp_stream(), ended by `timeout`.
asio::awaitable<StreamOutcome> tcp_stream_within(const TransferRequest& request, const Query& query,
                                                 const MessageSink& sink,
                                                 const std::function<bool()>& complete,
                                                 std::chrono::milliseconds timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto first =
        co_await (tcp_stream(request, query, sink, complete) || timer.async_wait(kNoThrow));
    if (auto* done = std::get_if<0>(&first)) co_return std::move(*done);
    co_return StreamOutcome{TextError{"timed out after " + std::to_string(timeout.count()) + " ms"},
                            true};
}

struct Attempt {
    Result<ZoneTransfer, TextError> result;
    // The primary answered, but not usably (an rcode, a malformed stream):
    // worth asking again with AXFR after an IXFR.
    bool unusable = false;
};

asio::awaitable<Attempt> transfer_once(const TransferRequest& request, wire::RRType type) {
    const auto query = make_query(request.zone, type, request.have_soa);
    const std::optional<uint32_t> have_serial =
        type == wire::RRType::IXFR ? soa_serial(*request.have_soa) : std::nullopt;
    TransferReader reader(request.zone, have_serial, request.limits.max_records);
    size_t bytes = 0;
    bool first = true;
    bool answered = false;
    const MessageSink sink = [&](std::span<const uint8_t> data) -> Status<TextError> {
        bytes += data.size() + 2;
        if (bytes > request.limits.max_bytes)
            return text_error("more than " + std::to_string(request.limits.max_bytes) + " octets");
        auto message = wire::Message::parse(data);
        if (!message) return text_error("a malformed message");
        if (auto problem = reply_problem(*message, query, first)) {
            answered = answered || message->header.id == query.id;
            return text_error(*problem);
        }
        first = false;
        answered = true;
        return reader.add_message(*message);
    };
    auto outcome = co_await tcp_stream_within(
        request, query, sink, [&] { return reader.complete(); }, request.limits.timeout);
    const std::string kind = type == wire::RRType::IXFR ? "IXFR of " : "AXFR of ";
    if (outcome.error)
        co_return Attempt{
            text_error(kind + where(request.zone, request.primary) + ": " + outcome.error->message),
            answered};
    auto transfer = reader.take();
    transfer.bytes = bytes;
    co_return Attempt{std::move(transfer)};
}

}  // namespace

asio::awaitable<Result<ZoneTransfer, TextError>> transfer_zone(TransferRequest request) {
    if (request.have_soa && soa_serial(*request.have_soa)) {
        auto ixfr = co_await transfer_once(request, wire::RRType::IXFR);
        if (ixfr.result || !ixfr.unusable) co_return std::move(ixfr.result);
    }
    auto axfr = co_await transfer_once(request, wire::RRType::AXFR);
    if (axfr.result && request.have_soa) axfr.result->fell_back_to_axfr = true;
    co_return std::move(axfr.result);
}

namespace {

// The SOA in an answer to `query`, if it holds an authoritative one.
Result<wire::Record, TextError> soa_in(const wire::Message& reply, const Query& query) {
    if (auto problem = reply_problem(reply, query, true)) return text_error(*problem);
    if (!reply.header.aa) return text_error("a reply without AA: not authoritative for the zone");
    for (const auto& record : reply.answers)
        if (record.type == wire::RRType::SOA && record.owner == query.question.name &&
            soa_serial(record))
            return record;
    return text_error("no SOA in the answer");
}

asio::awaitable<Result<wire::Record, TextError>> soa_over_udp(const Query& query,
                                                              const wire::SocketAddress& primary,
                                                              std::optional<wire::IpAddress> source,
                                                              bool& truncated) {
    const auto server = udp_endpoint(primary);
    asio::ip::udp::socket socket(co_await asio::this_coro::executor);
    std::error_code ec;
    socket.open(server.protocol(), ec);
    if (!ec && source) socket.bind({to_asio(*source), 0}, ec);
    // Connected: datagrams from anyone else are the kernel's to drop.
    if (!ec) socket.connect(server, ec);
    if (ec) co_return text_error("cannot send: " + ec.message());
    auto [send_ec, sent] = co_await socket.async_send(asio::buffer(query.wire), kNoThrow);
    (void)sent;
    if (send_ec) co_return text_error("cannot send: " + send_ec.message());
    std::vector<uint8_t> buffer(65535);
    for (;;) {
        auto [recv_ec, n] = co_await socket.async_receive(asio::buffer(buffer), kNoThrow);
        if (recv_ec) co_return text_error("no answer: " + recv_ec.message());
        auto reply = wire::Message::parse(std::span<const uint8_t>(buffer).first(n));
        // Not ours: keep waiting for the real answer until the timeout.
        if (!reply || reply->header.id != query.id) continue;
        if (reply->header.tc) {
            truncated = true;
            co_return text_error("truncated");
        }
        co_return soa_in(*reply, query);
    }
}

}  // namespace

asio::awaitable<Result<wire::Record, TextError>> query_soa(const wire::Name& zone,
                                                           const wire::SocketAddress& primary,
                                                           std::optional<wire::IpAddress> source,
                                                           std::chrono::milliseconds timeout) {
    const auto query = make_query(zone, wire::RRType::SOA, std::nullopt);
    bool truncated = false;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto first =
        co_await (soa_over_udp(query, primary, source, truncated) || timer.async_wait(kNoThrow));
    if (first.index() == 1)
        co_return text_error("SOA query for " + where(zone, primary) + ": no answer in " +
                             std::to_string(timeout.count()) + " ms");
    auto udp = std::get<0>(std::move(first));
    if (!truncated) {
        if (udp) co_return std::move(udp);
        co_return text_error("SOA query for " + where(zone, primary) + ": " + udp.error().message);
    }
    std::optional<Result<wire::Record, TextError>> found;
    TransferRequest request{zone, primary, source, std::nullopt, {}};
    const MessageSink sink = [&](std::span<const uint8_t> data) -> Status<TextError> {
        auto reply = wire::Message::parse(data);
        if (!reply) return text_error("a malformed message");
        found = soa_in(*reply, query);
        return {};
    };
    auto outcome = co_await tcp_stream_within(
        request, query, sink, [&] { return found.has_value(); }, timeout);
    if (outcome.error)
        co_return text_error("SOA query for " + where(zone, primary) +
                             " over TCP: " + outcome.error->message);
    if (!*found)
        co_return text_error("SOA query for " + where(zone, primary) + ": " +
                             found->error().message);
    co_return std::move(*found);
}

}  // namespace cairn::net
