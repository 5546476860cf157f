#include "cairnctl/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>

namespace cairn::ctl {

namespace {

// The reason of the most recent OpenSSL error (and clears the queue).
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    const char* reason = ERR_reason_error_string(code);
    return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

// An unreadable file gets errno's words rather than OpenSSL's "system lib".
std::optional<std::string> unreadable(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) return std::string("cannot read: ") + std::strerror(errno);
    std::fclose(file);
    return std::nullopt;
}

// The address as a certificate names it: without an IPv6 "%scope".
std::string certificate_ip(const ServerAddress& server) {
    std::string text = server.host_text();
    return text.substr(0, text.find('%'));
}

// What the operator can do about a certificate that was not accepted.
std::string certificate_advice(long verified, const TlsSettings& settings,
                               const ServerAddress& server) {
    switch (verified) {
        case X509_V_ERR_HOSTNAME_MISMATCH: return "the certificate is not for " + settings.name;
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "the certificate is not for " + certificate_ip(server) +
                   "; give the name it is for with --tls-name";
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID: return "check the clocks, or renew the certificate";
        default:
            return settings.ca_file.empty()
                       ? "give the CA that signed it with --ca FILE, or skip the check with "
                         "--insecure"
                       : "it is not signed by a CA in " + settings.ca_file +
                             " (or skip the check with --insecure)";
    }
}

}  // namespace

TlsClient::TlsClient(const ServerAddress& server, FileDescriptor fd)
    : server_(server), fd_(std::move(fd)) {}

Result<TlsClient, TextError> TlsClient::connect(const ServerAddress& server,
                                                const TlsSettings& settings, std::string_view alpn,
                                                Deadline deadline) {
    auto fd = connect_tcp(server, deadline);
    if (!fd) return Unexpected{fd.error()};
    TlsClient client(server, std::move(*fd));
    if (auto st = client.configure(settings, alpn); !st) return Unexpected{st.error()};
    if (auto st = client.handshake(deadline); !st) return Unexpected{st.error()};
    return client;
}

Status<TextError> TlsClient::configure(const TlsSettings& settings, std::string_view alpn) {
    settings_ = settings;
    ERR_clear_error();
    context_.reset(SSL_CTX_new(TLS_client_method()));
    if (!context_) return failure("cannot make a TLS context: " + openssl_reason());
    SSL_CTX* ctx = context_.get();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        return failure("cannot require TLS 1.2: " + openssl_reason());
    if (settings.insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (settings.ca_file.empty()) {
            if (SSL_CTX_set_default_verify_paths(ctx) != 1)
                return failure("cannot load the system's CA certificates: " + openssl_reason());
        } else if (auto why = unreadable(settings.ca_file)) {
            return text_error("--ca " + settings.ca_file + ": " + *why);
        } else if (SSL_CTX_load_verify_file(ctx, settings.ca_file.c_str()) != 1) {
            return text_error("--ca " + settings.ca_file + ": no PEM CA certificate in it (" +
                              openssl_reason() + ")");
        }
    }
    ssl_.reset(SSL_new(ctx));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_.get()) != 1)
        return failure("cannot start TLS: " + openssl_reason());
    alpn_ = alpn;
    std::string protocols(1, static_cast<char>(alpn.size()));
    protocols.append(alpn);
    // SSL_set_alpn_protos is the odd one out: 0 means success.
    if (SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const unsigned char*>(protocols.data()),
                            static_cast<unsigned>(protocols.size())) != 0)
        return failure("cannot offer ALPN " + std::string(alpn));
    if (!settings.name.empty()) {
        // RFC 6066 §3: SNI carries host names only, never addresses.
        if (SSL_set_tlsext_host_name(ssl_.get(), settings.name.c_str()) != 1 ||
            (!settings.insecure && SSL_set1_host(ssl_.get(), settings.name.c_str()) != 1))
            return text_error("--tls-name " + settings.name + ": not usable (" + openssl_reason() +
                              ")");
    } else if (!settings.insecure) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()),
                                          certificate_ip(server_).c_str()) != 1)
            return failure("cannot check the certificate against the address: " + openssl_reason());
    }
    return {};
}

Status<TextError> TlsClient::handshake(Deadline deadline) {
    for (;;) {
        ERR_clear_error();
        const int result = SSL_connect(ssl_.get());
        if (result == 1) return {};
        const long verified = SSL_get_verify_result(ssl_.get());
        if (verified != X509_V_OK)
            return failure("certificate not accepted: " +
                           std::string(X509_verify_cert_error_string(verified)) + " (" +
                           certificate_advice(verified, settings_, server_) + ")");
        if (ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL) {
            ERR_clear_error();
            return failure("the server does not speak " + alpn_ +
                           " (ALPN) on this port: is it the right port and transport?");
        }
        if (auto st = wait_to_retry(result, "in the handshake", deadline); !st) return st;
    }
}

Status<TextError> TlsClient::write_all(std::span<const uint8_t> data, Deadline deadline) {
    for (;;) {
        ERR_clear_error();
        size_t written = 0;
        const int result = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (result == 1) return {};
        if (auto st = wait_to_retry(result, "while writing", deadline); !st) return st;
    }
}

Result<size_t, TextError> TlsClient::read_some(std::span<uint8_t> out, Deadline deadline) {
    for (;;) {
        ERR_clear_error();
        size_t got = 0;
        const int result = SSL_read_ex(ssl_.get(), out.data(), out.size(), &got);
        if (result == 1) return got;
        if (auto st = wait_to_retry(result, "while reading", deadline); !st)
            return Unexpected{st.error()};
    }
}

Status<TextError> TlsClient::read_exactly(std::span<uint8_t> out, Deadline deadline) {
    size_t got = 0;
    while (got < out.size()) {
        auto n = read_some(out.subspan(got), deadline);
        if (!n) return Unexpected{n.error()};
        got += *n;
    }
    return {};
}

std::string TlsClient::alpn() const {
    const unsigned char* data = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &length);
    return data != nullptr ? std::string(reinterpret_cast<const char*>(data), length) : "";
}

Status<TextError> TlsClient::wait_to_retry(int result, const char* doing, Deadline deadline) {
    const int saved_errno = errno;
    const int error = SSL_get_error(ssl_.get(), result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        const Wait w =
            wait_for(fd_.get(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
        if (w == Wait::kReady) return {};
        if (w == Wait::kTimeout) return failure(std::string("timed out ") + doing);
        return system_error("poll failed for", server_, errno);
    }
    const bool unexpected_eof = error == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_last_error()) ==
                                                              SSL_R_UNEXPECTED_EOF_WHILE_READING;
    if (error == SSL_ERROR_ZERO_RETURN || unexpected_eof ||
        (error == SSL_ERROR_SYSCALL && saved_errno == 0)) {
        ERR_clear_error();
        return failure(std::string("the server closed the connection ") + doing);
    }
    if (error == SSL_ERROR_SYSCALL)
        return failure(std::string(std::strerror(saved_errno)) + " " + doing);
    return failure(std::string("TLS failed ") + doing + ": " + openssl_reason());
}

Unexpected<TextError> TlsClient::failure(const std::string& what) const {
    return text_error("TLS with " + server_.to_text() + ": " + what);
}

}  // namespace cairn::ctl
