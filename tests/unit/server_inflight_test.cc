// Resolutions in flight (issue 14, point 8): the total per worker and each
// client prefix's share, and what a refused client gets (SERVFAIL with an
// Extended DNS Error, at once).
#include <gtest/gtest.h>

#include <thread>

#include "server/inflight_shares.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::Rcode;

net::ClientPrefix client(std::string_view address) {
    return net::ClientPrefix::of(*wire::IpAddress::parse(address), {});
}

TEST(InflightShares, AShareEachAndNoEntryWithoutAResolution) {
    InflightShares shares(2);
    EXPECT_TRUE(shares.try_take(client("192.0.2.1")));
    EXPECT_TRUE(shares.try_take(client("192.0.2.9")));
    EXPECT_FALSE(shares.try_take(client("192.0.2.20"))) << "same /24, share spent";
    EXPECT_TRUE(shares.try_take(client("192.0.3.1")));
    EXPECT_EQ(shares.running(client("192.0.2.0")), 2u);
    EXPECT_EQ(shares.clients(), 2u);
    shares.give_back(client("192.0.2.1"));
    EXPECT_TRUE(shares.try_take(client("192.0.2.1")));
    shares.give_back(client("192.0.2.1"));
    shares.give_back(client("192.0.2.1"));
    shares.give_back(client("192.0.3.1"));
    EXPECT_EQ(shares.clients(), 0u);
    shares.give_back(client("198.51.100.1"));  // not taken: ignored
    EXPECT_EQ(shares.clients(), 0u);
}

// Sends one query per name from `source` without waiting; returns the
// socket, to read answers from later.
int send_queries(const TestServer& server, const std::vector<std::string>& names,
                 const char* source = "127.0.0.1") {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof(from));
    const auto to = loopback(server.address.port);
    uint16_t id = 1;
    for (const auto& n : names) {
        QuerySpec spec;
        spec.qname = n;
        spec.id = id++;
        const auto q = query_bytes(spec);
        ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    }
    return fd;
}

std::vector<wire::Message> receive_answers(int fd, size_t n, std::chrono::milliseconds timeout) {
    std::vector<wire::Message> out;
    std::vector<uint8_t> buffer(65535);
    pollfd p{fd, POLLIN, 0};
    while (out.size() < n && ::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (got <= 0) break;
        out.push_back(parse({buffer.begin(), buffer.begin() + got}));
    }
    return out;
}

std::vector<std::string> names(int n, const std::string& suffix = ".example.") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back("n" + std::to_string(i) + suffix);
    return out;
}

void expect_refusal(const wire::Message& m, std::string_view option) {
    EXPECT_EQ(m.rcode(), Rcode::SERVFAIL);
    const auto* ede = extended_error(m);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(ede->code, wire::ExtendedErrorCode::kOther);
    EXPECT_NE(ede->extra_text.find(option), std::string::npos) << ede->extra_text;
}

// Names under slow. take "forever"; the others are answered at once.
std::chrono::milliseconds slow_names(const resolve::ClientQuery& q) {
    return q.question.name.is_subdomain_of(name("slow.")) ? 60s : 0ms;
}

TEST(ServerInflight, AClientBeyondItsShareGetsServfailAtOnce) {
    TestServer server([](ServerOptions& o) { o.max_inflight_per_client = 3; });
    server.script->delay = slow_names;
    const int fd = send_queries(server, names(8, ".slow."));
    // Five refusals, while the three resolutions are still running.
    const auto refused = receive_answers(fd, 5, 10s);
    ASSERT_EQ(refused.size(), 5u);
    for (const auto& m : refused)
        expect_refusal(m, "max-inflight-per-client");
    EXPECT_EQ(server.stat("server.refused_inflight_client"), 5u);
    EXPECT_EQ(server.stat("server.inflight"), 3u);
    // The same client is refused for a fast name too, meanwhile.
    const int again = send_queries(server, {"fast.example."});
    const auto refused_again = receive_answers(again, 1, 10s);
    ASSERT_EQ(refused_again.size(), 1u);
    expect_refusal(refused_again[0], "max-inflight-per-client");
    // Another client (127.0.1.0/24) has its own share.
    const int other = send_queries(server, {"fast.example."}, "127.0.1.1");
    const auto answered = receive_answers(other, 1, 10s);
    ASSERT_EQ(answered.size(), 1u);
    EXPECT_EQ(answered[0].rcode(), Rcode::NOERROR);
    for (int socket : {fd, again, other})
        ::close(socket);
}

