// The client allow list.
#include "server/access_list.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

TEST(AccessList, AllowsListedPrefixesOnly) {
    const AccessList list({*wire::IpPrefix::parse("127.0.0.0/8"), *wire::IpPrefix::parse("::1")});
    EXPECT_TRUE(list.allows(ip("127.0.0.1")));
    EXPECT_TRUE(list.allows(ip("::1")));
    EXPECT_FALSE(list.allows(ip("192.0.2.1")));
    EXPECT_FALSE(list.allows(ip("::2")));
    EXPECT_FALSE(AccessList().allows(ip("127.0.0.1")));
}

// A client of a dual-stack IPv6 socket shows as ::ffff:a.b.c.d; an IPv4
// entry must still recognise it (and only it).
TEST(AccessList, IPv4EntriesAllowTheMappedForm) {
    const AccessList list({*wire::IpPrefix::parse("192.0.2.0/24")});
    EXPECT_TRUE(list.allows(ip("::ffff:192.0.2.200")));
    EXPECT_FALSE(list.allows(ip("::ffff:198.51.100.1")));
    EXPECT_FALSE(list.allows(ip("::192.0.2.200")));
}

}  // namespace
}  // namespace cairn::server
