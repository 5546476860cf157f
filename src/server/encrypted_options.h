// Settings of the encrypted listeners (DoT, DoH and DoH's cleartext HTTP/2
// for a proxy in front, DoQ), filled in by config. All off unless addresses
// are configured.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "wire/ip_address.h"

namespace cairn::server {

struct EncryptedOptions {
    std::vector<wire::SocketAddress> listen_tls;    // DNS over TLS, port 853 unless given
    std::vector<wire::SocketAddress> listen_https;  // DNS over HTTPS, port 443 unless given
    std::vector<wire::SocketAddress> listen_http;   // cleartext HTTP/2, port 80 unless given
    std::vector<wire::SocketAddress> listen_quic;   // DNS over QUIC (UDP), port 853 unless given
    std::string tls_certificate;                    // PEM chain, leaf first
    std::string tls_key;                            // PEM private key
    std::chrono::milliseconds tls_handshake_timeout{5'000};
    std::string https_path = "/dns-query";
    uint32_t https_max_streams = 100;
    std::chrono::milliseconds quic_idle_timeout{30'000};
    uint32_t quic_max_streams = 100;
    bool quic_retry = true;  // address validation (RFC 9000 §8.1.2)
};

}  // namespace cairn::server