TEST(ServerInflight, AShareIsGivenBackWhenTheResolutionEnds) {
    TestServer server([](ServerOptions& o) { o.max_inflight_per_client = 1; });
    server.script->delay = [](const resolve::ClientQuery&) { return 50ms; };
    for (int i = 0; i < 5; ++i) {
        QuerySpec spec;
        spec.qname = "n" + std::to_string(i) + ".example.";
        EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::NOERROR) << i;
        while (server.stat("server.inflight") > 0)
            std::this_thread::sleep_for(2ms);
    }
    EXPECT_EQ(server.stat("server.refused_inflight_client"), 0u);
    EXPECT_EQ(server.script->call_count(), 5u);
}

TEST(ServerInflight, TheWorkerTotalIsEnforced) {
    TestServer server([](ServerOptions& o) { o.max_inflight = 2; });
    server.script->delay = slow_names;
    const int fd = send_queries(server, names(5, ".slow."));
    const auto refused = receive_answers(fd, 3, 10s);
    ASSERT_EQ(refused.size(), 3u);
    for (const auto& m : refused)
        expect_refusal(m, "max-inflight");
    EXPECT_EQ(server.stat("server.refused_inflight"), 3u);
    EXPECT_EQ(server.stat("server.refused_inflight_client"), 0u);
    ::close(fd);
}

// The resolver's background work (prefetches, stale refreshes) takes slots
// of max-inflight too, but never the last quarter of them.
TEST(ServerInflight, BackgroundWorkCountsButLeavesClientsAQuarter) {
    TestServer server([](ServerOptions& o) { o.max_inflight = 4; });
    server.script->delay = slow_names;
    {
        std::lock_guard lock(server.script->mutex);
        server.script->background_work = 10;
    }
    QuerySpec spec;
    spec.qname = "start.background.";
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::NOERROR);
    {
        std::lock_guard lock(server.script->mutex);
        // 3 of the 4 slots at most, one of which the asking query held.
        EXPECT_EQ(server.script->background_refused, 8u);
    }
    const int fd = send_queries(server, names(3, ".slow."));
    const auto refused = receive_answers(fd, 1, 10s);
    ASSERT_EQ(refused.size(), 1u);
    expect_refusal(refused[0], "max-inflight");
    EXPECT_EQ(server.stat("server.refused_inflight"), 1u);
    EXPECT_EQ(server.stat("server.inflight"), 4u) << "the gauge counts background work";
    ::close(fd);
}

TEST(ServerInflight, CacheHitsDoNotCount) {
    TestServer server([](ServerOptions& o) { o.max_inflight_per_client = 1; });
    EXPECT_EQ(udp_ask(server, QuerySpec{}).rcode(), Rcode::NOERROR);
    server.script->delay = slow_names;
    const int slow = send_queries(server, {"a.slow."});
    while (server.stat("server.inflight") == 0)
        std::this_thread::sleep_for(2ms);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(udp_ask(server, QuerySpec{}).answers.size(), 1u);
    EXPECT_EQ(server.stat("server.refused_inflight_client"), 0u);
    ::close(slow);
}

TEST(ServerInflight, TheBudgetsAreSplitBetweenThreads) {
    ServerOptions options;
    options.threads = 3;
    options.max_inflight = 10;
    options.max_inflight_per_client = 4;
    const auto settings = service_settings(options, 1232);
    EXPECT_EQ(settings.worker.pipeline.max_inflight, 4u);
    EXPECT_EQ(settings.worker.pipeline.max_inflight_per_client, 2u);
}

}  // namespace
}  // namespace cairn::server::testing
