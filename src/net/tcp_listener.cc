#include "net/tcp_listener.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "net/endpoint.h"
#include "net/socket_options.h"
#include "net/socket_owner.h"
#include "net/tcp_connection.h"

namespace cairn::net {

namespace {

// Largest DNS message over TCP (the 2-octet length's range).
constexpr size_t kMaxTcpMessage = 65535;

}  // namespace

Result<std::shared_ptr<TcpListener>, TextError> TcpListener::open(
    asio::io_context& io, const wire::SocketAddress& address, QueryHandler& handler,
    TcpConnectionLimits& limits, TransportMetrics& metrics, const TcpListenerOptions& options) {
    const auto endpoint = tcp_endpoint(address);
    asio::ip::tcp::acceptor acceptor(io);
    asio::error_code ec;
    auto failed = [&](const char* what) {
        return text_error("cannot listen on tcp " + address.to_string() + ": " + what + ": " +
                          ec.message());
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return failed("socket");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return failed("SO_REUSEADDR");
    acceptor.set_option(ReusePort(true), ec);
    if (ec) return failed("SO_REUSEPORT");
    if (endpoint.address().is_v6()) {
        acceptor.set_option(asio::ip::v6_only(true), ec);
        if (ec) return failed("IPV6_V6ONLY");
    }
    acceptor.bind(endpoint, ec);
    if (ec) return failed("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failed("listen");
    return std::make_shared<TcpListener>(std::move(acceptor), handler, limits, metrics, options);
}

TcpListener::TcpListener(asio::ip::tcp::acceptor acceptor, QueryHandler& handler,
                         TcpConnectionLimits& limits, TransportMetrics& metrics,
                         const TcpListenerOptions& options)
    : acceptor_(std::move(acceptor)),
      handler_(handler),
      limits_(limits),
      metrics_(metrics),
      options_(options),
      response_buffer_(kMaxTcpMessage) {}

TcpListener::~TcpListener() = default;

void TcpListener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
}

void TcpListener::close() {
    closed_ = true;
    asio::error_code ec;
    acceptor_.close(ec);
    // drain() may close a connection, which erases it from the set.
    const std::vector<TcpConnection*> connections(connections_.begin(), connections_.end());
    for (auto* connection : connections)
        connection->drain();
}

void TcpListener::abort_connections() {
    const std::vector<TcpConnection*> connections(connections_.begin(), connections_.end());
    for (auto* connection : connections)
        connection->close();
}

Status<TextError> TcpListener::hand_to(uid_t uid, gid_t gid) {
    return hand_socket_to(acceptor_.native_handle(), uid, gid,
                          "tcp socket " + local_address().to_string());
}

wire::SocketAddress TcpListener::local_address() const {
    asio::error_code ec;
    return from_endpoint(acceptor_.local_endpoint(ec));
}

asio::awaitable<void> TcpListener::accept_loop(std::shared_ptr<TcpListener> self) {
    while (!closed_) {
        asio::error_code ec;
        auto socket =
            co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (closed_ || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors or memory: let some connections end first
            // rather than spin.
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        Peer peer;
        peer.transport = Transport::kTcp;
        peer.protocol = Protocol::kTcp;
        const auto remote = socket.remote_endpoint(ec);
        if (ec) continue;  // already gone
        peer.address = from_endpoint(remote);
        if (remote.address().is_v6()) peer.scope_id = remote.address().to_v6().scope_id();
        if (!handler_.admits(peer)) {
            count(metrics_.tcp_refused_acl);
            socket.close(ec);
            continue;
        }
        auto slot = limits_.acquire(peer.address.address);
        if (!slot) {
            count(metrics_.tcp_refused_limit);
            socket.close(ec);
            continue;
        }
        count(metrics_.tcp_accepted);
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        auto connection =
            std::make_shared<TcpConnection>(std::move(socket), peer, std::move(*slot), self);
        connections_.insert(connection.get());
        connection->start();
    }
}

}  // namespace cairn::net
