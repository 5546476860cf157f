// Socket options Asio has no name for.
#pragma once

#include <sys/socket.h>

#include <asio/detail/socket_option.hpp>
#include <asio/ip/v6_only.hpp>

namespace cairn::net {

// Lets every worker bind its own socket to the same address; the kernel
// spreads incoming datagrams and connections over them.
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

}  // namespace cairn::net
