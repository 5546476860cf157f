// A scripted primary on 127.0.0.1 for zone-transfer tests: each TCP
// connection takes one query and gets the script's messages, then is
// closed; UDP queries get the UDP script's messages (if one is given).
#pragma once

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <functional>
#include <vector>

#include "wire/ip_address.h"
#include "wire/message.h"

namespace cairn::test {

inline constexpr auto kPrimaryNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

// An authoritative answer to `query` with `records`; later messages of a
// transfer may leave the question out.
inline wire::Message answer_message(const wire::Message& query, std::vector<wire::Record> records,
                                    bool with_question = true) {
    wire::Message m;
    m.header.id = query.header.id;
    m.header.qr = true;
    m.header.aa = true;
    if (with_question) m.questions = query.questions;
    m.answers = std::move(records);
    return m;
}

// What the primary sends for one query: messages, then it closes.
using Script = std::function<std::vector<wire::Message>(const wire::Message& query)>;

// A primary on 127.0.0.1: each TCP connection takes one query and gets the
// script's messages; UDP queries get the UDP script's (if any).
class ScriptedPrimary {
public:
    ScriptedPrimary(asio::io_context& io, Script tcp, Script udp = nullptr)
        : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}),
          udp_(io),
          tcp_script_(std::move(tcp)),
          udp_script_(std::move(udp)) {
        asio::co_spawn(io, serve_tcp(), asio::detached);
        if (udp_script_) {
            udp_.open(asio::ip::udp::v4());
            udp_.bind({asio::ip::make_address("127.0.0.1"), acceptor_.local_endpoint().port()});
            asio::co_spawn(io, serve_udp(), asio::detached);
        }
    }

    wire::SocketAddress address() const {
        return {*wire::IpAddress::parse("127.0.0.1"), acceptor_.local_endpoint().port()};
    }
    void stop() {
        std::error_code ec;
        acceptor_.close(ec);
        udp_.close(ec);
    }

    std::vector<wire::Message> queries;
    size_t udp_queries = 0;

private:
    asio::awaitable<void> serve_tcp() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(kPrimaryNoThrow);
            if (ec) co_return;
            std::array<uint8_t, 2> prefix{};
            auto [len_ec, len_n] =
                co_await asio::async_read(socket, asio::buffer(prefix), kPrimaryNoThrow);
            if (len_ec) continue;
            std::vector<uint8_t> body(wire::load_u16(prefix.data()));
            auto [body_ec, body_n] =
                co_await asio::async_read(socket, asio::buffer(body), kPrimaryNoThrow);
            if (body_ec) continue;
            auto query = wire::Message::parse(body);
            if (!query) continue;
            queries.push_back(*query);
            for (const auto& message : tcp_script_(*query)) {
                const auto reply = message.to_wire();
                std::vector<uint8_t> framed;
                framed.reserve(2 + reply.size());
                framed.push_back(static_cast<uint8_t>(reply.size() >> 8));
                framed.push_back(static_cast<uint8_t>(reply.size()));
                framed.insert(framed.end(), reply.begin(), reply.end());
                auto [w_ec, w_n] =
                    co_await asio::async_write(socket, asio::buffer(framed), kPrimaryNoThrow);
                if (w_ec) break;
            }
        }
    }

    asio::awaitable<void> serve_udp() {
        std::vector<uint8_t> buffer(65535);
        for (;;) {
            asio::ip::udp::endpoint sender;
            auto [ec, n] =
                co_await udp_.async_receive_from(asio::buffer(buffer), sender, kPrimaryNoThrow);
            if (ec) co_return;
            auto query = wire::Message::parse(std::span<const uint8_t>(buffer).first(n));
            if (!query) continue;
            ++udp_queries;
            for (const auto& message : udp_script_(*query)) {
                const auto wire_reply = message.to_wire();
                auto [s_ec, s_n] =
                    co_await udp_.async_send_to(asio::buffer(wire_reply), sender, kPrimaryNoThrow);
                if (s_ec) co_return;
            }
        }
    }

    asio::ip::tcp::acceptor acceptor_;
    asio::ip::udp::socket udp_;
    Script tcp_script_;
    Script udp_script_;
};

}  // namespace cairn::test
