// Queries, answers and answer latency by client protocol: every answer
// counted once by protocol and rcode, and timed once.
#include <gtest/gtest.h>

#include <thread>

#include "server_test_support.h"

namespace cairn::server {
namespace {

using namespace testing;
using net::Protocol;

constexpr size_t kUdp = protocol_index(Protocol::kUdp);
constexpr size_t kTcp = protocol_index(Protocol::kTcp);
constexpr size_t kNoerror = static_cast<size_t>(RcodeClass::kNoerror);
constexpr size_t kServfail = static_cast<size_t>(RcodeClass::kServfail);

// The server's figures once `done` holds of them (answers sent to the
// client may be timed a moment after they left).
ClientFigures figures_when(const TestServer& server,
                           const std::function<bool(const ClientFigures&)>& done) {
    for (int i = 0; i < 500; ++i) {
        const auto figures = server.service->figures().clients;
        if (done(figures)) return figures;
        std::this_thread::sleep_for(2ms);
    }
    return server.service->figures().clients;
}

uint64_t answers_of(const ClientFigures& f, size_t protocol) {
    uint64_t total = 0;
    for (const uint64_t n : f.answers[protocol])
        total += n;
    return total;
}

TEST(AnswerFigures, UdpResolvedAndCachedAnswersAreCountedAndTimed) {
    TestServer server;
    QuerySpec spec;
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(udp_ask(server, spec).rcode(), wire::Rcode::NOERROR);
    EXPECT_EQ(server.stat("server.packet_cache_hits"), 2u) << "one resolved, two from the cache";
    const auto f =
        figures_when(server, [](const ClientFigures& f) { return f.latency[kUdp].count() >= 3; });
    EXPECT_EQ(f.queries[kUdp], 3u);
    EXPECT_EQ(f.answers[kUdp][kNoerror], 3u);
    EXPECT_EQ(answers_of(f, kUdp), 3u);
    EXPECT_EQ(f.latency[kUdp].count(), 3u) << "one observation per answer";
    EXPECT_GT(f.latency[kUdp].sum_seconds, 0.0);
    EXPECT_EQ(f.queries[kTcp] + f.latency[kTcp].count(), 0u);
}

TEST(AnswerFigures, TcpAnswersAreCountedUnderTcp) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery&) {
        resolve::Answer a;
        a.rcode = wire::Rcode::SERVFAIL;
        return a;
    };
    TcpClient client(server.address.port);
    ASSERT_TRUE(client.connected());
    QuerySpec spec;
    ASSERT_TRUE(client.send_message(query_bytes(spec)));
    ASSERT_TRUE(client.receive());
    spec.qclass = wire::RRClass::HS;  // REFUSED at once
    ASSERT_TRUE(client.send_message(query_bytes(spec)));
    ASSERT_TRUE(client.receive());
    const auto f =
        figures_when(server, [](const ClientFigures& f) { return f.latency[kTcp].count() >= 2; });
    EXPECT_EQ(f.queries[kTcp], 2u);
    EXPECT_EQ(f.answers[kTcp][kServfail], 1u);
    EXPECT_EQ(f.answers[kTcp][static_cast<size_t>(RcodeClass::kRefused)], 1u);
    EXPECT_EQ(f.latency[kTcp].count(), 2u);
    EXPECT_EQ(f.queries[kUdp] + answers_of(f, kUdp) + f.latency[kUdp].count(), 0u);
    EXPECT_EQ(server.stat("server.queries_tcp"), 2u);
    EXPECT_EQ(server.stat("server.rcode_servfail"), 1u);
}

TEST(AnswerFigures, QueriesDroppedUnansweredAreNotTimed) {
    TestServer server;
    auto bytes = query_bytes(QuerySpec{});
    bytes[2] |= 0x80;  // QR: a response, not a query
    EXPECT_FALSE(udp_exchange(server.address, bytes, 200ms));
    EXPECT_EQ(udp_ask(server, QuerySpec{}).rcode(), wire::Rcode::NOERROR);
    const auto f =
        figures_when(server, [](const ClientFigures& f) { return f.latency[kUdp].count() >= 1; });
    EXPECT_EQ(f.queries[kUdp], 2u);
    EXPECT_EQ(answers_of(f, kUdp), 1u);
    EXPECT_EQ(f.latency[kUdp].count(), 1u);
}

}  // namespace
}  // namespace cairn::server
