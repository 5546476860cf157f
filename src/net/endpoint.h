// Conversions between the wire layer's address values and what sockets
// take: Asio endpoints and raw sockaddr structures.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "net/query_handler.h"
#include "wire/ip_address.h"

namespace cairn::net {

asio::ip::address to_asio(const wire::IpAddress& address);
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) become plain IPv4, so that an
// access list written with IPv4 prefixes means what it says.
wire::IpAddress from_asio(const asio::ip::address& address);

asio::ip::udp::endpoint udp_endpoint(const wire::SocketAddress& address);
asio::ip::tcp::endpoint tcp_endpoint(const wire::SocketAddress& address);
wire::SocketAddress from_endpoint(const asio::ip::udp::endpoint& endpoint);
wire::SocketAddress from_endpoint(const asio::ip::tcp::endpoint& endpoint);

// Fills `peer` from a received datagram's source; false for a family other
// than IPv4/IPv6. No allocation.
bool peer_from_sockaddr(const sockaddr_storage& from, Peer& peer);
// The sockaddr to send to `peer`; returns its length.
socklen_t peer_to_sockaddr(const Peer& peer, sockaddr_storage& to);

}  // namespace cairn::net
