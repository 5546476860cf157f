// Counters of the encrypted listeners (DoT, DoH, cleartext HTTP/2, DoQ) of
// one worker; written by that worker's thread only (see transport_metrics.h).
#pragma once

#include "net/transport_metrics.h"

namespace cairn::net {

struct EncryptedMetrics {
    // TLS, both DoT and DoH.
    Counter tls_handshakes{0};          // handshakes completed
    Counter tls_resumed{0};             // ... of which resumed a session (ticket)
    Counter tls_handshake_failures{0};  // handshakes that failed (garbage, no shared ALPN, ...)
    Counter tls_handshake_timeouts{0};  // handshakes not done within tls-handshake-timeout
    Counter tls_errors{0};              // connections ended by a TLS error after the handshake
    Counter refused_limit{0};           // connections closed at once: over a connection limit
    Counter idle_closed{0};             // connections closed after tcp-idle-timeout
    // DNS over TLS (RFC 7858).
    Counter dot_accepted{0};
    Counter dot_queries{0};
    Counter dot_malformed{0};  // connections closed for a bad length or a short read
    Counter dot_open{0};       // gauge
    // DNS over HTTPS (RFC 8484), over TLS and cleartext HTTP/2.
    Counter doh_accepted{0};
    Counter doh_queries{0};          // DNS queries taken from requests
    Counter doh_bad_request{0};      // 400
    Counter doh_not_found{0};        // 404
    Counter doh_bad_method{0};       // 405
    Counter doh_too_large{0};        // 413
    Counter doh_bad_media_type{0};   // 415
    Counter doh_streams_reset{0};    // streams the client reset before the answer
    Counter doh_protocol_errors{0};  // connections ended for an HTTP/2 error
    Counter doh_open{0};             // gauge
    // DNS over QUIC (RFC 9250). refused_limit and idle_closed count its
    // connections too.
    Counter doq_accepted{0};            // connections set up from a client's Initial
    Counter doq_handshakes{0};          // QUIC (TLS 1.3) handshakes completed
    Counter doq_handshake_failures{0};  // handshakes that failed (no ALPN doq, bad TLS)
    Counter doq_handshake_timeouts{0};  // handshakes not done within tls-handshake-timeout
    Counter doq_queries{0};
    Counter doq_protocol_errors{0};      // connections closed with DOQ_PROTOCOL_ERROR
    Counter doq_quic_errors{0};          // connections closed for a QUIC transport error
    Counter doq_streams_reset{0};        // queries the client cancelled, or left unanswered
    Counter doq_retries{0};              // Retry packets sent (address validation)
    Counter doq_invalid_tokens{0};       // Initials with a bad or stale Retry token
    Counter doq_refused_acl{0};          // Initials from clients `allow` does not admit, dropped
    Counter doq_dropped{0};              // datagrams of no connection that start none
    Counter doq_version_negotiation{0};  // Version Negotiation packets sent
    Counter doq_open{0};                 // gauge
};

inline void count_down(Counter& gauge) {
    gauge.store(gauge.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

}  // namespace cairn::net
