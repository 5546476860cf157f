// DNS over TCP (RFC 7766) through a one-worker Service on 127.0.0.1:
// pipelining with answers out of order, idle timeout, connection limits,
// framing errors.
#include <gtest/gtest.h>

#include <thread>

#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::Rcode;
using wire::RRType;

TEST(ServerTcp, AnswersOverTcp) {
    TestServer server;
    TcpClient client(server.address.port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send_message(query_bytes(QuerySpec{})));
    const auto answer = client.receive();
    ASSERT_TRUE(answer);
    const auto m = parse(*answer);
    EXPECT_EQ(m.header.id, 0x1234);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_EQ(server.stat("server.queries_tcp"), 1u);
}

TEST(ServerTcp, NoTruncationOverTcp) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery& q) {
        resolve::Answer a;
        for (int i = 1; i <= 200; ++i)
            a.answer.push_back(
                record(q.question.name.to_text() + " 300 IN A 192.0.2." + std::to_string(i % 250)));
        return a;
    };
    TcpClient client(server.address.port);
    QuerySpec spec;
    spec.edns = false;
    ASSERT_TRUE(client.send_message(query_bytes(spec)));
    const auto answer = client.receive();
    ASSERT_TRUE(answer);
    EXPECT_GT(answer->size(), 512u);
    const auto m = parse(*answer);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 200u);
}

TEST(ServerTcp, PipelinedQueriesAreAnsweredAsTheyComplete) {
    TestServer server;
    server.script->delay = [](const resolve::ClientQuery& q) {
        return q.question.name == name("slow.example.") ? 400ms : 0ms;
    };
    TcpClient client(server.address.port);
    QuerySpec slow;
    slow.qname = "slow.example.";
    slow.id = 1;
    QuerySpec fast;
    fast.qname = "fast.example.";
    fast.id = 2;
    // Both in one segment: the server must not wait for the first answer
    // before reading the second query.
    auto both = query_bytes(slow);
    std::vector<uint8_t> framed = {0, static_cast<uint8_t>(both.size())};
    framed.insert(framed.end(), both.begin(), both.end());
    const auto second = query_bytes(fast);
    framed.push_back(0);
    framed.push_back(static_cast<uint8_t>(second.size()));
    framed.insert(framed.end(), second.begin(), second.end());
    ASSERT_TRUE(client.send_raw(framed));

    const auto first_answer = client.receive();
    const auto second_answer = client.receive();
    ASSERT_TRUE(first_answer);
    ASSERT_TRUE(second_answer);
    EXPECT_EQ(parse(*first_answer).header.id, 2);  // the fast one overtook
    EXPECT_EQ(parse(*second_answer).header.id, 1);
    EXPECT_TRUE(parse(*second_answer).questions[0].name == name("slow.example."));
}

TEST(ServerTcp, IdleConnectionsAreClosed) {
    TestServer server([](ServerOptions& o) { o.tcp_idle_timeout = 200ms; });
    TcpClient idle(server.address.port);
    ASSERT_TRUE(idle.connected());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(idle.closed_by_peer(2s));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);

    // A connection in use stays open past the timeout while it is busy.
    server.script->delay = [](const resolve::ClientQuery&) { return 500ms; };
    TcpClient busy(server.address.port);
    ASSERT_TRUE(busy.send_message(query_bytes(QuerySpec{})));
    const auto answer = busy.receive(2s);
    ASSERT_TRUE(answer);
    EXPECT_EQ(parse(*answer).rcode(), Rcode::NOERROR);
    EXPECT_TRUE(busy.closed_by_peer(2s));
    EXPECT_EQ(server.stat("net.tcp_idle_closed"), 2u);
}

TEST(ServerTcp, PerClientConnectionLimit) {
    TestServer server([](ServerOptions& o) { o.tcp_max_connections_per_client = 2; });
    TcpClient a(server.address.port);
    TcpClient b(server.address.port);
    ASSERT_TRUE(a.send_message(query_bytes(QuerySpec{})));
    ASSERT_TRUE(a.receive());
    ASSERT_TRUE(b.send_message(query_bytes(QuerySpec{})));
    ASSERT_TRUE(b.receive());
    TcpClient c(server.address.port);  // the kernel accepts; the server closes
    EXPECT_TRUE(c.closed_by_peer(2s));
    EXPECT_EQ(server.stat("net.tcp_refused_limit"), 1u);
    EXPECT_EQ(server.stat("net.tcp_open"), 2u);
    // The two others still work.
    ASSERT_TRUE(a.send_message(query_bytes(QuerySpec{})));
    EXPECT_TRUE(a.receive());
}

