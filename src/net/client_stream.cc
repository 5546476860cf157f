#include "net/client_stream.h"

#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace cairn::net {

ClientStream::ClientStream(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}

ClientStream::ClientStream(asio::ip::tcp::socket socket, std::shared_ptr<TlsContext> tls)
    : plain_(socket.get_executor()),
      context_(std::move(tls)),
      tls_(std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket),
                                                                      context_->context())) {}

asio::awaitable<asio::error_code> ClientStream::handshake() {
    asio::error_code ec;
    if (tls_)
        co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

bool ClientStream::resumed() const {
    return tls_ && SSL_session_reused(tls_->native_handle()) == 1;
}

asio::awaitable<std::pair<asio::error_code, size_t>> ClientStream::read_some(
    asio::mutable_buffer buffer) {
    asio::error_code ec;
    size_t n = 0;
    if (tls_)
        n = co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
    else
        n = co_await plain_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_return std::pair{ec, n};
}

asio::awaitable<std::pair<asio::error_code, size_t>> ClientStream::read_exact(
    asio::mutable_buffer buffer) {
    asio::error_code ec;
    size_t n = 0;
    if (tls_)
        n = co_await asio::async_read(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
    else
        n = co_await asio::async_read(plain_, buffer,
                                      asio::redirect_error(asio::use_awaitable, ec));
    co_return std::pair{ec, n};
}

asio::awaitable<asio::error_code> ClientStream::write(asio::const_buffer buffer) {
    asio::error_code ec;
    if (tls_)
        co_await asio::async_write(*tls_, buffer, asio::redirect_error(asio::use_awaitable, ec));
    else
        co_await asio::async_write(plain_, buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

void ClientStream::shutdown_receive() {
    asio::error_code ignored;
    socket().shutdown(asio::socket_base::shutdown_receive, ignored);
}

void ClientStream::close() {
    asio::error_code ignored;
    socket().close(ignored);
}

}  // namespace cairn::net
