// DNS over HTTPS (RFC 8484) for `cairnctl query`: one query on a new TLS
// connection offering ALPN "h2", as one HTTP/2 request (nghttp2), POST with
// the query as body or GET with it in the URI.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cairnctl/server_address.h"
#include "cairnctl/socket_io.h"
#include "cairnctl/transport_settings.h"
#include "wire/result.h"

namespace cairn::ctl {

// Sends `query` and returns the answer, which must answer it. An HTTP status
// other than 200, another media type or a reset stream is an error saying so.
Result<std::vector<uint8_t>, TextError> exchange_https(const ServerAddress& server,
                                                       const TlsSettings& tls,
                                                       const DohSettings& doh,
                                                       std::span<const uint8_t> query,
                                                       Deadline deadline);

}  // namespace cairn::ctl
