// A client's byte stream to an encrypted listener: a TCP socket, with TLS
// on top (DoT, DoH) or without (cleartext HTTP/2 behind a TLS-terminating
// proxy). The connections above read and write through it without caring
// which.
//
// TLS runs OpenSSL directly on the non-blocking socket: each read and write
// is tried at once and waits for the socket only when OpenSSL asks to. A
// query whose bytes are already there costs one SSL_read and no trip
// through the event loop; an answer costs one SSL_write (one send), with no
// memory BIOs or copies in between. OpenSSL writes with write(2), so the
// process must ignore SIGPIPE (the daemon does, in its main).
#pragma once

#include <openssl/ssl.h>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
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

    bool is_tls() const { return ssl_ != nullptr; }
    Executor get_executor() { return socket_.get_executor(); }

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
    // What the socket takes of `buffer` now, without waiting: the count of
    // bytes written. Less than all (none, over TLS) when the socket is
    // full: the rest then goes through write(), and over TLS it must be
    // exactly the same bytes (OpenSSL holds the record it made of them).
    std::pair<asio::error_code, size_t> try_write(asio::const_buffer buffer);
    // Whether bytes already read from the socket wait to be read (TLS
    // reads ahead): more queries are there without asking the socket.
    bool input_buffered() const { return ssl_ && SSL_has_pending(ssl_.get()) == 1; }

    // Wakes a pending read with end-of-file; writes still go out.
    void shutdown_receive();
    // Closes the socket at once (no TLS close_notify: nothing waits for it).
    void close();

private:
    struct SslFree {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };
    // What an SSL_* call came to: bytes (or 1 for the handshake), or an error.
    struct Outcome {
        asio::error_code error;
        size_t bytes = 0;
    };
    enum class Call : uint8_t { kHandshake, kRead, kWrite };
    // One call of `call`, repeated after waiting for the socket as long as
    // OpenSSL wants to read or write more.
    asio::awaitable<Outcome> drive(Call call, void* data, size_t size);
    asio::error_code ssl_error(int result) const;

    asio::ip::tcp::socket socket_;
    // Keeps the SSL_CTX (and its ticket keys) alive with the connection.
    std::shared_ptr<TlsContext> context_;
    std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace cairn::net
