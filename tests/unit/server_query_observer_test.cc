// What the pipeline records of client queries and answers: dnstap's
// CLIENT_QUERY and CLIENT_RESPONSE, and the query log line, for answers
// from the resolver, answers given on the spot and answers the rate limit
// drops.
#include <gtest/gtest.h>

#include "observe/dnstap.pb-c.h"
#include "server/query_observer.h"
#include "server/worker_packet_cache.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

class NullChannel final : public net::ReplyChannel {
public:
    void send_reply(const net::Peer&, std::span<const uint8_t> message) override {
        sent.emplace_back(message.begin(), message.end());
    }
    std::vector<std::vector<uint8_t>> sent;
};

class FrameList final : public observe::DnstapQueue {
public:
    bool offer(std::span<const uint8_t> frame) override {
        frames.emplace_back(frame.begin(), frame.end());
        return true;
    }
    std::vector<std::vector<uint8_t>> frames;
};

class LineList final : public observe::QueryLogSink {
public:
    void write(std::string_view line) override { lines.emplace_back(line); }
    std::vector<std::string> lines;
};

struct ObservedPipeline {
    explicit ObservedPipeline(observe::AddressPrivacy privacy = observe::AddressPrivacy::kPrefix,
                              RateLimits limits = {})
        : script(std::make_shared<ResolverScript>()), resolver(io, script) {
        settings.allow = AccessList({*wire::IpPrefix::parse("127.0.0.0/8")});
        settings.query_log = &log;
        settings.client_addresses.privacy = privacy;
        settings.rate_limits = limits;
        observe::DnstapSettings dnstap_settings;
        dnstap_settings.addresses = settings.client_addresses;
        recorder = std::make_unique<observe::DnstapRecorder>(dnstap_settings, frames);
        pipeline = std::make_unique<QueryPipeline>(io.get_executor(), settings, resolver, &cache,
                                                   clock, metrics, recorder.get());
        peer.address = *wire::SocketAddress::parse("127.0.0.9:40000");
    }

    size_t handle(std::span<const uint8_t> query) {
        std::array<uint8_t, 1232> out{};
        return pipeline->handle_query(query, peer, out, net::ReplyOrigin(*channel, peer));
    }

    // The dnstap message types recorded, in order.
    std::vector<Dnstap__Message__Type> types() const {
        std::vector<Dnstap__Message__Type> out;
        for (const auto& frame : frames.frames) {
            auto* d = dnstap__dnstap__unpack(nullptr, frame.size(), frame.data());
            out.push_back(d && d->message ? d->message->type : Dnstap__Message__Type{});
            if (d) dnstap__dnstap__free_unpacked(d, nullptr);
        }
        return out;
    }

    asio::io_context io;
    std::shared_ptr<ResolverScript> script;
    FakeResolver resolver;
    WorkerPacketCache cache{1 << 20};
    cache::FakeClock clock;
    ServerMetrics metrics;
    FrameList frames;
    LineList log;
    std::unique_ptr<observe::DnstapRecorder> recorder;
    PipelineSettings settings;
    std::unique_ptr<QueryPipeline> pipeline;
    std::shared_ptr<NullChannel> channel = std::make_shared<NullChannel>();
    net::Peer peer;
};

bool ends_with(const std::string& text, std::string_view tail) {
    return text.size() >= tail.size() &&
           text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

TEST(ServerQueryObserver, ResolvedAnswerIsRecordedAndLogged) {
    ObservedPipeline p;
    EXPECT_EQ(p.handle(query_bytes(QuerySpec{})), 0u);  // to the resolver
    p.io.run();
    ASSERT_EQ(p.channel->sent.size(), 1u);
    EXPECT_EQ(p.types(), (std::vector{DNSTAP__MESSAGE__TYPE__CLIENT_QUERY,
                                      DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE}));
    // The response frame carries the very answer sent.
    auto* d = dnstap__dnstap__unpack(nullptr, p.frames.frames[1].size(), p.frames.frames[1].data());
    ASSERT_TRUE(d && d->message && d->message->has_response_message);
    EXPECT_EQ(
        std::vector<uint8_t>(d->message->response_message.data,
                             d->message->response_message.data + d->message->response_message.len),
        p.channel->sent[0]);
    dnstap__dnstap__free_unpacked(d, nullptr);
    ASSERT_EQ(p.log.lines.size(), 1u);
    EXPECT_TRUE(ends_with(p.log.lines[0], " query 127.0.0.0/24 udp www.example. A NOERROR"))
        << p.log.lines[0];
}

TEST(ServerQueryObserver, AnswersOnTheSpotAreRecordedToo) {
    ObservedPipeline p(observe::AddressPrivacy::kFull);
    QuerySpec hs;
    hs.qclass = wire::RRClass::HS;
    EXPECT_GT(p.handle(query_bytes(hs)), 0u);  // REFUSED at once
    p.peer.protocol = net::ClientProtocol::kTls;
    p.peer.transport = net::Transport::kTcp;
    QuerySpec axfr;
    axfr.qtype = wire::RRType::AXFR;
    EXPECT_GT(p.handle(query_bytes(axfr)), 0u);
    EXPECT_EQ(
        p.types(),
        (std::vector{DNSTAP__MESSAGE__TYPE__CLIENT_QUERY, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE,
                     DNSTAP__MESSAGE__TYPE__CLIENT_QUERY, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE}));
    ASSERT_EQ(p.log.lines.size(), 2u);
    EXPECT_TRUE(ends_with(p.log.lines[0], " query 127.0.0.9 udp www.example. A REFUSED"))
        << p.log.lines[0];
    EXPECT_TRUE(ends_with(p.log.lines[1], " query 127.0.0.9 tls www.example. AXFR REFUSED"))
        << p.log.lines[1];
}

TEST(ServerQueryObserver, WhatIsNotAQueryIsNotRecorded) {
    ObservedPipeline p;
    const std::vector<uint8_t> noise = {1, 2, 3};
    EXPECT_EQ(p.handle(noise), 0u);
    EXPECT_TRUE(p.frames.frames.empty());
    EXPECT_TRUE(p.log.lines.empty());
}

TEST(ServerQueryObserver, AnAnswerTheRateLimitDropsIsLoggedAsDropped) {
    RateLimits limits;
    limits.errors = 1;
    limits.slip = 0;
    ObservedPipeline p(observe::AddressPrivacy::kPrefix, limits);
    QuerySpec hs;
    hs.qclass = wire::RRClass::HS;
    const auto query = query_bytes(hs);
    size_t answered = 0;
    for (int i = 0; i < 5; ++i)
        answered += p.handle(query) > 0 ? 1 : 0;
    ASSERT_LT(answered, 5u);
    ASSERT_EQ(p.log.lines.size(), 5u);
    size_t dropped = 0;
    for (const auto& line : p.log.lines)
        dropped += ends_with(line, " www.example. A dropped") ? 1 : 0;
    EXPECT_EQ(dropped, 5u - answered);
    // dnstap records what was sent: every query, and the answers that left.
    EXPECT_EQ(p.frames.frames.size(), 5u + answered);
}

TEST(ServerQueryObserver, DnstapNamesEachClientProtocol) {
    using observe::DnstapProtocol;
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kUdp), DnstapProtocol::kUdp);
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kTcp), DnstapProtocol::kTcp);
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kTls), DnstapProtocol::kDot);
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kHttps), DnstapProtocol::kDoh);
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kHttp), DnstapProtocol::kDoh);
    EXPECT_EQ(dnstap_protocol(net::ClientProtocol::kQuic), DnstapProtocol::kDoq);
}

}  // namespace
}  // namespace cairn::server::testing
