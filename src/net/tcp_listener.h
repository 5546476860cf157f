// A client-facing TCP acceptor of one worker (SO_REUSEPORT, like UDP), and
// the connections it accepted (RFC 7766).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <unordered_set>
#include <vector>

#include "net/query_handler.h"
#include "net/tcp_limits.h"
#include "net/transport_metrics.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::net {

class TcpConnection;

struct TcpListenerOptions {
    // A connection with no query being answered and nothing read or written
    // for this long is closed (RFC 7766 §6.2.3).
    std::chrono::milliseconds idle_timeout{10'000};
    // Answers one connection owes at once, whether still being worked out
    // or waiting to be written (errors and cache hits too); beyond it the
    // connection is not read until an answer has gone out.
    unsigned max_pipelined = 64;
    // Octets of answers waiting to be written to one connection beyond
    // which it is not read (RFC 7766 §6.2.2 bounds); answers owed still go
    // out.
    size_t write_queue_bytes = 64 * 1024;
    // A connection whose client takes no more of its answers for this long
    // is closed.
    std::chrono::milliseconds write_timeout{10'000};
};

class TcpListener final : public std::enable_shared_from_this<TcpListener> {
public:
    static Result<std::shared_ptr<TcpListener>, TextError> open(
        asio::io_context& io, const wire::SocketAddress& address, QueryHandler& handler,
        TcpConnectionLimits& limits, TransportMetrics& metrics, const TcpListenerOptions& options);

    TcpListener(asio::ip::tcp::acceptor acceptor, QueryHandler& handler,
                TcpConnectionLimits& limits, TransportMetrics& metrics,
                const TcpListenerOptions& options);
    ~TcpListener();

    void start();
    // Stops accepting. Open connections stop reading, finish the answers
    // they owe, and close.
    void close();
    // Closes every connection now, answers owed or not.
    void abort_connections();

    wire::SocketAddress local_address() const;
    // Gives the socket to another user (see socket_owner.h).
    Status<TextError> hand_to(uid_t uid, gid_t gid);
    size_t connection_count() const { return connections_.size(); }

    // For the connections.
    QueryHandler& handler() { return handler_; }
    TransportMetrics& metrics() { return metrics_; }
    const TcpListenerOptions& options() const { return options_; }
    // Where answers given on the spot are written: one buffer for all
    // connections, since a worker handles one query at a time.
    std::span<uint8_t> response_buffer() { return response_buffer_; }
    void forget(TcpConnection* connection) { connections_.erase(connection); }

private:
    asio::awaitable<void> accept_loop(std::shared_ptr<TcpListener> self);

    asio::ip::tcp::acceptor acceptor_;
    QueryHandler& handler_;
    TcpConnectionLimits& limits_;
    TransportMetrics& metrics_;
    const TcpListenerOptions options_;
    std::vector<uint8_t> response_buffer_;
    std::unordered_set<TcpConnection*> connections_;
    bool closed_ = false;
};

}  // namespace cairn::net
