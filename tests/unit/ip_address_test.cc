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
