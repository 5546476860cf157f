#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

namespace cairn::net {

namespace {

// The reason of the most recent OpenSSL error (and clears the queue).
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    const char* reason = ERR_reason_error_string(code);
    return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

Unexpected<TextError> file_error(std::string_view option, const std::string& path,
                                 const std::string& why) {
    return text_error(std::string(option) + " " + path + ": " + why);
}

// An unreadable file gets errno's words rather than OpenSSL's "system lib".
std::optional<std::string> unreadable(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) return std::string("cannot read: ") + std::strerror(errno);
    std::fclose(file);
    return std::nullopt;
}

// RFC 7301 §3.2: pick our protocol if the client offers it; a client that
// offers others only gets the no_application_protocol alert. A client that
// offers none is served (RFC 7858 predates the "dot" label).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
    const auto* ours = static_cast<const std::string*>(arg);
    unsigned char* selected = nullptr;
    unsigned char selected_length = 0;
    const auto* wire = reinterpret_cast<const unsigned char*>(ours->data());
    if (SSL_select_next_proto(&selected, &selected_length, wire,
                              static_cast<unsigned>(ours->size()), in,
                              inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = selected;
    *outlen = selected_length;
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TlsContext::TlsContext(std::string_view alpn) : context_(asio::ssl::context::tls_server) {
    alpn_wire_.push_back(static_cast<char>(alpn.size()));
    alpn_wire_.append(alpn);
}

Result<std::shared_ptr<TlsContext>, TextError> TlsContext::load(const std::string& certificate,
                                                                const std::string& key,
                                                                std::string_view alpn) {
    if (auto why = unreadable(certificate)) return file_error("tls-certificate", certificate, *why);
    if (auto why = unreadable(key)) return file_error("tls-key", key, *why);
    auto tls = std::make_shared<TlsContext>(alpn);
    SSL_CTX* ctx = tls->context_.native_handle();
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        return text_error("TLS: cannot require TLS 1.2: " + openssl_reason());
    // No renegotiation (TLS 1.2), no compression; the server's cipher order.
    SSL_CTX_set_options(
        ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1)
        return file_error("tls-certificate", certificate,
                          "not a PEM certificate chain (" + openssl_reason() + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL checks the key against the certificate as it loads it.
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
            return file_error(
                "tls-key", key,
                "does not match the certificate in " + certificate + " (" + openssl_reason() + ")");
        return file_error("tls-key", key, "not a PEM private key (" + openssl_reason() + ")");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        return file_error(
            "tls-key", key,
            "does not match the certificate in " + certificate + " (" + openssl_reason() + ")");
    // Resumption by stateless tickets (on by default in OpenSSL; the keys
    // belong to this context, so every worker honours each other's tickets).
    SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    static constexpr unsigned char kSessionContext[] = "cairn";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, &tls->alpn_wire_);
    // Connections run OpenSSL on the socket itself (ClientStream): read as
    // much as has come in one recv rather than a record header, then its
    // body; a write retried after a wait may come from a moved buffer.
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return tls;
}

}  // namespace cairn::net