TEST(ServerTcp, TotalConnectionLimit) {
    TestServer server([](ServerOptions& o) { o.tcp_max_connections = 1; });
    TcpClient a(server.address.port);
    ASSERT_TRUE(a.send_message(query_bytes(QuerySpec{})));
    ASSERT_TRUE(a.receive());
    TcpClient b(server.address.port);
    EXPECT_TRUE(b.closed_by_peer(2s));
    EXPECT_EQ(server.stat("net.tcp_refused_limit"), 1u);
}

TEST(ServerTcp, ASlotIsFreedWhenAConnectionCloses) {
    TestServer server([](ServerOptions& o) { o.tcp_max_connections = 1; });
    {
        TcpClient a(server.address.port);
        ASSERT_TRUE(a.send_message(query_bytes(QuerySpec{})));
        ASSERT_TRUE(a.receive());
    }
    for (int i = 0; i < 100 && server.stat("net.tcp_open") != 0; ++i)
        std::this_thread::sleep_for(10ms);
    TcpClient b(server.address.port);
    ASSERT_TRUE(b.send_message(query_bytes(QuerySpec{})));
    EXPECT_TRUE(b.receive());
}

TEST(ServerTcp, MalformedLengthClosesTheConnection) {
    TestServer server;
    TcpClient client(server.address.port);
    const std::vector<uint8_t> zero_length = {0, 0};
    ASSERT_TRUE(client.send_raw(zero_length));
    EXPECT_TRUE(client.closed_by_peer(2s));
    EXPECT_EQ(server.stat("net.tcp_malformed"), 1u);
}

TEST(ServerTcp, WhatIsNotAQueryGetsNoAnswer) {
    TestServer server;
    TcpClient client(server.address.port);
    auto response = query_bytes(QuerySpec{.id = 1});
    response[2] |= 0x80;  // QR=1
    ASSERT_TRUE(client.send_message(response));
    auto cut = query_bytes(QuerySpec{.id = 2});
    cut.resize(20);  // the question runs past the end of the message
    ASSERT_TRUE(client.send_message(cut));
    QuerySpec good;
    good.id = 3;
    ASSERT_TRUE(client.send_message(query_bytes(good)));
    // The first message back answers the good query: nothing came for the
    // two before it, and the connection still serves.
    const auto answer = client.receive();
    ASSERT_TRUE(answer);
    EXPECT_EQ(parse(*answer).header.id, 3);
    EXPECT_EQ(server.stat("server.dropped"), 2u);
}

TEST(ServerTcp, ShortReadClosesTheConnection) {
    TestServer server;
    {
        TcpClient client(server.address.port);
        auto q = query_bytes(QuerySpec{});
        std::vector<uint8_t> partial = {0, static_cast<uint8_t>(q.size())};
        partial.insert(partial.end(), q.begin(), q.begin() + 5);
        ASSERT_TRUE(client.send_raw(partial));
    }  // closed with the message unfinished
    for (int i = 0; i < 100 && server.stat("net.tcp_malformed") == 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server.stat("net.tcp_malformed"), 1u);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerTcp, AnswersOwedAreWrittenAfterTheClientHalfCloses) {
    TestServer server;
    server.script->delay = [](const resolve::ClientQuery&) { return 200ms; };
    TcpClient client(server.address.port);
    ASSERT_TRUE(client.send_message(query_bytes(QuerySpec{})));
    client.shutdown_write();  // done asking; the answer owed must still come
    const auto answer = client.receive(2s);
    ASSERT_TRUE(answer);
    EXPECT_EQ(parse(*answer).rcode(), Rcode::NOERROR);
    EXPECT_TRUE(client.closed_by_peer(1s));
}

TEST(ServerTcp, StopWaitsForAnswersInFlight) {
    auto server = std::make_unique<TestServer>();
    server->script->delay = [](const resolve::ClientQuery&) { return 150ms; };
    TcpClient client(server->address.port);
    ASSERT_TRUE(client.send_message(query_bytes(QuerySpec{})));
    std::this_thread::sleep_for(50ms);  // the query is in the resolver now
    std::thread stopper([&] { server->service->stop(); });
    const auto answer = client.receive(2s);
    stopper.join();
    ASSERT_TRUE(answer);
    EXPECT_EQ(parse(*answer).rcode(), Rcode::NOERROR);
    EXPECT_TRUE(client.closed_by_peer(1s));
}

}  // namespace
}  // namespace cairn::server::testing
