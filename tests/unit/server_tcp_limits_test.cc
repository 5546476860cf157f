// What a TCP client can make the server hold (issue 14, point 7): limits
// per client prefix, clients outside `allow` closed at accept, every answer
// counted against pipelining, a bounded write queue, and a write deadline
// for clients that never read.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <thread>

#include "net/tcp_limits.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::Rcode;

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

TEST(TcpConnectionLimits, CountPerClientPrefix) {
    net::TcpConnectionLimits limits(100, 2, {24, 56});
    auto a = limits.acquire(ip("192.0.2.1"));
    auto b = limits.acquire(ip("192.0.2.200"));
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(limits.acquire(ip("192.0.2.77"))) << "a third address of the same /24";
    auto other = limits.acquire(ip("192.0.3.1"));
    EXPECT_TRUE(other);
    auto v6a = limits.acquire(ip("2001:db8:0:100::1"));
    auto v6b = limits.acquire(ip("2001:db8:0:1ff:aaaa::1"));
    ASSERT_TRUE(v6a && v6b);
    EXPECT_FALSE(limits.acquire(ip("2001:db8:0:1ab::2"))) << "a third address of the same /56";
    EXPECT_EQ(limits.open_connections(), 5u);
    a.reset();
    EXPECT_TRUE(limits.acquire(ip("192.0.2.77")));
}

TEST(TcpConnectionLimits, HostPrefixesCountEachAddress) {
    net::TcpConnectionLimits limits(100, 1, {32, 128});
    auto a = limits.acquire(ip("192.0.2.1"));
    auto b = limits.acquire(ip("192.0.2.2"));
    EXPECT_TRUE(a && b);
    EXPECT_FALSE(limits.acquire(ip("192.0.2.1")));
}

TEST(ServerTcpLimits, ClientsOutsideAllowAreClosedAtAccept) {
    TestServer server([](ServerOptions& o) { o.allow = {*wire::IpPrefix::parse("10.0.0.0/8")}; });
    TcpClient client(server.address.port);
    ASSERT_TRUE(client.connected());
    client.send_message(query_bytes(QuerySpec{}));
    EXPECT_TRUE(client.closed_by_peer(2s));
    EXPECT_EQ(server.stat("net.tcp_refused_acl"), 1u);
    EXPECT_EQ(server.stat("net.tcp_accepted"), 0u);
    EXPECT_EQ(server.stat("server.queries_tcp"), 0u);
    EXPECT_EQ(server.script->call_count(), 0u);
}

std::vector<uint8_t> framed(const std::vector<uint8_t>& message) {
    std::vector<uint8_t> out(2 + message.size());
    out[0] = static_cast<uint8_t>(message.size() >> 8);
    out[1] = static_cast<uint8_t>(message.size());
    std::copy(message.begin(), message.end(), out.begin() + 2);
    return out;
}

TEST(ServerTcpLimits, AnswersGivenOnTheSpotArePipelinedAndAllDelivered) {
    // Refused queries are answered on the spot; with room for 3 answers
    // owed, the connection pauses and resumes, and every query is answered.
    TestServer server([](ServerOptions& o) { o.tcp_max_pipelined = 3; });
    QuerySpec refused;
    refused.qtype = wire::RRType::AXFR;
    std::vector<uint8_t> all;
    for (int i = 0; i < 100; ++i) {
        refused.id = static_cast<uint16_t>(i);
        const auto f = framed(query_bytes(refused));
        all.insert(all.end(), f.begin(), f.end());
    }
    TcpClient client(server.address.port);
    ASSERT_TRUE(client.send_raw(all));
    std::vector<bool> seen(100);
    for (int i = 0; i < 100; ++i) {
        const auto answer = client.receive();
        ASSERT_TRUE(answer) << i;
        const auto m = parse(*answer);
        EXPECT_EQ(m.rcode(), Rcode::REFUSED);
        ASSERT_LT(m.header.id, 100);
        EXPECT_FALSE(seen[m.header.id]);
        seen[m.header.id] = true;
    }
    EXPECT_EQ(server.stat("net.tcp_write_timeouts"), 0u);
}

