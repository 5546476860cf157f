// ServerSelector's address filter (upstream-ipv4/-ipv6, upstream-deny).
#include "resolve/server_selector.h"

#include <gtest/gtest.h>

namespace cairn::resolve {
namespace {

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

struct ServerSelectorTest : ::testing::Test {
    ResolverOptions options;
    cache::InfraCache infra;
};

TEST_F(ServerSelectorTest, DefaultDenyListCoversMappedLoopback) {
    ServerSelector selector(options, infra);
    EXPECT_FALSE(selector.permitted(ip("127.0.0.1")));
    EXPECT_FALSE(selector.permitted(ip("::ffff:127.0.0.1")));
    EXPECT_FALSE(selector.permitted(ip("::ffff:127.53.0.1")));
    EXPECT_FALSE(selector.permitted(ip("::ffff:0.0.0.0")));
    EXPECT_FALSE(selector.permitted(ip("::1")));
    EXPECT_TRUE(selector.permitted(ip("192.0.2.1")));
    EXPECT_TRUE(selector.permitted(ip("::ffff:192.0.2.1")));
    EXPECT_TRUE(selector.permitted(ip("2001:db8::1")));
}

TEST_F(ServerSelectorTest, OperatorDenyListCoversMappedAddresses) {
    options.upstream_deny = {*wire::IpPrefix::parse("192.0.2.0/24")};
    ServerSelector selector(options, infra);
    EXPECT_FALSE(selector.permitted(ip("192.0.2.7")));
    EXPECT_FALSE(selector.permitted(ip("::ffff:192.0.2.7")));
    EXPECT_TRUE(selector.permitted(ip("::ffff:198.51.100.7")));
    EXPECT_TRUE(selector.permitted(ip("127.0.0.1")));  // the list replaces the default

    // choose() never picks the mapped form of a denied server.
    const auto ns = *wire::Name::from_text("ns.example.");
    Delegation delegation{*wire::Name::from_text("example."), {NameServer{ns, {}}}};
    delegation.add_address(ns, ip("::ffff:192.0.2.7"));
    EXPECT_EQ(selector.choose(delegation, {}, cache::MonotonicTime{}), std::nullopt);
    delegation.add_address(ns, ip("::ffff:198.51.100.7"));
    EXPECT_EQ(selector.choose(delegation, {}, cache::MonotonicTime{}), ip("::ffff:198.51.100.7"));
}

}  // namespace
}  // namespace cairn::resolve
