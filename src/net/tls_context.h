// The server side of TLS for the encrypted listeners (DoT, DoH): one
// certificate chain and key, TLS 1.2 and 1.3 only, one ALPN protocol
// offered, and stateless session tickets for resumption. Built once per
// service from the configured files and shared by every worker's listener
// (read-only after loading; OpenSSL's SSL_CTX is safe to share between
// threads). A reload builds a new one; connections opened before keep the
// one they started with.
#pragma once

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace cairn::net {

class TlsContext {
public:
    // Loads `certificate` (a PEM chain, leaf first) and `key` (PEM) and
    // offers `alpn` ("dot", "h2"). Errors name the file and the reason.
    static Result<std::shared_ptr<TlsContext>, TextError> load(const std::string& certificate,
                                                               const std::string& key,
                                                               std::string_view alpn);

    explicit TlsContext(std::string_view alpn);
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    asio::ssl::context& context() { return context_; }
    // The ALPN protocol in wire form: its length, then its name.
    const std::string& alpn_wire() const { return alpn_wire_; }

private:
    asio::ssl::context context_;
    std::string alpn_wire_;
};

}  // namespace cairn::net
