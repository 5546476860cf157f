// A client-facing acceptor of one worker (SO_REUSEPORT, like TCP) for one
// encrypted protocol: DNS over TLS (RFC 7858), DNS over HTTPS (RFC 8484), or
// DoH's HTTP/2 in cleartext for a TLS-terminating proxy in front. The
// connections it accepted share the TCP connection limits. (DNS over QUIC,
// on UDP, has its own listener: doq_listener.h.)
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "net/doq_listener.h"
#include "net/encrypted_metrics.h"
#include "net/query_handler.h"
#include "net/tcp_limits.h"
#include "net/tls_context.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::net {

enum class EncryptedProtocol : uint8_t { kDot, kDoh, kDohCleartext, kDoq };

// "tls", "https", "http", "quic" (as in the options listen-tls, ...).
const char* protocol_name(EncryptedProtocol protocol);

struct EncryptedListenerOptions {
    // As for TCP (RFC 7766 §6.2.3): no query being answered and nothing
    // read or written for this long closes a connection.
    std::chrono::milliseconds idle_timeout{10'000};
    // A TLS handshake not done by then closes the connection.
    std::chrono::milliseconds handshake_timeout{5'000};
    // DoT: queries of one connection answered at once (as TCP).
    unsigned max_pipelined = 64;
    // DoH: concurrent HTTP/2 streams of one connection.
    unsigned max_streams = 100;
    // DoH: the one path queries are taken at.
    std::string https_path = "/dns-query";
    // DoQ.
    DoqListenerOptions quic;
};

// One accepted connection, as its listener sees it.
class ListenedConnection {
public:
    virtual ~ListenedConnection() = default;
    virtual void start() = 0;
    // Reads no more queries; closes once the answers owed are written.
    virtual void drain() = 0;
    // Closes now.
    virtual void close() = 0;
};

class EncryptedListener final : public std::enable_shared_from_this<EncryptedListener> {
public:
    // `tls` may be null only for kDohCleartext.
    static Result<std::shared_ptr<EncryptedListener>, TextError> open(
        asio::io_context& io, const wire::SocketAddress& address, EncryptedProtocol protocol,
        std::shared_ptr<TlsContext> tls, QueryHandler& handler, TcpConnectionLimits& limits,
        EncryptedMetrics& metrics, const EncryptedListenerOptions& options);

    EncryptedListener(asio::ip::tcp::acceptor acceptor, EncryptedProtocol protocol,
                      std::shared_ptr<TlsContext> tls, QueryHandler& handler,
                      TcpConnectionLimits& limits, EncryptedMetrics& metrics,
                      const EncryptedListenerOptions& options);
    ~EncryptedListener();

    void start();
    // Stops accepting; open connections finish the answers they owe and close.
    void close();
    // Closes every connection now.
    void abort_connections();
    // New connections use `tls` (a reloaded certificate); open ones keep the
    // context they started with, and their sessions. On the listener's thread.
    void replace_tls(std::shared_ptr<TlsContext> tls) { tls_ = std::move(tls); }

    EncryptedProtocol protocol() const { return protocol_; }
    wire::SocketAddress local_address() const;
    Status<TextError> hand_to(uid_t uid, gid_t gid);
    size_t connection_count() const { return connections_.size(); }

    // For the connections.
    QueryHandler& handler() { return handler_; }
    EncryptedMetrics& metrics() { return metrics_; }
    const EncryptedListenerOptions& options() const { return options_; }
    // Where answers given on the spot are written (one worker handles one
    // query at a time), with room to pad them.
    std::span<uint8_t> response_buffer() { return response_buffer_; }
    // Where answers given later are finished (keepalive, padding) before
    // they are queued.
    std::span<uint8_t> reply_buffer() { return reply_buffer_; }
    void forget(ListenedConnection* connection) { connections_.erase(connection); }

private:
    asio::awaitable<void> accept_loop(std::shared_ptr<EncryptedListener> self);
    std::shared_ptr<ListenedConnection> make_connection(asio::ip::tcp::socket socket,
                                                        const Peer& peer,
                                                        TcpConnectionLimits::Slot slot);

    asio::ip::tcp::acceptor acceptor_;
    const EncryptedProtocol protocol_;
    std::shared_ptr<TlsContext> tls_;
    QueryHandler& handler_;
    TcpConnectionLimits& limits_;
    EncryptedMetrics& metrics_;
    const EncryptedListenerOptions options_;
    std::vector<uint8_t> response_buffer_;
    std::vector<uint8_t> reply_buffer_;
    std::unordered_set<ListenedConnection*> connections_;
    bool closed_ = false;
};

}  // namespace cairn::net
