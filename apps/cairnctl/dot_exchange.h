// DNS over TLS (RFC 7858) for `cairnctl query`: one query on a new TLS
// connection offering ALPN "dot", framed as on TCP.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cairnctl/server_address.h"
#include "cairnctl/socket_io.h"
#include "cairnctl/transport_settings.h"
#include "wire/result.h"

namespace cairn::ctl {

inline constexpr uint16_t kDefaultDotPort = 853;

// Sends `query` and returns the framed answer, which must answer it.
Result<std::vector<uint8_t>, TextError> exchange_tls(const ServerAddress& server,
                                                     const TlsSettings& tls,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline);

}  // namespace cairn::ctl
