#include "wire/ip_address.h"

#include <gtest/gtest.h>

namespace cairn::wire {
namespace {

TEST(IpAddress, ParseAndFormat) {
    EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
    EXPECT_TRUE(IpAddress::parse("192.0.2.1")->is_v4());
    EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->to_string(), "2001:db8::1");
    EXPECT_FALSE(IpAddress::parse("::1")->is_v4());
    EXPECT_FALSE(IpAddress::parse("300.1.1.1"));
    EXPECT_FALSE(IpAddress::parse(""));
    EXPECT_FALSE(IpAddress::parse("example.com"));
    const uint8_t raw[4] = {10, 1, 2, 3};
    EXPECT_EQ(IpAddress::from_bytes(raw)->to_string(), "10.1.2.3");
    EXPECT_FALSE(IpAddress::from_bytes(std::span<const uint8_t>(raw, 3)));
}

TEST(IpPrefix, Contains) {
    auto loopback = *IpPrefix::parse("127.0.0.0/8");
    EXPECT_TRUE(loopback.contains(*IpAddress::parse("127.53.1.1")));
    EXPECT_FALSE(loopback.contains(*IpAddress::parse("128.0.0.1")));
    EXPECT_FALSE(loopback.contains(*IpAddress::parse("::1")));
    auto host = *IpPrefix::parse("::1");
    EXPECT_EQ(host.length(), 128);
    EXPECT_TRUE(host.contains(*IpAddress::parse("::1")));
    EXPECT_FALSE(host.contains(*IpAddress::parse("::2")));
    auto odd = *IpPrefix::parse("10.255.255.255/9");
    EXPECT_EQ(odd.to_string(), "10.128.0.0/9");
    EXPECT_TRUE(odd.contains(*IpAddress::parse("10.200.0.1")));
    EXPECT_FALSE(odd.contains(*IpAddress::parse("10.100.0.1")));
    EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
    EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
    EXPECT_FALSE(IpPrefix::parse("10.0.0.0/x"));
}

TEST(IpAddress, MappedV4) {
    EXPECT_EQ(IpAddress::parse("::ffff:127.0.0.1")->mapped_v4(), IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(IpAddress::parse("::FFFF:c000:0201")->mapped_v4(), IpAddress::parse("192.0.2.1"));
    EXPECT_FALSE(IpAddress::parse("127.0.0.1")->mapped_v4());
    EXPECT_FALSE(IpAddress::parse("::1")->mapped_v4());
    EXPECT_FALSE(IpAddress::parse("::127.0.0.1")->mapped_v4());  // IPv4-compatible, not mapped
    EXPECT_FALSE(IpAddress::parse("64:ff9b::127.0.0.1")->mapped_v4());
    EXPECT_FALSE(IpAddress::parse("1::ffff:127.0.0.1")->mapped_v4());
}

// RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is how an IPv4 host looks through an
// IPv6 socket, so an IPv4 prefix holds it; an IPv6 prefix is unchanged.
TEST(IpPrefix, IPv4PrefixContainsMappedAddresses) {
    auto loopback = *IpPrefix::parse("127.0.0.0/8");
    EXPECT_TRUE(loopback.contains(*IpAddress::parse("::ffff:127.0.0.1")));
    EXPECT_TRUE(loopback.contains(*IpAddress::parse("::ffff:127.255.0.9")));
    EXPECT_FALSE(loopback.contains(*IpAddress::parse("::ffff:128.0.0.1")));
    EXPECT_FALSE(loopback.contains(*IpAddress::parse("::127.0.0.1")));
    EXPECT_FALSE(loopback.contains(*IpAddress::parse("::ffff:0:127.0.0.1")));  // SIIT, not mapped
    auto host = *IpPrefix::parse("192.0.2.1");
    EXPECT_TRUE(host.contains(*IpAddress::parse("::ffff:192.0.2.1")));
    EXPECT_FALSE(host.contains(*IpAddress::parse("::ffff:192.0.2.2")));
    EXPECT_TRUE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("::ffff:8.8.8.8")));
    EXPECT_FALSE(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("2001:db8::1")));
    // An IPv6 prefix does not reach into IPv4.
    EXPECT_FALSE(IpPrefix::parse("::ffff:0:0/96")->contains(*IpAddress::parse("127.0.0.1")));
    EXPECT_TRUE(IpPrefix::parse("::ffff:0:0/96")->contains(*IpAddress::parse("::ffff:127.0.0.1")));
}

TEST(SocketAddress, Parse) {
    EXPECT_EQ(SocketAddress::parse("127.0.0.1:5353")->to_string(), "127.0.0.1:5353");
    EXPECT_EQ(SocketAddress::parse("127.0.0.1")->port, 53);
    EXPECT_EQ(SocketAddress::parse("[::1]:853")->to_string(), "[::1]:853");
    EXPECT_EQ(SocketAddress::parse("::1")->to_string(), "[::1]:53");
    EXPECT_EQ(SocketAddress::parse("[::1]")->port, 53);
    EXPECT_FALSE(SocketAddress::parse("127.0.0.1:"));
    EXPECT_FALSE(SocketAddress::parse("127.0.0.1:70000"));
    EXPECT_FALSE(SocketAddress::parse("[::1"));
    EXPECT_FALSE(SocketAddress::parse("[::1]x"));
    EXPECT_FALSE(SocketAddress::parse("localhost:53"));
}

}  // namespace
}  // namespace cairn::wire
