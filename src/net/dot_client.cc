#include "net/dot_client.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <utility>

#include "net/endpoint.h"
#include "observe/log_limit.h"
#include "wire/buffer.h"

namespace cairn::net {

namespace {

using resolve::UpstreamQuery;
using resolve::UpstreamStatus;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

// ALPN for DNS over TLS, in wire form (length, then the name).
constexpr unsigned char kDotAlpn[] = {3, 'd', 'o', 't'};

UpstreamStatus status_of(const std::error_code& ec) {
    return ec == asio::error::operation_aborted ? UpstreamStatus::kTimeout
                                                : UpstreamStatus::kNetworkError;
}

// Asks OpenSSL to check the certificate for `name`: an IP address against
// the certificate's IP addresses, anything else as a host name (also sent
// as SNI, RFC 6066 §3).
bool expect_name(SSL* ssl, const std::string& name) {
    if (wire::IpAddress::parse(name))
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
    return SSL_set_tlsext_host_name(ssl, name.c_str()) == 1 &&
           SSL_set1_host(ssl, name.c_str()) == 1;
}

}  // namespace

struct DotClient::Connection {
    Connection(asio::io_context& io, asio::ssl::context& context) : stream(io, context) {}

    asio::ssl::stream<asio::ip::tcp::socket> stream;
    wire::SocketAddress server;
    std::string name;
    Clock::time_point idle_since;
};

DotClient::DotClient(asio::io_context& io, std::string ca_file, UpstreamMetrics& metrics)
    : io_(io), ca_file_(std::move(ca_file)), metrics_(metrics) {}

DotClient::~DotClient() = default;

asio::ssl::context* DotClient::context() {
    if (context_ || context_failed_) return context_.get();
    auto made = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(made->native_handle(), TLS1_2_VERSION);
    std::error_code ec;
    made->set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) {
        if (ca_file_.empty())
            made->set_default_verify_paths(ec);
        else
            made->load_verify_file(ca_file_, ec);
    }
    if (ec) {
        context_failed_ = true;
        spdlog::error("DNS over TLS to forwarders: cannot load the CA certificates {}: {}",
                      ca_file_.empty() ? "of the system" : ca_file_, ec.message());
        return nullptr;
    }
    context_ = std::move(made);
    return context_.get();
}

std::unique_ptr<DotClient::Connection> DotClient::take_idle(const UpstreamQuery& query) {
    const auto now = Clock::now();
    std::erase_if(idle_, [&](const std::unique_ptr<Connection>& c) {
        return now - c->idle_since > kIdleTimeout;
    });
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        if ((*it)->server != query.server || (*it)->name != query.tls_name) continue;
        auto connection = std::move(*it);
        idle_.erase(it);
        return connection;
    }
    return nullptr;
}

void DotClient::keep_idle(std::unique_ptr<Connection> connection) {
    if (idle_.size() >= kMaxIdle) idle_.erase(idle_.begin());
    connection->idle_since = Clock::now();
    idle_.push_back(std::move(connection));
}

asio::awaitable<std::unique_ptr<DotClient::Connection>> DotClient::connect(
    const UpstreamQuery& query, UpstreamStatus& status) {
    status = UpstreamStatus::kNetworkError;
    auto* ctx = context();
    if (!ctx) co_return nullptr;
    auto connection = std::make_unique<Connection>(io_, *ctx);
    connection->server = query.server;
    connection->name = std::string(query.tls_name);
    SSL* ssl = connection->stream.native_handle();
    if (!expect_name(ssl, connection->name) ||
        SSL_set_alpn_protos(ssl, kDotAlpn, sizeof kDotAlpn) != 0)
        co_return nullptr;
    auto& socket = connection->stream.next_layer();
    auto [connect_ec] = co_await socket.async_connect(tcp_endpoint(query.server), kNoThrow);
    if (connect_ec) {
        status = status_of(connect_ec);
        co_return nullptr;
    }
    auto [handshake_ec] =
        co_await connection->stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (!handshake_ec) co_return connection;
    status = status_of(handshake_ec);
    const long verified = SSL_get_verify_result(ssl);
    if (verified != X509_V_OK) {
        count_shared(metrics_.tls_certificate_failures);
        static observe::LogLimit certificate_log(10);
        if (auto held = certificate_log.admit())
            spdlog::warn("forwarder {}: certificate not accepted for {}: {}{}",
                         query.server.to_string(), connection->name,
                         X509_verify_cert_error_string(verified), observe::held_back(*held));
    }
    co_return nullptr;
}

asio::awaitable<UpstreamAttempt> DotClient::exchange(UpstreamQuery query, ExpectedReply expected) {
    const auto request = query_wire(query, expected, std::nullopt);
    std::vector<uint8_t> framed;
    framed.reserve(2 + request.size());
    framed.push_back(static_cast<uint8_t>(request.size() >> 8));
    framed.push_back(static_cast<uint8_t>(request.size()));
    framed.insert(framed.end(), request.begin(), request.end());
    // A kept connection the server has closed since fails at once: then
    // once more on a new one.
    auto connection = take_idle(query);
    for (bool reused = connection != nullptr;; reused = false) {
        if (!connection) {
            UpstreamStatus status{};
            connection = co_await connect(query, status);
            if (!connection) co_return failed(status);
        }
        const auto start = Clock::now();
        auto [write_ec, written] =
            co_await asio::async_write(connection->stream, asio::buffer(framed), kNoThrow);
        (void)written;
        std::array<uint8_t, 2> prefix{};
        std::error_code read_ec = write_ec;
        if (!read_ec) {
            auto [ec, n] =
                co_await asio::async_read(connection->stream, asio::buffer(prefix), kNoThrow);
            (void)n;
            read_ec = ec;
        }
        if (read_ec) {
            connection.reset();
            if (reused && read_ec != asio::error::operation_aborted) continue;
            co_return failed(status_of(read_ec));
        }
        std::vector<uint8_t> buffer(wire::load_u16(prefix.data()));
        auto [body_ec, body_n] =
            co_await asio::async_read(connection->stream, asio::buffer(buffer), kNoThrow);
        (void)body_n;
        if (body_ec) co_return failed(status_of(body_ec));
        auto done = conclude_tcp(check_response(buffer, expected), buffer, start, metrics_);
        // Not the answer (there is one query at a time): the connection is
        // out of step; drop it.
        if (!done) co_return failed(UpstreamStatus::kMalformed);
        keep_idle(std::move(connection));
        co_return std::move(*done);
    }
}

}  // namespace cairn::net
