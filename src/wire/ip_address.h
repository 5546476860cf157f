// IP addresses, prefixes and socket addresses as plain values. They live in
// wire because A/AAAA RDATA carry them; nothing here touches a socket.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cairn::wire {

class IpAddress {
public:
    IpAddress() = default;
    static IpAddress v4(std::array<uint8_t, 4> bytes);
    static IpAddress v6(std::array<uint8_t, 16> bytes);
    // From A (4 octets) or AAAA (16 octets) RDATA.
    static std::optional<IpAddress> from_bytes(std::span<const uint8_t> bytes);
    // Dotted quad or RFC 4291 text (no brackets, no zone index).
    static std::optional<IpAddress> parse(std::string_view text);

    bool is_v4() const { return v4_; }
    // The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d,
    // RFC 4291 §2.5.5.2), nullopt for any other address.
    std::optional<IpAddress> mapped_v4() const;
    // 4 octets for IPv4, 16 for IPv6.
    std::span<const uint8_t> bytes() const { return {bytes_.data(), v4_ ? 4u : 16u}; }
    std::string to_string() const;

    bool operator==(const IpAddress&) const = default;
    auto operator<=>(const IpAddress&) const = default;

private:
    std::array<uint8_t, 16> bytes_{};
    bool v4_ = true;
};

class IpPrefix {
public:
    IpPrefix() = default;
    IpPrefix(IpAddress address, uint8_t length);
    // "192.0.2.0/24", "2001:db8::/32", or a bare address (host prefix).
    static std::optional<IpPrefix> parse(std::string_view text);

    // An IPv4 prefix also contains the IPv4-mapped IPv6 form of its
    // addresses: a dual-stack socket shows and reaches IPv4 hosts that way,
    // so an allow or deny list written in IPv4 must see through it.
    bool contains(const IpAddress& address) const;
    const IpAddress& address() const { return address_; }
    uint8_t length() const { return length_; }
    std::string to_string() const;

    bool operator==(const IpPrefix&) const = default;

private:
    IpAddress address_;  // host bits cleared
    uint8_t length_ = 0;
};

struct SocketAddress {
    IpAddress address;
    uint16_t port = 53;

    // "127.0.0.1:53", "[::1]:53", and without a port `default_port`.
    static std::optional<SocketAddress> parse(std::string_view text, uint16_t default_port = 53);
    // "127.0.0.1:53" / "[::1]:53".
    std::string to_string() const;

    bool operator==(const SocketAddress&) const = default;
    auto operator<=>(const SocketAddress&) const = default;
};

}  // namespace cairn::wire
