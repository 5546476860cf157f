// ServerSelector: the address filter (upstream-ipv4/-ipv6, upstream-deny),
// the choice by expected timeout, and exploration.
#include "resolve/server_selector.h"

#include <gtest/gtest.h>

#include "support/scripted_random.h"

namespace cairn::resolve {
namespace {

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

struct ServerSelectorTest : ::testing::Test {
    ResolverOptions options;
    cache::InfraCache infra;
    testing::ScriptedRandom random;
};

TEST_F(ServerSelectorTest, DefaultDenyListCoversMappedLoopback) {
    ServerSelector selector(options, infra, random);
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
    ServerSelector selector(options, infra, random);
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

// Three servers; .1 answers fast, .2 slowly, .3 is unknown.
struct SelectionTest : ServerSelectorTest {
    SelectionTest() {
        options.upstream_deny.clear();
        const auto now = cache::MonotonicTime{};
        infra.record_rtt(ip("192.0.2.1"), std::chrono::milliseconds(5), now);
        infra.record_rtt(ip("192.0.2.2"), std::chrono::milliseconds(200), now);
        const auto ns = *wire::Name::from_text("ns.example.");
        delegation.servers.push_back({ns, {}});
        for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"})
            delegation.add_address(ns, ip(a));
    }
    Delegation delegation{*wire::Name::from_text("example."), {}};
};

TEST_F(SelectionTest, TheFastestUntriedServerIsChosen) {
    ServerSelector selector(options, infra, random);  // never explores: draws 1
    EXPECT_EQ(selector.choose(delegation, {}, {}), ip("192.0.2.1"));
    EXPECT_EQ(selector.choose(delegation, {ip("192.0.2.1")}, {}), ip("192.0.2.2"));
    EXPECT_EQ(selector.choose(delegation, {ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.3")}, {}),
              std::nullopt);
}

TEST_F(SelectionTest, ExplorationAsksAnotherServer) {
    // The draw for exploring comes out 0 (one in kExploreOneIn), then the
    // second of the other servers is picked.
    testing::ScriptedRandom explore({0, 1});
    ServerSelector selector(options, infra, explore);
    EXPECT_EQ(selector.choose(delegation, {}, {}), ip("192.0.2.3"));
}

TEST_F(SelectionTest, ExploresAboutOneQueryInTwenty) {
    FastRandom real;
    ServerSelector selector(options, infra, real);
    int others = 0;
    for (int i = 0; i < 20'000; ++i)
        others += selector.choose(delegation, {}, {}) != ip("192.0.2.1");
    EXPECT_GT(others, 20'000 / ServerSelector::kExploreOneIn / 2);
    EXPECT_LT(others, 20'000 / ServerSelector::kExploreOneIn * 2);
}

TEST_F(SelectionTest, ABackedOffServerIsNeverExplored) {
    for (int i = 0; i < 4; ++i)
        infra.record_timeout(ip("192.0.2.3"), cache::MonotonicTime{});
    infra.record_rtt(ip("192.0.2.2"), std::chrono::milliseconds(5), cache::MonotonicTime{});
    testing::ScriptedRandom explore({0, 0, 0});
    ServerSelector selector(options, infra, explore);
    for (int i = 0; i < 5; ++i)
        EXPECT_NE(selector.choose(delegation, {}, {}), ip("192.0.2.3"));
}

TEST_F(SelectionTest, AServerThatTimedOutIsNotExplored) {
    infra.record_timeout(ip("192.0.2.3"), cache::MonotonicTime{});
    infra.record_rtt(ip("192.0.2.2"), std::chrono::milliseconds(5), cache::MonotonicTime{});
    testing::ScriptedRandom explore({0, 0, 0});
    ServerSelector selector(options, infra, explore);
    for (int i = 0; i < 5; ++i)
        EXPECT_NE(selector.choose(delegation, {}, {}), ip("192.0.2.3"));
}

}  // namespace
}  // namespace cairn::resolve
