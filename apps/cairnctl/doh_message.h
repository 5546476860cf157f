// The HTTP side of DNS over HTTPS (RFC 8484) for `cairnctl query`, apart
// from the connection: the request's :path and :authority, and what makes
// a response a DNS answer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cairnctl/server_address.h"
#include "wire/result.h"

namespace cairn::ctl {

inline constexpr uint16_t kDefaultDohPort = 443;
inline constexpr std::string_view kDnsMessageType = "application/dns-message";

// RFC 4648 §5 base64url, without '=' padding (RFC 8484 §4.1).
std::string base64url(std::span<const uint8_t> data);

// The :path of a GET: `path` with "dns=" and the query in base64url added
// to its query string.
std::string doh_get_path(std::string_view path, std::span<const uint8_t> query);

// The :authority (RFC 9113 §8.3.1): the TLS name if given, else the address
// (in brackets for IPv6), with ":port" unless it is 443.
std::string doh_authority(const ServerAddress& server, std::string_view name);

struct DohResponse {
    unsigned status = 0;
    std::string content_type;
    std::vector<uint8_t> body;
};

// The DNS message in `response`, or why it holds none: an HTTP status other
// than 200, another media type, an empty body.
Result<std::vector<uint8_t>, TextError> doh_answer(DohResponse response);

}  // namespace cairn::ctl
