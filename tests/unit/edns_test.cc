#include "wire/edns.h"

#include <gtest/gtest.h>

#include "wire/message.h"

namespace cairn::wire {
namespace {

Edns round_trip(const Edns& e) {
    Message m;
    m.edns = e;
    auto parsed = Message::parse(m.to_wire());
    EXPECT_TRUE(parsed.ok());
    return *parsed->edns;
}

TEST(Edns, FieldsRoundTrip) {
    Edns e;
    e.udp_size = 4096;
    e.version = 0;
    e.dnssec_ok = true;
    e.extended_rcode = 1;
    EXPECT_EQ(round_trip(e), e);
    EXPECT_EQ(e.wire_size(), 11u);
}

TEST(Edns, TypedOptionsRoundTrip) {
    Edns e;
    CookieOption cookie;
    cookie.client = {1, 2, 3, 4, 5, 6, 7, 8};
    cookie.server.assign(16, 0xAB);
    e.options.push_back(cookie);
    e.options.push_back(ClientSubnetOption{1, 24, 0, {192, 0, 2}});
    e.options.push_back(ExtendedErrorOption{ExtendedErrorCode::kStaleAnswer, "served stale"});
    e.options.push_back(PaddingOption{17});
    e.options.push_back(TcpKeepaliveOption{300});
    e.options.push_back(TcpKeepaliveOption{});
    e.options.push_back(UnknownOption{65001, {9, 9}});
    auto back = round_trip(e);
    EXPECT_EQ(back, e);
    ASSERT_NE(back.find<ClientSubnetOption>(), nullptr);
    EXPECT_EQ(back.find<ClientSubnetOption>()->source_prefix, 24);
    EXPECT_EQ(back.find<PaddingOption>()->length, 17);
}

TEST(Edns, MalformedKnownOptionsAreErrors) {
    auto parse = [](std::vector<uint8_t> rdata) { return Edns::parse(1232, 0, rdata); };
    // Cookie of 5 octets (RFC 7873: 8, or 16..40).
    EXPECT_FALSE(parse({0, 10, 0, 5, 1, 2, 3, 4, 5}).ok());
    // ECS whose address is longer than its source prefix needs.
    EXPECT_FALSE(parse({0, 8, 0, 8, 0, 1, 8, 0, 10, 0, 0, 0}).ok());
    // ECS with an unknown family.
    EXPECT_FALSE(parse({0, 8, 0, 4, 0, 9, 0, 0}).ok());
    // EDE without its info code.
    EXPECT_FALSE(parse({0, 15, 0, 1, 0}).ok());
    // Keepalive of 3 octets.
    EXPECT_FALSE(parse({0, 11, 0, 3, 0, 0, 0}).ok());
    // Option length past the end.
    EXPECT_FALSE(parse({0, 12, 0, 9, 0}).ok());
    // Option header cut short.
    EXPECT_FALSE(parse({0, 12, 0}).ok());
}

TEST(Edns, FlagsFromTtl) {
    auto e = Edns::parse(512, 0x01008000u, {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->extended_rcode, 1);
    EXPECT_EQ(e->version, 0);
    EXPECT_TRUE(e->dnssec_ok);
    EXPECT_EQ(e->udp_size, 512);
    auto v1 = Edns::parse(1232, 0x00010000u, {});
    EXPECT_EQ(v1->version, 1);
    EXPECT_FALSE(v1->dnssec_ok);
}

TEST(Edns, ExtendedErrorNames) {
    EXPECT_EQ(to_string(ExtendedErrorCode::kNoReachableAuthority), "No Reachable Authority");
    EXPECT_EQ(to_string(ExtendedErrorCode::kUnsupportedNsec3Iterations),
              "Unsupported NSEC3 Iterations Value");
}

}  // namespace
}  // namespace cairn::wire
