// A DNS-over-QUIC client (RFC 9250) for one connection: the TLS 1.3
// handshake with ALPN "doq" (GnuTLS, through ngtcp2's crypto helper), then
// every query on its own bidirectional stream, each ended with FIN, and the
// answers read back until every stream is done or the server closes. Built
// for `cairnctl query --quic`, and flexible enough for tests to misbehave
// with (another ALPN, any bytes as a query).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cairnctl/server_address.h"
#include "wire/result.h"

namespace cairn::ctl {

inline constexpr uint16_t kDefaultDoqPort = 853;  // RFC 9250 §4.1.1

struct DoqClientOptions {
    ServerAddress server;
    // PEM file of the CA that must have issued the server's certificate.
    // Empty: the system's CAs.
    std::string ca_file;
    // Accept any certificate (for tests and self-signed servers).
    bool insecure = false;
    // The name the certificate must be for, also sent as SNI. Empty: the
    // certificate must be for the server's IP address.
    std::string name;
    std::string alpn = "doq";
    // For the whole exchange: handshake, queries and answers.
    std::chrono::milliseconds timeout{3000};
    // Send each query's bytes as the whole stream, without adding the
    // length field (for tests of broken framing).
    bool unframed = false;
    // Keep the connection open after the answers until the timeout or the
    // server ends it (for tests of idle timeouts and connection limits).
    bool hold = false;
    // While holding, send a PING this often so the connection is not idle.
    std::chrono::milliseconds keepalive{0};
    // Cancel each query once sent (RFC 9250 §4.3.2: reset the stream with
    // DOQ_REQUEST_CANCELLED), for tests of cancellation.
    bool cancel = false;
    // When set, the last query waits until this descriptor is readable (a
    // test's signal), so it goes out on a connection opened well before,
    // e.g. before a certificate reload.
    int last_query_gate = -1;
};

// What came back on one query's stream.
struct DoqStreamResult {
    std::vector<uint8_t> answer;    // the message without its length field
    bool complete = false;          // the server ended the stream after it
    std::optional<uint64_t> reset;  // the server reset the stream with this code
};

// How the server closed the connection (RFC 9000 §19.19).
struct DoqClose {
    bool application = false;  // a DoQ error code, else a QUIC transport one
    uint64_t code = 0;
};

struct DoqExchange {
    std::vector<DoqStreamResult> streams;  // one per query, in order
    bool after_retry = false;              // the server made us prove our address
    std::optional<DoqClose> closed;        // the server closed the connection
    bool idle_timeout = false;             // the connection ended idle
};

// Connects and sends `queries` (whole DNS messages; each goes out as given,
// framed), as many at once as the server's stream limit allows. Fails on a
// failed handshake (with the reason) or when the time runs out before the
// handshake; after it, what arrived is returned even if incomplete.
Result<DoqExchange, TextError> doq_exchange(const DoqClientOptions& options,
                                            std::span<const std::vector<uint8_t>> queries);

// Names for DoQ's and QUIC's error codes: "DOQ_PROTOCOL_ERROR",
// "CRYPTO_ERROR (TLS alert 120)", or the number.
std::string describe(const DoqClose& close);

}  // namespace cairn::ctl
