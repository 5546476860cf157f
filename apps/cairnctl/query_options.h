// What `cairnctl query` was asked to do, checked before anything is sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cairnctl/server_address.h"
#include "cairnctl/transport_settings.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::ctl {

// The command line as CLI11 fills it in: dashed options plus the free words
// (NAME, TYPE, @SERVER and dig-style +options, in any order).
struct QueryArgs {
    std::vector<std::string> words;
    bool dnssec = false;
    bool cd = false;
    bool norec = false;
    bool tcp = false;
    bool tls = false;
    bool https = false;
    bool quic = false;
    bool get = false;
    std::string path = "/dns-query";
    std::string ca_file;
    bool insecure = false;
    std::string tls_name;
    bool no_edns = false;
    double timeout_seconds = 3;
    long bufsize = 1232;
};

enum class Transport : uint8_t {
    kUdp,    // UDP, then TCP if the answer is truncated
    kTcp,    // TCP only
    kTls,    // DNS over TLS (RFC 7858)
    kHttps,  // DNS over HTTPS (RFC 8484)
    kQuic,   // DNS over QUIC (RFC 9250)
};

// "udp", "tcp", "tls", "https", "quic".
const char* to_string(Transport transport);

// RFC 8467 §4.1: queries on encrypted transports are padded to a multiple
// of 128 octets.
inline constexpr size_t kQueryPaddingBlock = 128;

struct QueryOptions {
    wire::Question question;
    ServerAddress server;
    bool dnssec_ok = false;
    bool checking_disabled = false;
    bool recursion_desired = true;
    Transport transport = Transport::kUdp;
    TlsSettings tls;  // kTls, kHttps, kQuic
    DohSettings doh;  // kHttps
    bool edns = true;
    uint16_t udp_size = 1232;
    // Pad the query (EDNS padding, RFC 7830) to a multiple of this; 0: no padding.
    size_t padding_block = 0;
    // For each attempt: the UDP query, and again for the TCP retry.
    std::chrono::milliseconds timeout{3000};
};

// Words are read like dig's: "@..." is the server, "+..." a dig-style option
// (+dnssec +cd +norec +tcp +tls +https +quic +noedns +timeout=S +bufsize=N), the
// first other word the name and the second the type. An error names the
// offending word or the options that do not go together.
Result<QueryOptions, TextError> make_query_options(const QueryArgs& args);

}  // namespace cairn::ctl
