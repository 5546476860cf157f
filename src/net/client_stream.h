// A client's byte stream to an encrypted listener: a TCP socket, with TLS
// on top (DoT, DoH) or without (cleartext HTTP/2 behind a TLS-terminating
// proxy). The connections above read and write through it without caring
// which.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <memory>
#include <string_view>
#include <utility>

#include "net/tls_context.h"

namespace cairn::net {

class ClientStream {
public:
    using Executor = asio::ip::tcp::socket::executor_type;

    // Cleartext.
    explicit ClientStream(asio::ip::tcp::socket socket);
    // TLS with `tls`'s certificate; the handshake is still to be done.
    ClientStream(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> tls);

    bool is_tls() const { return tls_ != nullptr; }
    Executor get_executor() { return socket().get_executor(); }

    // The TLS handshake (nothing for cleartext).
    asio::awaitable<asio::error_code> handshake();
    // Whether the TLS session was resumed from a ticket.
    bool resumed() const;

    // Some bytes, as they come.
    asio::awaitable<std::pair<asio::error_code, size_t>> read_some(asio::mutable_buffer buffer);
    // Exactly `buffer.size()` bytes (or an error; the count says how many came).
    asio::awaitable<std::pair<asio::error_code, size_t>> read_exact(asio::mutable_buffer buffer);
    // All of `buffer`.
    asio::awaitable<asio::error_code> write(asio::const_buffer buffer);

    // Wakes a pending read with end-of-file; writes still go out.
    void shutdown_receive();
    // Closes the socket at once (no TLS close_notify: nothing waits for it).
    void close();

private:
    asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }

    asio::ip::tcp::socket plain_;
    // Keeps the SSL_CTX (and its ticket keys) alive with the connection.
    std::shared_ptr<TlsContext> context_;
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
};

}  // namespace cairn::net
