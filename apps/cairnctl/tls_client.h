// The client side of one TLS connection (OpenSSL 3) for DoT and DoH: TLS 1.2
// or 1.3, one ALPN protocol offered, the server's certificate checked
// against the CA file (or the system's CAs) and the server's name or IP
// address unless told not to. Blocking, with a deadline on every step.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "cairnctl/server_address.h"
#include "cairnctl/socket_io.h"
#include "cairnctl/transport_settings.h"
#include "wire/result.h"

namespace cairn::ctl {

class TlsClient {
public:
    // Connects over TCP and completes the handshake offering `alpn` ("dot",
    // "h2"). A certificate that is not accepted is an error saying why
    // (OpenSSL's verification reason) and what to do about it.
    static Result<TlsClient, TextError> connect(const ServerAddress& server,
                                                const TlsSettings& settings, std::string_view alpn,
                                                Deadline deadline);

    Status<TextError> write_all(std::span<const uint8_t> data, Deadline deadline);
    // At least one octet; the end of the stream is an error.
    Result<size_t, TextError> read_some(std::span<uint8_t> out, Deadline deadline);
    Status<TextError> read_exactly(std::span<uint8_t> out, Deadline deadline);

    // The protocol the server chose; empty if it chose none.
    std::string alpn() const;
    const ServerAddress& server() const { return server_; }

private:
    struct FreeContext {
        void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
    };
    struct FreeSsl {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };

    TlsClient(const ServerAddress& server, FileDescriptor fd);
    Status<TextError> configure(const TlsSettings& settings, std::string_view alpn);
    Status<TextError> handshake(Deadline deadline);
    // After an SSL call returned `result`: waits for what OpenSSL needs and
    // returns (then call again), or says what went wrong `doing` it.
    Status<TextError> wait_to_retry(int result, const char* doing, Deadline deadline);
    Unexpected<TextError> failure(const std::string& what) const;

    ServerAddress server_;
    TlsSettings settings_;
    std::string alpn_;  // the protocol offered
    // Declared first, destroyed last: the SSL object uses the socket.
    FileDescriptor fd_;
    std::unique_ptr<SSL_CTX, FreeContext> context_;
    std::unique_ptr<SSL, FreeSsl> ssl_;
};

}  // namespace cairn::ctl
