// Settings of the server layer, filled in by config.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/encrypted_options.h"
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
    uint32_t tcp_max_connections_per_client = 32;
    // Answers to CH TXT version.bind / id.server; empty: REFUSED.
    std::string version_string;
    std::string identity;
    // DNS over TLS and over HTTPS.
    EncryptedOptions encrypted;
};

}  // namespace cairn::server
