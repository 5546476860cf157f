// The HTTP side of one DNS-over-HTTPS request (RFC 8484 §4.1): which method,
// path and media type it must have, where its DNS query is (the `dns`
// parameter of a GET, base64url without padding; the body of a POST), and
// the HTTP status for each way a client gets it wrong. No I/O: the HTTP/2
// session fills a DohRequest in and asks judge().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::net {

// The largest DNS message, and so the largest body or decoded `dns` value.
inline constexpr size_t kMaxDohMessage = 65535;

inline constexpr std::string_view kDnsMessageType = "application/dns-message";

struct DohRequest {
    std::string method;
    std::string path;  // with its query string
    std::string content_type;
    std::optional<uint64_t> content_length;
    std::vector<uint8_t> body;
    bool body_too_large = false;  // more than kMaxDohMessage octets came

    // Keeps at most kMaxDohMessage octets of body; more marks it too large.
    void append_body(std::span<const uint8_t> data);
};

// The HTTP status for a request that cannot be served, or 200 and the DNS
// query in `query` (which points into `request` or `scratch`).
struct DohVerdict {
    unsigned status = 200;
    std::span<const uint8_t> query;
};

// `path` is the configured https-path. The checks, in order: 404 for
// another path; 405 for a method other than GET and POST; for POST, 413 for
// a body over 65,535 octets (or a Content-Length saying so), 415 for another
// media type; for GET, 400 without one `dns` parameter or when it is not
// base64url; 400 when the message is shorter than a DNS header.
DohVerdict judge(const DohRequest& request, std::string_view path, std::vector<uint8_t>& scratch);

// Decodes base64url without padding (RFC 4648 §5, RFC 8484 §6) into `out`;
// false for a character outside the alphabet, a padding `=`, an impossible
// length or non-zero spare bits.
bool decode_base64url(std::string_view text, std::vector<uint8_t>& out);

}  // namespace cairn::net
