// Forward and stub zones: the closest configured zone decides, ports follow
// TLS, and what check() refuses.
#include <gtest/gtest.h>

#include "policy/forward_zones.h"

namespace cairn::policy {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::SocketAddress address(std::string_view text, uint16_t default_port = 53) {
    return *wire::SocketAddress::parse(text, default_port);
}

ForwardingOptions nested() {
    ForwardingOptions options;
    options.forward_zones.push_back({name("example."), {address("192.0.2.1")}, "", false});
    options.forward_zones.push_back(
        {name("dot.lab.example."), {address("192.0.2.7", 0)}, "dns.example", true});
    options.stub_zones.push_back({name("lab.example."), {address("192.0.2.2:5300")}});
    return options;
}

TEST(ForwardZones, TheClosestConfiguredZoneDecides) {
    const ForwardZones zones(nested());
    auto f = zones.forward_for(name("www.EXAMPLE."));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->zone, name("example."));
    EXPECT_EQ(f->servers.servers.at(0).port, 53);
    EXPECT_FALSE(zones.stub_for(name("www.example.")));

    // Under the stub zone inside the forward zone: not forwarded.
    EXPECT_FALSE(zones.forward_for(name("www.lab.example.")));
    auto s = zones.stub_for(name("www.lab.example."));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->zone, name("lab.example."));
    EXPECT_EQ(s->servers.servers.at(0).port, 5300);

    // A forward zone inside the stub zone takes its names, and the stub zone
    // stays theirs when falling back to iteration.
    auto d = zones.forward_for(name("a.dot.lab.example."));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->zone, name("dot.lab.example."));
    EXPECT_EQ(d->servers.tls_name, "dns.example");
    EXPECT_TRUE(d->servers.first);
    EXPECT_EQ(d->servers.servers.at(0).port, 853);  // DoT unless a port is given
    auto under = zones.stub_for(name("a.dot.lab.example."));
    ASSERT_TRUE(under);
    EXPECT_EQ(under->zone, name("lab.example."));

    EXPECT_FALSE(zones.forward_for(name("example.org.")));
    EXPECT_FALSE(zones.stub_for(name("example.org.")));
    EXPECT_FALSE(ForwardZones().forward_for(name("example.")));
}

TEST(ForwardZones, TheRootForwardsEverything) {
    ForwardingOptions options;
    options.forward_zones.push_back({name("."), {address("192.0.2.1")}, "", false});
    const ForwardZones zones(options);
    EXPECT_TRUE(zones.forward_for(name(".")));
    EXPECT_TRUE(zones.forward_for(name("a.b.c.")));
    EXPECT_FALSE(zones.stub_for(name("a.b.c.")));
}

TEST(ForwardZones, CheckRefusesAmbiguities) {
    EXPECT_EQ(ForwardZones::check(nested()), std::nullopt);

    auto twice = nested();
    twice.forward_zones.push_back({name("EXAMPLE"), {address("192.0.2.3")}, "", false});
    EXPECT_EQ(ForwardZones::check(twice), "forward-zones names EXAMPLE. more than once");

    auto stub_twice = nested();
    stub_twice.stub_zones.push_back({name("lab.example."), {address("192.0.2.3")}});
    EXPECT_EQ(ForwardZones::check(stub_twice), "stub-zones names lab.example. more than once");

    auto both = nested();
    both.stub_zones.push_back({name("example."), {address("192.0.2.3")}});
    EXPECT_EQ(ForwardZones::check(both), "example. is both a forward zone and a stub zone");

    auto same_address = nested();
    same_address.stub_zones[0].addresses.push_back(address("192.0.2.2:53"));
    EXPECT_EQ(ForwardZones::check(same_address),
              "stub-zones: lab.example. lists 192.0.2.2 more than once");
}

}  // namespace
}  // namespace cairn::policy
