#include "cache/infra_cache.h"

#include <gtest/gtest.h>

namespace cairn::cache {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

// An arbitrary fixed point; nothing here reads the real clock.
const MonotonicTime t0 = MonotonicTime{} + std::chrono::hours(1000);

struct InfraCacheTest : ::testing::Test {
    InfraCache cache;
    const wire::IpAddress server = ip("192.0.2.1");
};

TEST_F(InfraCacheTest, UnknownServer) {
    EXPECT_EQ(cache.srtt(server, 376ms), 376ms);
    EXPECT_EQ(cache.timeout(server, 800ms), 800ms);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kUnknown);
    EXPECT_FALSE(cache.backed_off(server, t0));
    EXPECT_FALSE(cache.lame(server, name("example."), t0));
    EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(InfraCacheTest, SmoothedRttFollowsRfc6298) {
    cache.record_rtt(server, 100ms, t0);
    // First sample: SRTT = R, RTTVAR = R/2; RTO = SRTT + 4 RTTVAR.
    EXPECT_EQ(cache.srtt(server, 1s), 100ms);
    EXPECT_EQ(cache.timeout(server, 800ms), 300ms);
    cache.record_rtt(server, 200ms, t0 + 1s);
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200.
    EXPECT_EQ(cache.srtt(server, 1s), microseconds(112'500));
    EXPECT_EQ(cache.timeout(server, 800ms), 363ms);  // 362.5 rounded up
    // Other servers are unaffected.
    EXPECT_EQ(cache.srtt(ip("192.0.2.2"), 1s), 1s);
    EXPECT_EQ(cache.entries(), 1u);
}

TEST_F(InfraCacheTest, TimeoutIsClamped) {
    const auto fast = ip("192.0.2.10");
    const auto slow = ip("192.0.2.11");
    cache.record_rtt(fast, 1ms, t0);
    cache.record_rtt(slow, 3s, t0);
    EXPECT_EQ(cache.timeout(fast, 800ms), 200ms);
    EXPECT_EQ(cache.timeout(slow, 800ms), 5000ms);
}

TEST_F(InfraCacheTest, TimeoutDoublesPerConsecutiveTimeout) {
    cache.record_rtt(server, 100ms, t0);
    cache.record_timeout(server, t0 + 1s);
    EXPECT_EQ(cache.timeout(server, 800ms), 600ms);
    cache.record_timeout(server, t0 + 2s);
    EXPECT_EQ(cache.timeout(server, 800ms), 1200ms);
    for (int i = 0; i < 10; ++i)
        cache.record_timeout(server, t0 + 3s);
    EXPECT_EQ(cache.timeout(server, 800ms), 5000ms);
    // An answer ends it.
    cache.record_rtt(server, 100ms, t0 + 4s);
    EXPECT_LT(cache.timeout(server, 800ms), 600ms);
}

TEST_F(InfraCacheTest, UnmeasuredServerDoublesInitialTimeout) {
    cache.record_timeout(server, t0);
    EXPECT_EQ(cache.timeout(server, 800ms), 1600ms);
}

TEST_F(InfraCacheTest, TimeoutsMakeAServerRankLower) {
    cache.record_rtt(server, 30ms, t0);
    cache.record_timeout(server, t0);
    EXPECT_EQ(cache.srtt(server, 1s), 60ms);
    cache.record_rtt(server, 30ms, t0);
    EXPECT_EQ(cache.srtt(server, 1s), 30ms);
}

TEST_F(InfraCacheTest, BackOffAfterTwoTimeoutsGrowsExponentially) {
    cache.record_timeout(server, t0);
    EXPECT_FALSE(cache.backed_off(server, t0));  // one timeout may be bad luck
    cache.record_timeout(server, t0);
    EXPECT_TRUE(cache.backed_off(server, t0));
    EXPECT_TRUE(cache.backed_off(server, t0 + 999ms));
    EXPECT_FALSE(cache.backed_off(server, t0 + 1s));  // a probe may go

    // The probe times out: twice as long, and so on.
    MonotonicTime now = t0 + 1s;
    std::chrono::seconds expected = 2s;
    for (int i = 0; i < 10; ++i) {
        cache.record_timeout(server, now);
        EXPECT_TRUE(cache.backed_off(server, now + expected - 1ms)) << i;
        EXPECT_FALSE(cache.backed_off(server, now + expected)) << i;
        now += expected;
        expected = std::min<std::chrono::seconds>(expected * 2, 120s);
    }
    EXPECT_EQ(expected, 120s);  // capped
    cache.record_timeout(server, now);
    EXPECT_FALSE(cache.backed_off(server, now + 120s));

    // An answer ends the back-off at once.
    cache.record_rtt(server, 40ms, now);
    EXPECT_FALSE(cache.backed_off(server, now));
    cache.record_timeout(server, now);
    EXPECT_FALSE(cache.backed_off(server, now));
}

TEST_F(InfraCacheTest, RemembersEdnsSupport) {
    cache.set_edns(server, EdnsSupport::kNo, t0);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kNo);
    EXPECT_EQ(cache.edns(ip("192.0.2.2")), EdnsSupport::kUnknown);
    cache.set_edns(server, EdnsSupport::kYes, t0);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kYes);
    // RTT data and EDNS data live in the same entry.
    cache.record_rtt(server, 10ms, t0);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kYes);
}

