#include "cairnctl/server_address.h"

#include <gtest/gtest.h>

namespace cairn::ctl {
namespace {

std::string parsed(std::string_view text) {
    auto address = parse_server_address(text);
    return address ? address->to_text() : "error: " + address.error().message;
}

int family(std::string_view text) {
    return parse_server_address(text)->family();
}

TEST(ServerAddress, Ipv4WithAndWithoutPort) {
    EXPECT_EQ(parsed("127.0.0.1"), "127.0.0.1#53");
    EXPECT_EQ(parsed("127.0.0.1:5353"), "127.0.0.1#5353");
    EXPECT_EQ(family("127.0.0.1"), AF_INET);
    EXPECT_EQ(parse_server_address("192.0.2.1:65535")->port(), 65535);
}

TEST(ServerAddress, Ipv6Forms) {
    EXPECT_EQ(parsed("::1"), "::1#53");
    EXPECT_EQ(parsed("[::1]"), "::1#53");
    EXPECT_EQ(parsed("[::1]:5353"), "::1#5353");
    EXPECT_EQ(parsed("2001:DB8:0:0::53"), "2001:db8::53#53");
    EXPECT_EQ(parsed("[2001:db8::53]:853"), "2001:db8::53#853");
    EXPECT_EQ(family("[::1]:5353"), AF_INET6);
    EXPECT_EQ(parsed("::ffff:192.0.2.1"), "::ffff:192.0.2.1#53");
}

TEST(ServerAddress, Ipv6Scope) {
    // "lo" exists on every Linux host; a number is taken as is.
    EXPECT_EQ(parsed("[fe80::1%lo]:53"), "fe80::1%lo#53");
    EXPECT_EQ(parsed("fe80::1%1"), "fe80::1%lo#53");
    EXPECT_NE(parsed("fe80::1%no-such-if0").find("unknown interface"), std::string::npos);
}

TEST(ServerAddress, BadPorts) {
    for (const char* text : {"127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
                             "127.0.0.1:-1", "[::1]:", "[::1]:abc", "127.0.0.1: 53"}) {
        SCOPED_TRACE(text);
        EXPECT_NE(parsed(text).find("bad port"), std::string::npos) << parsed(text);
    }
}

TEST(ServerAddress, BadAddresses) {
    EXPECT_EQ(parsed(""), "error: empty server address");
    EXPECT_NE(parsed("localhost").find("not an IP address"), std::string::npos);
    EXPECT_NE(parsed("ns1.example:53").find("not an IP address"), std::string::npos);
    EXPECT_NE(parsed("256.0.0.1").find("not an IP address"), std::string::npos);
    EXPECT_NE(parsed("127.1").find("not an IP address"), std::string::npos);
    EXPECT_NE(parsed("[127.0.0.1]:53").find("not an IPv6 address"), std::string::npos);
    EXPECT_NE(parsed("[::1").find("missing ']'"), std::string::npos);
    EXPECT_NE(parsed("[::1]53").find("expected ':PORT'"), std::string::npos);
    EXPECT_NE(parsed("::1::2").find("not an IPv6 address"), std::string::npos);
}

}  // namespace
}  // namespace cairn::ctl
