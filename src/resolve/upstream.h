// The resolver's only way to talk to authoritative servers. The net layer
// implements it over UDP/TCP; unit tests script it in memory.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "wire/ip_address.h"
#include "wire/message.h"

namespace cairn::resolve {

struct UpstreamQuery {
    wire::SocketAddress server;
    wire::Question question;
    bool recursion_desired = false;
    bool use_edns = true;
    bool dnssec_ok = false;
    bool checking_disabled = false;
    uint16_t edns_udp_size = 1232;
    bool force_tcp = false;
    // DNS over TLS (RFC 7858), the server's certificate checked for this
    // name (or IP address); empty: plain DNS. Never falls back to clear text.
    std::string_view tls_name;
    std::chrono::milliseconds timeout{800};
};

enum class UpstreamStatus : uint8_t {
    kOk,            // a matching, well-formed response (any rcode)
    kTimeout,       // no matching response in time
    kNetworkError,  // refused, unreachable, connection reset
    kMalformed,     // a matching response that did not parse (FORMERR-worthy)
};

struct UpstreamReply {
    UpstreamStatus status = UpstreamStatus::kTimeout;
    wire::Message message;
    std::chrono::microseconds rtt{0};
    bool via_tcp = false;  // the answer came over TCP (forced, or after TC=1)
};

class Upstream {
public:
    virtual ~Upstream() = default;
    // Sends `query` and waits for the matching response. Implementations use
    // a fresh random source port and ID per query, accept only a response
    // from the queried address and port with the same ID and question
    // (RFC 5452), and retry over TCP when a UDP response has TC=1.
    virtual asio::awaitable<UpstreamReply> exchange(UpstreamQuery query) = 0;
};

}  // namespace cairn::resolve