TEST_F(InfraCacheTest, LamenessIsPerZoneAndExpires) {
    cache.mark_lame(server, name("example.com."), t0);
    EXPECT_TRUE(cache.lame(server, name("EXAMPLE.com."), t0));
    EXPECT_FALSE(cache.lame(server, name("example.net."), t0));
    EXPECT_FALSE(cache.lame(server, name("sub.example.com."), t0));
    EXPECT_FALSE(cache.lame(ip("192.0.2.2"), name("example.com."), t0));
    EXPECT_TRUE(cache.lame(server, name("example.com."), t0 + 14min));
    EXPECT_FALSE(cache.lame(server, name("example.com."), t0 + 15min));
    // Marking again extends it.
    cache.mark_lame(server, name("example.net."), t0);
    cache.mark_lame(server, name("example.net."), t0 + 10min);
    EXPECT_TRUE(cache.lame(server, name("example.net."), t0 + 20min));
}

TEST_F(InfraCacheTest, LameZonesPerServerAreBounded) {
    for (int i = 0; i < 100; ++i)
        cache.mark_lame(server, name("z" + std::to_string(i) + ".example."),
                        t0 + std::chrono::seconds(i));
    // The most recent ones are remembered.
    EXPECT_TRUE(cache.lame(server, name("z99.example."), t0 + 100s));
    EXPECT_FALSE(cache.lame(server, name("z0.example."), t0 + 100s));
}

TEST(InfraCacheHygiene, CaseBlindnessIsPerServerAndLastsAnHour) {
    InfraCache cache(1000, std::chrono::hours(2));
    const auto server = ip("192.0.2.1");
    EXPECT_TRUE(cache.hygiene(server, t0).preserves_case);
    cache.mark_case_blind(server, t0);
    EXPECT_FALSE(cache.hygiene(server, t0).preserves_case);
    EXPECT_FALSE(cache.hygiene(server, t0 + 59min).preserves_case);
    EXPECT_TRUE(cache.hygiene(ip("192.0.2.2"), t0).preserves_case);
    // Then 0x20 is tried again; the server's other facts are unaffected.
    cache.record_rtt(server, 10ms, t0 + 59min);
    EXPECT_TRUE(cache.hygiene(server, t0 + 1h).preserves_case);
    EXPECT_EQ(cache.srtt(server, 1s), 10ms);
}

TEST(InfraCacheHygiene, ServerCookieIsRememberedUntilForgotten) {
    InfraCache cache;
    const auto server = ip("192.0.2.1");
    EXPECT_FALSE(cache.hygiene(server, t0).cookie);
    ServerCookie cookie;
    cookie.client = {1, 2, 3, 4, 5, 6, 7, 8};
    cookie.server_length = 16;
    std::fill_n(cookie.server.begin(), 16, uint8_t{0x5a});
    cache.set_cookie(server, cookie, t0);
    ASSERT_TRUE(cache.hygiene(server, t0).cookie);
    EXPECT_EQ(*cache.hygiene(server, t0).cookie, cookie);
    EXPECT_EQ(cache.hygiene(server, t0).cookie->server_bytes().size(), 16u);
    EXPECT_FALSE(cache.hygiene(ip("192.0.2.2"), t0).cookie);
    // A new one replaces it (servers rotate their secrets, RFC 9018 §4.3).
    cookie.server[0] = 0x11;
    cache.set_cookie(server, cookie, t0 + 1s);
    EXPECT_EQ(cache.hygiene(server, t0 + 1s).cookie->server[0], 0x11);
    cache.forget_cookie(server, t0 + 2s);
    EXPECT_FALSE(cache.hygiene(server, t0 + 2s).cookie);
    EXPECT_TRUE(cache.hygiene(server, t0 + 2s).preserves_case);
}

