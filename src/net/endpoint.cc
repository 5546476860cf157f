#include "net/endpoint.h"

#include <algorithm>
#include <cstring>

namespace cairn::net {

namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

wire::IpAddress from_v6_bytes(const uint8_t* bytes) {
    if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes))
        return wire::IpAddress::v4({bytes[12], bytes[13], bytes[14], bytes[15]});
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), bytes, b.size());
    return wire::IpAddress::v6(b);
}

}  // namespace

asio::ip::address to_asio(const wire::IpAddress& address) {
    const auto bytes = address.bytes();
    if (address.is_v4()) {
        asio::ip::address_v4::bytes_type b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        return asio::ip::address_v4(b);
    }
    asio::ip::address_v6::bytes_type b;
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return asio::ip::address_v6(b);
}

wire::IpAddress from_asio(const asio::ip::address& address) {
    if (address.is_v4()) return wire::IpAddress::v4(address.to_v4().to_bytes());
    const auto b = address.to_v6().to_bytes();
    return from_v6_bytes(b.data());
}

asio::ip::udp::endpoint udp_endpoint(const wire::SocketAddress& address) {
    return {to_asio(address.address), address.port};
}

asio::ip::tcp::endpoint tcp_endpoint(const wire::SocketAddress& address) {
    return {to_asio(address.address), address.port};
}

wire::SocketAddress from_endpoint(const asio::ip::udp::endpoint& endpoint) {
    return {from_asio(endpoint.address()), endpoint.port()};
}

wire::SocketAddress from_endpoint(const asio::ip::tcp::endpoint& endpoint) {
    return {from_asio(endpoint.address()), endpoint.port()};
}

bool peer_from_sockaddr(const sockaddr_storage& from, Peer& peer) {
    if (from.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(from);
        const auto* b = reinterpret_cast<const uint8_t*>(&in.sin_addr.s_addr);
        peer.address.address = wire::IpAddress::v4({b[0], b[1], b[2], b[3]});
        peer.address.port = ntohs(in.sin_port);
        peer.scope_id = 0;
        return true;
    }
    if (from.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(from);
        peer.address.address = from_v6_bytes(in6.sin6_addr.s6_addr);
        peer.address.port = ntohs(in6.sin6_port);
        peer.scope_id = in6.sin6_scope_id;
        return true;
    }
    return false;
}

socklen_t peer_to_sockaddr(const Peer& peer, sockaddr_storage& to) {
    std::memset(&to, 0, sizeof(to));
    const auto bytes = peer.address.address.bytes();
    if (peer.address.address.is_v4()) {
        auto& in = reinterpret_cast<sockaddr_in&>(to);
        in.sin_family = AF_INET;
        in.sin_port = htons(peer.address.port);
        std::memcpy(&in.sin_addr.s_addr, bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto& in6 = reinterpret_cast<sockaddr_in6&>(to);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(peer.address.port);
    std::memcpy(in6.sin6_addr.s6_addr, bytes.data(), 16);
    in6.sin6_scope_id = peer.scope_id;
    return sizeof(sockaddr_in6);
}

}  // namespace cairn::net