// A client that sends as many pipelined queries as the server will take
// and reads nothing, with a tiny receive buffer.
class SilentClient {
public:
    explicit SilentClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        const int small = 2048;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        const auto to = loopback(port);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) == 0;
        ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    }
    ~SilentClient() { ::close(fd_); }

    // Writes copies of `message` until `stopped()` says the server has
    // stopped reading (asked whenever the connection is unwritable: a
    // connection merely slow to drain, as on a loaded sanitizer build, is
    // written on), the server closed the connection, `max` were sent, or
    // 20 s passed.
    size_t flood(const std::vector<uint8_t>& message, size_t max,
                 const std::function<bool()>& stopped) {
        const auto f = framed(message);
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        size_t sent = 0;
        size_t at = 0;  // octets of the current frame already out
        while (sent < max && std::chrono::steady_clock::now() < deadline) {
            const ssize_t n = ::send(fd_, f.data() + at, f.size() - at, MSG_NOSIGNAL);
            if (n > 0) {
                // A frame cut by a full buffer is finished, not abandoned:
                // on a slow (sanitizer) build that happens long before the
                // server stops reading.
                at += static_cast<size_t>(n);
                if (at == f.size()) {
                    at = 0;
                    ++sent;
                }
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) break;
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, 100) != 1 && stopped()) break;
        }
        return sent;
    }
    bool connected() const { return connected_; }

private:
    int fd_;
    bool connected_ = false;
};

void wait_for(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
}

TEST(ServerTcpLimits, AClientThatNeverReadsIsPausedThenClosed) {
    TestServer server([](ServerOptions& o) {
        o.tcp_max_pipelined = 16;
        o.tcp_write_queue = 4096;
        o.tcp_write_timeout = 300ms;
    });
    QuerySpec spec;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::NOERROR);  // cached: cache hits from now on
    SilentClient client(server.address.port);
    ASSERT_TRUE(client.connected());
    client.flood(query_bytes(spec), 200'000,
                 [&] { return server.stat("net.tcp_reads_paused") >= 1; });
    wait_for([&] { return server.stat("net.tcp_write_timeouts") == 1; });
    EXPECT_EQ(server.stat("net.tcp_write_timeouts"), 1u);
    EXPECT_GE(server.stat("net.tcp_reads_paused"), 1u);
    wait_for([&] { return server.stat("net.tcp_open") == 0; });
    EXPECT_EQ(server.stat("net.tcp_open"), 0u);
    // It stopped reading long before it had read everything it was sent.
    EXPECT_LT(server.stat("server.queries_tcp"), 200'000u);
    EXPECT_EQ(server.script->call_count(), 1u);
}

TEST(ServerTcpLimits, AClientThatReadsIsNotTimedOut) {
    TestServer server([](ServerOptions& o) {
        o.tcp_max_pipelined = 4;
        o.tcp_write_queue = 4096;
        o.tcp_write_timeout = 200ms;
    });
    server.script->delay = [](const resolve::ClientQuery&) { return 20ms; };
    TcpClient client(server.address.port);
    std::vector<uint8_t> all;
    for (int i = 0; i < 30; ++i) {
        QuerySpec spec;
        spec.id = static_cast<uint16_t>(i);
        spec.qname = "n" + std::to_string(i) + ".example.";
        const auto f = framed(query_bytes(spec));
        all.insert(all.end(), f.begin(), f.end());
    }
    ASSERT_TRUE(client.send_raw(all));
    for (int i = 0; i < 30; ++i)
        ASSERT_TRUE(client.receive()) << i;
    EXPECT_EQ(server.stat("net.tcp_write_timeouts"), 0u);
    EXPECT_EQ(server.script->call_count(), 30u);
}

}  // namespace
}  // namespace cairn::server::testing
