// The UDP socket each worker binds for a listener (plain DNS, DoQ).
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <string_view>

#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::net {

// A socket bound to `address` with SO_REUSEPORT (every worker binds its
// own), IPv6-only for an IPv6 address, `buffer_bytes` of kernel buffers
// each way (the kernel caps them at net.core.rmem_max / wmem_max; a smaller
// buffer is no reason to fail) and non-blocking: reads and writes run
// outside Asio too. Errors name `kind` ("udp", "quic") and the address.
Result<asio::ip::udp::socket, TextError> open_listening_udp(asio::io_context& io,
                                                            const wire::SocketAddress& address,
                                                            int buffer_bytes,
                                                            std::string_view kind);

}  // namespace cairn::net
