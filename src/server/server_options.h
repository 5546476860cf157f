// Settings of the server layer, filled in by config.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/client_prefix.h"
#include "server/encrypted_options.h"
#include "server/rate_limiter.h"
#include "wire/ip_address.h"

namespace cairn::server {

struct ServerOptions {
    std::vector<wire::SocketAddress> listen = {*wire::SocketAddress::parse("127.0.0.1:53"),
                                               *wire::SocketAddress::parse("[::1]:53")};
    // Worker threads; 0: one per core.
    unsigned threads = 0;
    // Clients allowed to query; others get REFUSED. Never an open resolver
    // by default.
    std::vector<wire::IpPrefix> allow = {*wire::IpPrefix::parse("127.0.0.0/8"),
                                         *wire::IpPrefix::parse("::1/128")};
    // RFC 7766 connection handling.
    std::chrono::milliseconds tcp_idle_timeout{10'000};
    uint32_t tcp_max_connections = 1000;
    uint32_t tcp_max_connections_per_client = 32;  // per client prefix
    unsigned tcp_max_pipelined = 64;
    size_t tcp_write_queue = 64 * 1024;
    std::chrono::milliseconds tcp_write_timeout{10'000};
    // What one client is, for every per-client budget.
    net::ClientPrefixLengths client_prefix;
    // Response rate limiting over UDP.
    RateLimits rate_limits;
    // Resolutions running at once, in all and for one client; over all
    // threads, each thread enforcing its share.
    uint64_t max_inflight = 10'000;
    uint32_t max_inflight_per_client = 1'000;
    // DNS cookie secrets; no current one: random, made once per process.
    std::optional<std::array<uint8_t, 16>> cookie_secret;
    std::optional<std::array<uint8_t, 16>> cookie_secret_previous;
    // Answers to CH TXT version.bind / id.server; empty: REFUSED.
    std::string version_string;
    std::string identity;
    // DNS over TLS and over HTTPS.
    EncryptedOptions encrypted;
};

}  // namespace cairn::server
