// What `cairnctl query` was asked to do, checked before anything is sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cairnctl/server_address.h"
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
    bool quic = false;
    std::string ca;
    bool insecure = false;
    bool no_edns = false;
    double timeout_seconds = 3;
    long bufsize = 1232;
};

struct QueryOptions {
    wire::Question question;
    ServerAddress server;
    bool dnssec_ok = false;
    bool checking_disabled = false;
    bool recursion_desired = true;
    bool force_tcp = false;
    // DNS over QUIC (RFC 9250), the server's certificate checked against
    // `ca_file` (empty: the system's CAs) unless `insecure`.
    bool quic = false;
    std::string ca_file;
    bool insecure = false;
    bool edns = true;
    uint16_t udp_size = 1232;
    // For each attempt: the UDP query, and again for the TCP retry.
    std::chrono::milliseconds timeout{3000};
};

// Words are read like dig's: "@..." is the server, "+..." a dig-style option
// (+dnssec +cd +norec +tcp +noedns +timeout=S +bufsize=N), the first other
// word the name and the second the type. An error names the offending word.
Result<QueryOptions, TextError> make_query_options(const QueryArgs& args);

}  // namespace cairn::ctl
