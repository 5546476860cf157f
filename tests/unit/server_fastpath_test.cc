// The pipeline driven directly, without sockets: what is answered on the
// spot (into the caller's buffer, no coroutine) and what goes to the
// resolver.
#include <gtest/gtest.h>

#include "server/worker_packet_cache.h"
#include "server_test_support.h"

#if __has_include("support/allocation_counter.h")
#include "support/allocation_counter.h"
#define CAIRN_HAVE_ALLOCATION_COUNTER 1
#endif

namespace cairn::server::testing {
namespace {

// Collects the answers given later.
class RecordingChannel final : public net::ReplyChannel {
public:
    void send_reply(const net::Peer&, std::span<const uint8_t> message) override {
        sent.emplace_back(message.begin(), message.end());
    }
    std::vector<std::vector<uint8_t>> sent;
};

struct DirectPipeline {
    DirectPipeline() : script(std::make_shared<ResolverScript>()), resolver(io, script) {
        settings.allow = AccessList({*wire::IpPrefix::parse("127.0.0.0/8")});
        pipeline = std::make_unique<QueryPipeline>(io.get_executor(), settings, resolver, &cache,
                                                   clock, metrics);
        peer.address = *wire::SocketAddress::parse("127.0.0.1:40000");
    }

    // Handles `query` and returns what was answered on the spot.
    std::vector<uint8_t> handle(std::span<const uint8_t> query) {
        std::array<uint8_t, 1232> out{};
        const size_t n = pipeline->handle_query(query, peer, out, net::ReplyOrigin(*channel, peer));
        return {out.begin(), out.begin() + n};
    }

    asio::io_context io;
    std::shared_ptr<ResolverScript> script;
    FakeResolver resolver;
    WorkerPacketCache cache{1 << 20};
    cache::FakeClock clock;
    ServerMetrics metrics;
    PipelineSettings settings;
    std::unique_ptr<QueryPipeline> pipeline;
    std::shared_ptr<RecordingChannel> channel = std::make_shared<RecordingChannel>();
    net::Peer peer;
};

TEST(ServerFastPath, MissGoesToTheResolverHitIsAnsweredOnTheSpot) {
    DirectPipeline d;
    const auto query = query_bytes(QuerySpec{});
    EXPECT_TRUE(d.handle(query).empty());   // a miss: answered later
    EXPECT_EQ(d.pipeline->inflight(), 1u);  // spawned, not run yet
    EXPECT_EQ(d.metrics.resolutions.load(), 1u);
    d.io.run();
    ASSERT_EQ(d.channel->sent.size(), 1u);
    EXPECT_EQ(d.pipeline->inflight(), 0u);
    EXPECT_EQ(d.script->call_count(), 1u);

    const auto hit = d.handle(query);
    ASSERT_FALSE(hit.empty());
    EXPECT_EQ(hit, d.channel->sent[0]);  // same answer, same ID
    EXPECT_EQ(d.io.poll(), 0u);          // nothing was started for it
    EXPECT_EQ(d.script->call_count(), 1u);
    EXPECT_EQ(d.channel->sent.size(), 1u);
}

TEST(ServerFastPath, ChecksAreAnsweredOnTheSpot) {
    DirectPipeline d;
    auto notify = query_bytes(QuerySpec{});
    notify[2] = static_cast<uint8_t>((notify[2] & 0x87) | (4 << 3));
    EXPECT_FALSE(d.handle(notify).empty());
    QuerySpec axfr;
    axfr.qtype = wire::RRType::AXFR;
    EXPECT_FALSE(d.handle(query_bytes(axfr)).empty());
    EXPECT_EQ(d.io.poll(), 0u);
    EXPECT_EQ(d.script->call_count(), 0u);
}

#ifdef CAIRN_HAVE_ALLOCATION_COUNTER
TEST(ServerFastPath, HitsAndRefusalsAllocateNothing) {
    DirectPipeline d;
    const auto query = query_bytes(QuerySpec{});
    d.handle(query);
    d.io.run();
    std::array<uint8_t, 1232> out{};
    const net::ReplyOrigin origin(*d.channel, d.peer);
    size_t n = 0;
    EXPECT_EQ(cairn::testing::allocations_in(
                  [&] { n = d.pipeline->handle_query(query, d.peer, out, origin); }),
              0u);
    EXPECT_GT(n, 0u);
    net::Peer stranger = d.peer;
    stranger.address = *wire::SocketAddress::parse("192.0.2.1:40000");
    EXPECT_EQ(cairn::testing::allocations_in(
                  [&] { n = d.pipeline->handle_query(query, stranger, out, origin); }),
              0u);
    EXPECT_GT(n, 0u);  // REFUSED, with an EDE
}
#endif

}  // namespace
}  // namespace cairn::server::testing
