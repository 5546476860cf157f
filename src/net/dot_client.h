// DNS over TLS to forwarders (RFC 7858, forward-zones with `tls`): the
// server's certificate must chain to the configured CAs (or the system's)
// and name the zone's `tls` name (or IP address); ALPN "dot". Connections
// are kept and reused for later queries to the same server and name (one
// query at a time each; a query that finds none idle opens its own), and
// dropped after kIdleTimeout unused or on any error. A certificate that is
// not accepted fails the exchange: the query is never sent in clear text.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/upstream_attempt.h"
#include "net/upstream_match.h"
#include "net/upstream_metrics.h"
#include "resolve/upstream.h"

namespace asio::ssl {
class context;
}

namespace cairn::net {

class DotClient {
public:
    // Connections unused this long are closed rather than reused (servers
    // close idle ones too, RFC 7766 §6.2.3).
    static constexpr std::chrono::seconds kIdleTimeout{10};
    // Idle connections kept at most, over all servers.
    static constexpr size_t kMaxIdle = 16;

    // `ca_file`: PEM CA certificates; empty: the system's store.
    DotClient(asio::io_context& io, std::string ca_file, UpstreamMetrics& metrics);
    ~DotClient();
    DotClient(const DotClient&) = delete;
    DotClient& operator=(const DotClient&) = delete;

    // Sends `query` to query.server over TLS (checking its certificate for
    // query.tls_name) and reads the answer matching `expected`. Run under
    // a timeout (with_timeout): a cancelled exchange drops its connection.
    asio::awaitable<UpstreamAttempt> exchange(resolve::UpstreamQuery query, ExpectedReply expected);

private:
    struct Connection;
    // An idle connection to the query's server for its name, if one is fresh.
    std::unique_ptr<Connection> take_idle(const resolve::UpstreamQuery& query);
    void keep_idle(std::unique_ptr<Connection> connection);
    asio::awaitable<std::unique_ptr<Connection>> connect(const resolve::UpstreamQuery& query,
                                                         resolve::UpstreamStatus& status);
    // The TLS context, made on first use: most workers never need one.
    asio::ssl::context* context();

    asio::io_context& io_;
    const std::string ca_file_;
    UpstreamMetrics& metrics_;
    std::unique_ptr<asio::ssl::context> context_;
    bool context_failed_ = false;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace cairn::net
