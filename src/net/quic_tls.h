// The TLS side of DNS over QUIC (RFC 9250 §4.1, RFC 9001): GnuTLS, which
// ngtcp2's crypto helper drives, with the same certificate and key files as
// DoT and DoH; TLS 1.3 only, ALPN "doq" required of every client, no early
// data (0-RTT). Also the secrets of the service's QUIC listeners: the key of
// Retry tokens (RFC 9000 §8.1.2) and of stateless reset tokens (§10.3).
// Loaded once per service and shared by every worker: after loading, the
// credentials and secrets are only read. A reload loads anew (a certificate
// renewal keeps the secrets); connections opened before keep what they
// started with.
#pragma once

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "wire/result.h"

namespace cairn::net {

// The one ALPN protocol of DoQ.
inline constexpr std::string_view kDoqAlpn = "doq";

// TLS 1.3 with the AEADs QUIC defines (RFC 9001 §5.3), without the TLS 1.3
// middlebox compatibility mode, which QUIC forbids (RFC 9001 §8.4).
inline constexpr const char* kQuicTlsPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
    "+CHACHA20-POLY1305:+AES-128-CCM:%DISABLE_TLS13_COMPAT_MODE";

struct GnutlsSessionDeleter {
    void operator()(gnutls_session_int* session) const { gnutls_deinit(session); }
};
using GnutlsSession = std::unique_ptr<gnutls_session_int, GnutlsSessionDeleter>;

class QuicTls {
public:
    // Loads `certificate` (PEM chain, leaf first) and `key` (PEM). Errors
    // name the file and GnuTLS's reason.
    static Result<std::shared_ptr<QuicTls>, TextError> load(const std::string& certificate,
                                                            const std::string& key);
    // Loads a renewed certificate and key, with this one's secrets: Retry
    // tokens and stateless reset tokens already handed out stay valid.
    Result<std::shared_ptr<QuicTls>, TextError> renewed(const std::string& certificate,
                                                        const std::string& key) const;

    QuicTls();
    ~QuicTls();
    QuicTls(const QuicTls&) = delete;
    QuicTls& operator=(const QuicTls&) = delete;

    // A server session for one connection, set up for ngtcp2: `conn_ref`
    // is how the crypto helper finds the connection. Null on failure.
    GnutlsSession new_session(ngtcp2_crypto_conn_ref* conn_ref) const;

    std::span<const uint8_t> token_secret() const { return token_secret_; }
    std::span<const uint8_t> reset_secret() const { return reset_secret_; }

private:
    gnutls_certificate_credentials_t credentials_ = nullptr;
    std::array<uint8_t, 32> token_secret_{};
    std::array<uint8_t, 32> reset_secret_{};
};

}  // namespace cairn::net
