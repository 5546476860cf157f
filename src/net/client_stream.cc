#include "net/client_stream.h"

#include <openssl/err.h>

#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cerrno>

namespace cairn::net {

ClientStream::ClientStream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
    // try_write must not block; Asio's own operations work either way.
    asio::error_code ignored;
    socket_.non_blocking(true, ignored);
}

ClientStream::ClientStream(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> tls)
    : socket_(std::move(socket)),
      context_(std::move(tls)),
      ssl_(SSL_new(context_->context().native_handle())) {
    asio::error_code ignored;
    socket_.non_blocking(true, ignored);
    if (!ssl_ || SSL_set_fd(ssl_.get(), static_cast<int>(socket_.native_handle())) != 1) {
        // Out of memory: the handshake fails and the connection closes.
        ssl_.reset();
        socket_.close(ignored);
        return;
    }
    SSL_set_accept_state(ssl_.get());
}

asio::awaitable<asio::error_code> ClientStream::handshake() {
    if (!context_) co_return asio::error_code{};
    if (!ssl_) co_return asio::error::no_memory;
    const auto done = co_await drive(Call::kHandshake, nullptr, 0);
    co_return done.error;
}

bool ClientStream::resumed() const {
    return ssl_ && SSL_session_reused(ssl_.get()) == 1;
}

asio::error_code ClientStream::ssl_error(int result) const {
    switch (SSL_get_error(ssl_.get(), result)) {
        case SSL_ERROR_ZERO_RETURN: return asio::error::eof;  // close_notify
        case SSL_ERROR_SYSCALL:
            if (ERR_peek_error() == 0 && errno != 0)
                return asio::error_code(errno, asio::error::get_system_category());
            return asio::ssl::error::stream_truncated;
        default: break;
    }
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    // A peer that closes without close_notify: the end of the stream.
    if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return asio::ssl::error::stream_truncated;
    return asio::error_code(static_cast<int>(code), asio::error::get_ssl_category());
}

asio::awaitable<ClientStream::Outcome> ClientStream::drive(Call call, void* data, size_t size) {
    for (;;) {
        if (!socket_.is_open()) co_return Outcome{asio::error::operation_aborted, 0};
        ERR_clear_error();
        errno = 0;
        size_t moved = 0;
        int result = 0;
        switch (call) {
            case Call::kHandshake: result = SSL_do_handshake(ssl_.get()); break;
            case Call::kRead: result = SSL_read_ex(ssl_.get(), data, size, &moved); break;
            case Call::kWrite: result = SSL_write_ex(ssl_.get(), data, size, &moved); break;
        }
        if (result == 1) co_return Outcome{{}, moved};
        const int reason = SSL_get_error(ssl_.get(), result);
        if (reason != SSL_ERROR_WANT_READ && reason != SSL_ERROR_WANT_WRITE)
            co_return Outcome{ssl_error(result), 0};
        asio::error_code ec;
        co_await socket_.async_wait(reason == SSL_ERROR_WANT_READ
                                        ? asio::ip::tcp::socket::wait_read
                                        : asio::ip::tcp::socket::wait_write,
                                    asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return Outcome{ec, 0};
    }
}

asio::awaitable<std::pair<asio::error_code, size_t>> ClientStream::read_some(
    asio::mutable_buffer buffer) {
    if (ssl_) {
        const auto got = co_await drive(Call::kRead, buffer.data(), buffer.size());
        co_return std::pair{got.error, got.bytes};
    }
    asio::error_code ec;
    const size_t n =
        co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_return std::pair{ec, n};
}

asio::awaitable<std::pair<asio::error_code, size_t>> ClientStream::read_exact(
    asio::mutable_buffer buffer) {
    if (!ssl_) {
        asio::error_code ec;
        const size_t n = co_await asio::async_read(socket_, buffer,
                                                   asio::redirect_error(asio::use_awaitable, ec));
        co_return std::pair{ec, n};
    }
    auto* bytes = static_cast<uint8_t*>(buffer.data());
    size_t have = 0;
    while (have < buffer.size()) {
        const auto got = co_await drive(Call::kRead, bytes + have, buffer.size() - have);
        if (got.error) co_return std::pair{got.error, have};
        have += got.bytes;
    }
    co_return std::pair{asio::error_code{}, have};
}

asio::awaitable<asio::error_code> ClientStream::write(asio::const_buffer buffer) {
    if (!ssl_) {
        asio::error_code ec;
        co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
        co_return ec;
    }
    // Without partial writes SSL_write_ex takes the whole buffer or, after
    // a wait, is called again with the same one.
    const auto done = co_await drive(Call::kWrite, const_cast<void*>(buffer.data()), buffer.size());
    co_return done.error;
}

std::pair<asio::error_code, size_t> ClientStream::try_write(asio::const_buffer buffer) {
    if (!ssl_) {
        asio::error_code ec;
        const size_t n = socket_.write_some(buffer, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) return {{}, 0};
        return {ec, n};
    }
    ERR_clear_error();
    errno = 0;
    size_t written = 0;
    const int result = SSL_write_ex(ssl_.get(), buffer.data(), buffer.size(), &written);
    if (result == 1) return {{}, written};
    const int reason = SSL_get_error(ssl_.get(), result);
    if (reason == SSL_ERROR_WANT_WRITE || reason == SSL_ERROR_WANT_READ) return {{}, 0};
    return {ssl_error(result), 0};
}

void ClientStream::shutdown_receive() {
    asio::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_receive, ignored);
}

void ClientStream::close() {
    asio::error_code ignored;
    socket_.close(ignored);
}

}  // namespace cairn::net
