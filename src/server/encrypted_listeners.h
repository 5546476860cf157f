// The encrypted listeners of one worker (DoT, DoH, cleartext HTTP/2, DoQ),
// with their counters, and the TLS contexts a service loads for them.
#pragma once

#include <sys/types.h>

#include <asio/io_context.hpp>
#include <memory>
#include <vector>

#include "net/doq_listener.h"
#include "net/encrypted_listener.h"
#include "net/encrypted_metrics.h"
#include "net/query_handler.h"
#include "net/quic_tls.h"
#include "net/tcp_limits.h"
#include "net/tls_context.h"
#include "server/encrypted_options.h"
#include "server/stats.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::server {

// One TLS context per ALPN protocol, from the same certificate and key.
struct TlsContexts {
    std::shared_ptr<net::TlsContext> dot;  // ALPN "dot"
    std::shared_ptr<net::TlsContext> doh;  // ALPN "h2"
    std::shared_ptr<net::QuicTls> doq;     // GnuTLS, ALPN "doq"
};

// Loads the certificate and key if a TLS listener is configured (else
// nothing). Errors name the file and the reason. DoQ keeps the secrets of
// `previous` (a renewal), so tokens it handed out stay valid.
Result<TlsContexts, TextError> load_tls_contexts(const EncryptedOptions& options,
                                                 const TlsContexts& previous = {});

// The listener settings taken from the options and TCP's idle timeout.
net::EncryptedListenerOptions encrypted_listener_options(const EncryptedOptions& options,
                                                         std::chrono::milliseconds idle_timeout);

// One address to listen on, and how.
struct EncryptedAddress {
    net::EncryptedProtocol protocol = net::EncryptedProtocol::kDot;
    wire::SocketAddress address;
};

// Every configured address, in the order tls, https, http, quic.
std::vector<EncryptedAddress> encrypted_addresses(const EncryptedOptions& options);

class EncryptedListeners {
public:
    // Opens and starts a listener; returns the address bound.
    Result<wire::SocketAddress, TextError> listen(asio::io_context& io,
                                                  const EncryptedAddress& where,
                                                  const TlsContexts& tls,
                                                  net::QueryHandler& handler,
                                                  net::TcpConnectionLimits& limits,
                                                  const net::EncryptedListenerOptions& options);
    // Stops accepting; connections finish what they owe.
    void close();
    // Closes every connection now.
    void abort_connections();
    // New TLS connections use `tls`; open connections stay as they are.
    void replace_tls(const TlsContexts& tls);
    Status<TextError> hand_to(uid_t uid, gid_t gid);
    size_t connection_count() const;
    void append_stats(Stats& out) const;

private:
    Result<wire::SocketAddress, TextError> listen_quic(
        asio::io_context& io, const wire::SocketAddress& address, const TlsContexts& tls,
        net::QueryHandler& handler, net::TcpConnectionLimits& limits,
        const net::EncryptedListenerOptions& options);

    net::EncryptedMetrics metrics_;
    std::vector<std::shared_ptr<net::EncryptedListener>> listeners_;
    std::vector<std::shared_ptr<net::DoqListener>> quic_;
};

}  // namespace cairn::server