TEST(InfraCacheHygiene, ForgottenWithTheServer) {
    InfraCache cache(1000, std::chrono::minutes(15));
    const auto server = ip("192.0.2.1");
    cache.mark_case_blind(server, t0);
    EXPECT_FALSE(cache.hygiene(server, t0 + 14min).preserves_case);
    EXPECT_TRUE(cache.hygiene(server, t0 + 16min).preserves_case);
}

TEST_F(InfraCacheTest, V4AndV6AreDifferentServers) {
    cache.record_rtt(ip("2001:db8::1"), 10ms, t0);
    EXPECT_EQ(cache.srtt(ip("2001:db8::1"), 1s), 10ms);
    EXPECT_EQ(cache.srtt(ip("::ffff:192.0.2.1"), 1s), 1s);
    EXPECT_EQ(cache.srtt(server, 1s), 1s);
}

TEST(InfraCacheAge, ForgetsServersNotUpdatedForMaxAge) {
    InfraCache cache(64 * 1024, std::chrono::minutes(15));
    const auto server = ip("192.0.2.1");
    cache.record_rtt(server, 100ms, t0);
    cache.set_edns(server, EdnsSupport::kNo, t0);
    EXPECT_FALSE(cache.backed_off(server, t0 + 15min));
    EXPECT_EQ(cache.srtt(server, 1s), 100ms);
    EXPECT_FALSE(cache.backed_off(server, t0 + 15min + 1s));
    EXPECT_EQ(cache.srtt(server, 1s), 1s);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kUnknown);
    // New data starts from scratch.
    cache.record_rtt(server, 20ms, t0 + 16min);
    EXPECT_EQ(cache.srtt(server, 1s), 20ms);
    EXPECT_EQ(cache.edns(server), EdnsSupport::kUnknown);
}

TEST(InfraCacheServers, ListsWhatIsKnownOfEachLiveServer) {
    // One shard (32 KiB), so one latest time judges every entry's age.
    InfraCache cache(32 * 1024, std::chrono::seconds(60));
    EXPECT_TRUE(cache.servers().empty());
    cache.record_rtt(ip("192.0.2.9"), 10ms, t0 - 2min);  // aged out by the writes at t0
    cache.record_rtt(ip("192.0.2.1"), 100ms, t0);
    cache.record_timeout(ip("2001:db8::1"), t0);
    cache.record_timeout(ip("2001:db8::1"), t0);
    auto servers = cache.servers();
    std::sort(servers.begin(), servers.end(), [](const auto& a, const auto& b) {
        return a.server.to_string() < b.server.to_string();
    });
    ASSERT_EQ(servers.size(), 2u);
    EXPECT_EQ(servers[0].server, ip("192.0.2.1"));
    EXPECT_TRUE(servers[0].measured);
    EXPECT_EQ(servers[0].srtt, 100ms);
    EXPECT_EQ(servers[0].rttvar, 50ms);
    EXPECT_EQ(servers[0].timeouts_in_row, 0u);
    EXPECT_EQ(servers[1].server, ip("2001:db8::1"));
    EXPECT_FALSE(servers[1].measured);
    EXPECT_EQ(servers[1].timeouts_in_row, 2u);
}

TEST(InfraCacheBound, MemoryIsBounded) {
    const size_t bound = 32 * 1024;
    InfraCache cache(bound);
    for (int i = 0; i < 1000; ++i) {
        const auto server =
            wire::IpAddress::v4({10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)});
        cache.record_rtt(server, 10ms, t0);
        ASSERT_LE(cache.memory_used(), bound);
    }
    EXPECT_GT(cache.entries(), 0u);
    EXPECT_LT(cache.entries(), 1000u);
    // The most recent server is remembered.
    EXPECT_EQ(cache.srtt(wire::IpAddress::v4({10, 0, 3, 231}), 1s), 10ms);
}

}  // namespace
}  // namespace cairn::cache
