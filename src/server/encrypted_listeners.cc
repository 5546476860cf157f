#include "server/encrypted_listeners.h"

namespace cairn::server {

Result<TlsContexts, TextError> load_tls_contexts(const EncryptedOptions& options,
                                                 const TlsContexts& previous) {
    TlsContexts contexts;
    if (!options.listen_tls.empty()) {
        auto dot = net::TlsContext::load(options.tls_certificate, options.tls_key, "dot");
        if (!dot) return Unexpected{dot.error()};
        contexts.dot = std::move(*dot);
    }
    if (!options.listen_https.empty()) {
        auto doh = net::TlsContext::load(options.tls_certificate, options.tls_key, "h2");
        if (!doh) return Unexpected{doh.error()};
        contexts.doh = std::move(*doh);
    }
    if (!options.listen_quic.empty()) {
        auto doq = previous.doq ? previous.doq->renewed(options.tls_certificate, options.tls_key)
                                : net::QuicTls::load(options.tls_certificate, options.tls_key);
        if (!doq) return Unexpected{doq.error()};
        contexts.doq = std::move(*doq);
    }
    return contexts;
}

net::EncryptedListenerOptions encrypted_listener_options(const EncryptedOptions& options,
                                                         std::chrono::milliseconds idle_timeout) {
    net::EncryptedListenerOptions out;
    out.idle_timeout = idle_timeout;
    out.handshake_timeout = options.tls_handshake_timeout;
    out.max_streams = options.https_max_streams;
    out.https_path = options.https_path;
    out.quic.idle_timeout = options.quic_idle_timeout;
    out.quic.handshake_timeout = options.tls_handshake_timeout;
    out.quic.max_streams = options.quic_max_streams;
    out.quic.retry = options.quic_retry;
    return out;
}

std::vector<EncryptedAddress> encrypted_addresses(const EncryptedOptions& options) {
    std::vector<EncryptedAddress> out;
    for (const auto& address : options.listen_tls)
        out.push_back({net::EncryptedProtocol::kDot, address});
    for (const auto& address : options.listen_https)
        out.push_back({net::EncryptedProtocol::kDoh, address});
    for (const auto& address : options.listen_http)
        out.push_back({net::EncryptedProtocol::kDohCleartext, address});
    for (const auto& address : options.listen_quic)
        out.push_back({net::EncryptedProtocol::kDoq, address});
    return out;
}

namespace {

// The OpenSSL context for a listener of `protocol`; null for cleartext HTTP/2
// and for DoQ, which has its own (TlsContexts::doq).
std::shared_ptr<net::TlsContext> context_for(net::EncryptedProtocol protocol,
                                             const TlsContexts& tls) {
    switch (protocol) {
        case net::EncryptedProtocol::kDot: return tls.dot;
        case net::EncryptedProtocol::kDoh: return tls.doh;
        case net::EncryptedProtocol::kDohCleartext:
        case net::EncryptedProtocol::kDoq: return nullptr;
    }
    return nullptr;
}

}  // namespace

Result<wire::SocketAddress, TextError> EncryptedListeners::listen(
    asio::io_context& io, const EncryptedAddress& where, const TlsContexts& tls,
    net::QueryHandler& handler, net::TcpConnectionLimits& limits,
    const net::EncryptedListenerOptions& options) {
    if (where.protocol == net::EncryptedProtocol::kDoq)
        return listen_quic(io, where.address, tls, handler, limits, options);
    std::shared_ptr<net::TlsContext> context = context_for(where.protocol, tls);
    if (!context && where.protocol != net::EncryptedProtocol::kDohCleartext)
        return text_error(std::string("no TLS certificate loaded for listen-") +
                          net::protocol_name(where.protocol));
    auto listener = net::EncryptedListener::open(
        io, where.address, where.protocol, std::move(context), handler, limits, metrics_, options);
    if (!listener) return Unexpected{listener.error()};
    (*listener)->start();
    listeners_.push_back(*listener);
    return (*listener)->local_address();
}

Result<wire::SocketAddress, TextError> EncryptedListeners::listen_quic(
    asio::io_context& io, const wire::SocketAddress& address, const TlsContexts& tls,
    net::QueryHandler& handler, net::TcpConnectionLimits& limits,
    const net::EncryptedListenerOptions& options) {
    if (!tls.doq) return text_error("no TLS certificate loaded for listen-quic");
    auto listener =
        net::DoqListener::open(io, address, tls.doq, handler, limits, metrics_, options.quic);
    if (!listener) return Unexpected{listener.error()};
    (*listener)->start();
    quic_.push_back(*listener);
    return (*listener)->local_address();
}

void EncryptedListeners::close() {
    for (auto& listener : listeners_)
        listener->close();
    for (auto& listener : quic_)
        listener->close();
}

void EncryptedListeners::abort_connections() {
    for (auto& listener : listeners_)
        listener->abort_connections();
    for (auto& listener : quic_)
        listener->abort_connections();
}

void EncryptedListeners::replace_tls(const TlsContexts& tls) {
    for (auto& listener : listeners_)
        if (auto context = context_for(listener->protocol(), tls)) listener->replace_tls(context);
    if (!tls.doq) return;
    for (auto& listener : quic_)
        listener->replace_tls(tls.doq);
}

Status<TextError> EncryptedListeners::hand_to(uid_t uid, gid_t gid) {
    for (auto& listener : listeners_)
        if (auto handed = listener->hand_to(uid, gid); !handed) return handed;
    for (auto& listener : quic_)
        if (auto handed = listener->hand_to(uid, gid); !handed) return handed;
    return {};
}

size_t EncryptedListeners::connection_count() const {
    size_t n = 0;
    for (const auto& listener : listeners_)
        n += listener->connection_count();
    for (const auto& listener : quic_)
        n += listener->connection_count();
    return n;
}

void EncryptedListeners::append_stats(Stats& out) const {
    auto add = [&](const char* name, const net::Counter& c, std::string_view help,
                   bool gauge = false) {
        out.push_back({std::string("net.") + name, c.load(std::memory_order_relaxed), gauge, help});
    };
    const auto& m = metrics_;
    add("tls_handshakes", m.tls_handshakes, "TLS handshakes completed (DoT, DoH).");
    add("tls_resumed", m.tls_resumed, "TLS handshakes that resumed a session.");
    add("tls_handshake_failures", m.tls_handshake_failures, "TLS handshakes that failed.");
    add("tls_handshake_timeouts", m.tls_handshake_timeouts,
        "TLS handshakes not done within tls-handshake-timeout.");
    add("tls_errors", m.tls_errors, "Connections ended by a TLS error after the handshake.");
    add("encrypted_refused_limit", m.refused_limit,
        "DoT, DoH and DoQ connections closed at once: over a connection limit.");
    add("encrypted_idle_closed", m.idle_closed,
        "DoT, DoH and DoQ connections closed after tcp-idle-timeout.");
    add("dot_accepted", m.dot_accepted, "DoT connections accepted.");
    add("dot_queries", m.dot_queries, "DNS messages read over DoT.");
    add("dot_malformed", m.dot_malformed,
        "DoT connections closed for a bad length or a short read.");
    add("dot_open", m.dot_open, "DoT connections open now.", true);
    add("doh_accepted", m.doh_accepted, "DoH connections accepted.");
    add("doh_queries", m.doh_queries, "DNS queries taken from DoH requests.");
    add("doh_bad_request", m.doh_bad_request, "DoH requests answered 400.");
    add("doh_not_found", m.doh_not_found, "DoH requests answered 404.");
    add("doh_bad_method", m.doh_bad_method, "DoH requests answered 405.");
    add("doh_too_large", m.doh_too_large, "DoH requests answered 413.");
    add("doh_bad_media_type", m.doh_bad_media_type, "DoH requests answered 415.");
    add("doh_streams_reset", m.doh_streams_reset,
        "DoH streams the client reset before the answer.");
    add("doh_protocol_errors", m.doh_protocol_errors, "DoH connections ended for an HTTP/2 error.");
    add("doh_open", m.doh_open, "DoH connections open now.", true);
    add("doq_accepted", m.doq_accepted, "DoQ connections set up.");
    add("doq_handshakes", m.doq_handshakes, "QUIC handshakes completed.");
    add("doq_handshake_failures", m.doq_handshake_failures, "QUIC handshakes that failed.");
    add("doq_handshake_timeouts", m.doq_handshake_timeouts,
        "QUIC handshakes not done within tls-handshake-timeout.");
    add("doq_queries", m.doq_queries, "DNS messages read over DoQ.");
    add("doq_protocol_errors", m.doq_protocol_errors,
        "DoQ connections closed with DOQ_PROTOCOL_ERROR.");
    add("doq_quic_errors", m.doq_quic_errors, "DoQ connections closed for a QUIC error.");
    add("doq_streams_reset", m.doq_streams_reset,
        "DoQ queries the client cancelled or left unanswered.");
    add("doq_retries", m.doq_retries, "QUIC Retry packets sent (address validation).");
    add("doq_invalid_tokens", m.doq_invalid_tokens,
        "QUIC Initials with a bad or stale Retry token.");
    add("doq_refused_acl", m.doq_refused_acl, "QUIC Initials dropped: client not in allow.");
    add("doq_dropped", m.doq_dropped, "QUIC datagrams of no connection that start none.");
    add("doq_version_negotiation", m.doq_version_negotiation,
        "QUIC Version Negotiation packets sent.");
    add("doq_open", m.doq_open, "DoQ connections open now.", true);
}

}  // namespace cairn::server
