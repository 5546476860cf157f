#include "net/quic_tls.h"

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace cairn::net {

namespace {

// Readable files get GnuTLS's reason; unreadable ones errno's words.
std::string file_problem(const std::string& certificate, const std::string& key, int code) {
    for (const auto& [option, path] :
         {std::pair{"tls-certificate", &certificate}, std::pair{"tls-key", &key}}) {
        std::FILE* file = std::fopen(path->c_str(), "r");
        if (file == nullptr)
            return std::string(option) + " " + *path + ": cannot read: " + std::strerror(errno);
        std::fclose(file);
    }
    return "tls-certificate " + certificate + " / tls-key " + key + ": " + gnutls_strerror(code);
}

// RFC 9250 §4.1: a DoQ connection is one whose client chose "doq". GnuTLS
// refuses a client that offers only other protocols (ALPN mandatory); this
// refuses one that offers none.
int require_alpn(gnutls_session_t session, unsigned int /*type*/, unsigned /*when*/,
                 unsigned int /*incoming*/, const gnutls_datum_t* /*message*/) {
    gnutls_datum_t chosen{};
    if (gnutls_alpn_get_selected_protocol(session, &chosen) != 0)
        return GNUTLS_E_NO_APPLICATION_PROTOCOL;
    const std::string_view name(reinterpret_cast<const char*>(chosen.data), chosen.size);
    return name == kDoqAlpn ? 0 : GNUTLS_E_NO_APPLICATION_PROTOCOL;
}

}  // namespace

QuicTls::QuicTls() {
    if (gnutls_certificate_allocate_credentials(&credentials_) != GNUTLS_E_SUCCESS)
        throw std::bad_alloc();
    if (gnutls_rnd(GNUTLS_RND_KEY, token_secret_.data(), token_secret_.size()) != 0 ||
        gnutls_rnd(GNUTLS_RND_KEY, reset_secret_.data(), reset_secret_.size()) != 0)
        throw std::runtime_error("no random numbers for the QUIC secrets");
}

QuicTls::~QuicTls() {
    gnutls_certificate_free_credentials(credentials_);
}

Result<std::shared_ptr<QuicTls>, TextError> QuicTls::load(const std::string& certificate,
                                                          const std::string& key) {
    auto tls = std::make_shared<QuicTls>();
    const int rv = gnutls_certificate_set_x509_key_file(tls->credentials_, certificate.c_str(),
                                                        key.c_str(), GNUTLS_X509_FMT_PEM);
    if (rv < 0) return text_error(file_problem(certificate, key, rv));
    return tls;
}

Result<std::shared_ptr<QuicTls>, TextError> QuicTls::renewed(const std::string& certificate,
                                                             const std::string& key) const {
    auto tls = load(certificate, key);
    if (!tls) return tls;
    (*tls)->token_secret_ = token_secret_;
    (*tls)->reset_secret_ = reset_secret_;
    return tls;
}

GnutlsSession QuicTls::new_session(ngtcp2_crypto_conn_ref* conn_ref) const {
    gnutls_session_t raw = nullptr;
    if (gnutls_init(&raw, GNUTLS_SERVER | GNUTLS_NO_END_OF_EARLY_DATA) != 0) return nullptr;
    GnutlsSession session(raw);
    const gnutls_datum_t alpn{reinterpret_cast<unsigned char*>(const_cast<char*>(kDoqAlpn.data())),
                              static_cast<unsigned>(kDoqAlpn.size())};
    if (gnutls_priority_set_direct(raw, kQuicTlsPriority, nullptr) != 0 ||
        ngtcp2_crypto_gnutls_configure_server_session(raw) != 0 ||
        gnutls_credentials_set(raw, GNUTLS_CRD_CERTIFICATE, credentials_) != 0 ||
        gnutls_alpn_set_protocols(raw, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0)
        return nullptr;
    gnutls_handshake_set_hook_function(raw, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_POST,
                                       require_alpn);
    gnutls_session_set_ptr(raw, conn_ref);
    return session;
}

}  // namespace cairn::net
