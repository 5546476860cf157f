#include "net/encrypted_listener.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "net/client_stream.h"
#include "net/doh_connection.h"
#include "net/dot_connection.h"
#include "net/endpoint.h"
#include "net/socket_options.h"
#include "net/socket_owner.h"
#include "net/stream_answer.h"

namespace cairn::net {

namespace {

// Largest DNS message over a stream, and the room padding may add to it.
constexpr size_t kMaxMessage = 65535;
constexpr size_t kBufferSize = kMaxMessage + kAnswerPaddingBlock + 4;

}  // namespace

const char* protocol_name(EncryptedProtocol protocol) {
    switch (protocol) {
        case EncryptedProtocol::kDot: return "tls";
        case EncryptedProtocol::kDoh: return "https";
        case EncryptedProtocol::kDohCleartext: return "http";
        case EncryptedProtocol::kDoq: return "quic";
    }
    return "?";
}

Result<std::shared_ptr<EncryptedListener>, TextError> EncryptedListener::open(
    asio::io_context& io, const wire::SocketAddress& address, EncryptedProtocol protocol,
    std::shared_ptr<TlsContext> tls, QueryHandler& handler, TcpConnectionLimits& limits,
    EncryptedMetrics& metrics, const EncryptedListenerOptions& options) {
    const auto endpoint = tcp_endpoint(address);
    asio::ip::tcp::acceptor acceptor(io);
    asio::error_code ec;
    auto failed = [&](const char* what) {
        return text_error(std::string("cannot listen on ") + protocol_name(protocol) + " " +
                          address.to_string() + ": " + what + ": " + ec.message());
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
    return std::make_shared<EncryptedListener>(std::move(acceptor), protocol, std::move(tls),
                                               handler, limits, metrics, options);
}

EncryptedListener::EncryptedListener(asio::ip::tcp::acceptor acceptor, EncryptedProtocol protocol,
                                     std::shared_ptr<TlsContext> tls, QueryHandler& handler,
                                     TcpConnectionLimits& limits, EncryptedMetrics& metrics,
                                     const EncryptedListenerOptions& options)
    : acceptor_(std::move(acceptor)),
      protocol_(protocol),
      tls_(std::move(tls)),
      handler_(handler),
      limits_(limits),
      metrics_(metrics),
      options_(options),
      response_buffer_(kBufferSize),
      reply_buffer_(kBufferSize) {}

EncryptedListener::~EncryptedListener() = default;

void EncryptedListener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
}

void EncryptedListener::close() {
    closed_ = true;
    asio::error_code ec;
    acceptor_.close(ec);
    const std::vector<ListenedConnection*> connections(connections_.begin(), connections_.end());
    for (auto* connection : connections)
        connection->drain();
}

void EncryptedListener::abort_connections() {
    const std::vector<ListenedConnection*> connections(connections_.begin(), connections_.end());
    for (auto* connection : connections)
        connection->close();
}

Status<TextError> EncryptedListener::hand_to(uid_t uid, gid_t gid) {
    return hand_socket_to(
        acceptor_.native_handle(), uid, gid,
        std::string(protocol_name(protocol_)) + " socket " + local_address().to_string());
}

wire::SocketAddress EncryptedListener::local_address() const {
    asio::error_code ec;
    return from_endpoint(acceptor_.local_endpoint(ec));
}

std::shared_ptr<ListenedConnection> EncryptedListener::make_connection(
    asio::ip::tcp::socket socket, const Peer& peer, TcpConnectionLimits::Slot slot) {
    auto self = shared_from_this();
    if (protocol_ == EncryptedProtocol::kDot) {
        count(metrics_.dot_accepted);
        return std::make_shared<DotConnection>(ClientStream(std::move(socket), tls_), peer,
                                               std::move(slot), self);
    }
    count(metrics_.doh_accepted);
    auto stream = protocol_ == EncryptedProtocol::kDoh ? ClientStream(std::move(socket), tls_)
                                                       : ClientStream(std::move(socket));
    return std::make_shared<DohConnection>(std::move(stream), peer, std::move(slot), self);
}

asio::awaitable<void> EncryptedListener::accept_loop(std::shared_ptr<EncryptedListener> /*self*/) {
    while (!closed_) {
        asio::error_code ec;
        auto socket =
            co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (closed_ || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors or memory: let some connections end first.
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        Peer peer;
        peer.transport = Transport::kTcp;
        // Cleartext HTTP/2 (listen-http) counts as DoH.
        peer.protocol = protocol_ == EncryptedProtocol::kDot ? Protocol::kDot : Protocol::kDoh;
        const auto remote = socket.remote_endpoint(ec);
        if (ec) continue;
        peer.address = from_endpoint(remote);
        if (remote.address().is_v6()) peer.scope_id = remote.address().to_v6().scope_id();
        auto slot = limits_.acquire(peer.address.address);
        if (!slot) {
            count(metrics_.refused_limit);
            socket.close(ec);
            continue;
        }
        socket.set_option(asio::ip::tcp::no_delay(true), ec);
        auto connection = make_connection(std::move(socket), peer, std::move(*slot));
        connections_.insert(connection.get());
        connection->start();
    }
}

}  // namespace cairn::net
