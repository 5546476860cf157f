// One query, one answer, over plain POSIX sockets: all a one-shot tool needs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cairnctl/server_address.h"
#include "cairnctl/socket_io.h"
#include "wire/result.h"

namespace cairn::ctl {

// Sends `query` (a whole wire message) in one datagram from a fresh random
// source port to `server`, and returns the first datagram that answers it.
// The socket is connected, so the kernel drops datagrams from any other
// address or port; datagrams with another ID or question are ignored
// (RFC 5452 §9.1), and counted in the timeout message.
Result<std::vector<uint8_t>, TextError> exchange_udp(const ServerAddress& server,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline);

// Sends `query` over a new TCP connection with the 2-octet length prefix
// (RFC 1035 §4.2.2, RFC 7766 §8) and reads one framed answer, which must
// answer the query.
Result<std::vector<uint8_t>, TextError> exchange_tcp(const ServerAddress& server,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline);

}  // namespace cairn::ctl
