#include "server/encrypted_listeners.h"

namespace cairn::server {

Result<TlsContexts, TextError> load_tls_contexts(const EncryptedOptions& options) {
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
    return contexts;
}

net::EncryptedListenerOptions encrypted_listener_options(const EncryptedOptions& options,
                                                         std::chrono::milliseconds idle_timeout) {
    net::EncryptedListenerOptions out;
    out.idle_timeout = idle_timeout;
    out.handshake_timeout = options.tls_handshake_timeout;
    out.max_streams = options.https_max_streams;
    out.https_path = options.https_path;
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
    return out;
}

namespace {

// The context for a listener of `protocol`; null for cleartext HTTP/2.
std::shared_ptr<net::TlsContext> context_for(net::EncryptedProtocol protocol,
                                             const TlsContexts& tls) {
    switch (protocol) {
        case net::EncryptedProtocol::kDot: return tls.dot;
        case net::EncryptedProtocol::kDoh: return tls.doh;
        case net::EncryptedProtocol::kDohCleartext: return nullptr;
    }
    return nullptr;
}

}  // namespace

Result<wire::SocketAddress, TextError> EncryptedListeners::listen(
    asio::io_context& io, const EncryptedAddress& where, const TlsContexts& tls,
    net::QueryHandler& handler, net::TcpConnectionLimits& limits,
    const net::EncryptedListenerOptions& options) {
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

void EncryptedListeners::close() {
    for (auto& listener : listeners_)
        listener->close();
}

void EncryptedListeners::abort_connections() {
    for (auto& listener : listeners_)
        listener->abort_connections();
}

void EncryptedListeners::replace_tls(const TlsContexts& tls) {
    for (auto& listener : listeners_)
        if (auto context = context_for(listener->protocol(), tls)) listener->replace_tls(context);
}

Status<TextError> EncryptedListeners::hand_to(uid_t uid, gid_t gid) {
    for (auto& listener : listeners_)
        if (auto handed = listener->hand_to(uid, gid); !handed) return handed;
    return {};
}

size_t EncryptedListeners::connection_count() const {
    size_t n = 0;
    for (const auto& listener : listeners_)
        n += listener->connection_count();
    return n;
}

void EncryptedListeners::append_stats(Stats& out) const {
    auto add = [&](const char* name, const net::Counter& c, bool gauge = false) {
        out.push_back({std::string("net.") + name, c.load(std::memory_order_relaxed), gauge});
    };
    const auto& m = metrics_;
    add("tls_handshakes", m.tls_handshakes);
    add("tls_resumed", m.tls_resumed);
    add("tls_handshake_failures", m.tls_handshake_failures);
    add("tls_handshake_timeouts", m.tls_handshake_timeouts);
    add("tls_errors", m.tls_errors);
    add("encrypted_refused_limit", m.refused_limit);
    add("encrypted_idle_closed", m.idle_closed);
    add("dot_accepted", m.dot_accepted);
    add("dot_queries", m.dot_queries);
    add("dot_malformed", m.dot_malformed);
    add("dot_open", m.dot_open, true);
    add("doh_accepted", m.doh_accepted);
    add("doh_queries", m.doh_queries);
    add("doh_bad_request", m.doh_bad_request);
    add("doh_not_found", m.doh_not_found);
    add("doh_bad_method", m.doh_bad_method);
    add("doh_too_large", m.doh_too_large);
    add("doh_bad_media_type", m.doh_bad_media_type);
    add("doh_streams_reset", m.doh_streams_reset);
    add("doh_protocol_errors", m.doh_protocol_errors);
    add("doh_open", m.doh_open, true);
}

}  // namespace cairn::server
