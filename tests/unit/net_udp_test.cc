// The UDP listener on its own: batching with recvmmsg/sendmmsg, answers
// given later, oversize datagrams, IPV6_V6ONLY. Loopback only.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <thread>

#include "net/udp_listener.h"
#include "server_test_support.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

// Answers every datagram with itself, except those starting with 'L', whose
// answers are promised and given when release() runs.
class MirrorHandler final : public QueryHandler {
public:
    size_t handle_query(std::span<const uint8_t> query, const Peer& peer,
                        std::span<uint8_t> response, const ReplyOrigin& origin) override {
        last_peer = peer;
        if (!query.empty() && query[0] == 'L') {
            later.emplace_back(origin.keep(), std::vector<uint8_t>(query.begin(), query.end()));
            return 0;
        }
        const size_t n = std::min(query.size(), response.size());
        std::copy(query.begin(), query.begin() + n, response.begin());
        return n;
    }
    void release() {
        for (auto& [handle, message] : later)
            handle.send(message);
        later.clear();
    }

    Peer last_peer;
    std::vector<std::pair<ReplyHandle, std::vector<uint8_t>>> later;
};

struct Harness {
    explicit Harness(const std::string& address = "127.0.0.1:0", UdpListenerOptions options = {}) {
        auto opened =
            UdpListener::open(io, *wire::SocketAddress::parse(address), handler, metrics, options);
        if (!opened) throw std::runtime_error(opened.error().message);
        listener = *opened;
        listener->start();
    }
    ~Harness() {
        asio::post(io, [this] { listener->close(); });
        io.stop();
        if (thread.joinable()) thread.join();
    }
    void run() {
        thread = std::thread([this] { io.run(); });
    }

    asio::io_context io{1};
    MirrorHandler handler;
    TransportMetrics metrics;
    std::shared_ptr<UdpListener> listener;
    std::thread thread;
};

int udp_socket_to(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = server::testing::loopback(port);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    return fd;
}

std::optional<std::string> receive(int fd, std::chrono::milliseconds timeout = 2s) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[2048];
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
}

TEST(NetUdp, SocketIsHandedToAnotherUser) {
    // The kernel lets a socket join a SO_REUSEPORT group only if it belongs
    // to the same user as the group's: fchown() is what makes it so. As
    // root, to nobody; otherwise to ourselves (all an ordinary user may do).
    Harness h;
    const bool root = ::geteuid() == 0;
    const uid_t uid = root ? 65534 : ::getuid();
    const gid_t gid = root ? 65534 : ::getgid();
    ASSERT_TRUE(h.listener->hand_to(uid, gid));
    struct stat st {};
    ASSERT_EQ(::fstat(h.listener->native_handle(), &st), 0);
    EXPECT_EQ(st.st_uid, uid);
    EXPECT_EQ(st.st_gid, gid);
}

TEST(NetUdp, QueuedDatagramsAreReadAndAnsweredInBatches) {
    Harness h;
    const int fd = udp_socket_to(h.listener->local_address().port);
    constexpr int kDatagrams = 64;
    for (int i = 0; i < kDatagrams; ++i) {
        const std::string message = "query " + std::to_string(i);
        ASSERT_EQ(::send(fd, message.data(), message.size(), 0), ssize_t(message.size()));
    }
    h.run();  // everything is queued before the listener reads once
    std::set<std::string> answers;
    for (int i = 0; i < kDatagrams; ++i) {
        auto answer = receive(fd);
        ASSERT_TRUE(answer) << "after " << i;
        answers.insert(*answer);
    }
    ::close(fd);
    EXPECT_EQ(answers.size(), size_t{kDatagrams});
    // The counters are stored just after sendmmsg returns: maybe after the
    // answers arrived here.
    for (int i = 0; i < 200 && h.metrics.udp_sent.load() < kDatagrams; ++i)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(h.metrics.udp_received.load(), uint64_t{kDatagrams});
    EXPECT_EQ(h.metrics.udp_sent.load(), uint64_t{kDatagrams});
    // 32 per recvmmsg: two full batches (and perhaps an empty read).
    EXPECT_LE(h.metrics.udp_batches.load(), 3u);
    EXPECT_TRUE(h.handler.last_peer.address.address.is_v4());
    EXPECT_EQ(h.handler.last_peer.transport, Transport::kUdp);
}

TEST(NetUdp, AnswersGivenLaterAreSent) {
    Harness h;
    h.run();
    const int fd = udp_socket_to(h.listener->local_address().port);
    for (const std::string message : {"L1", "L2", "now"}) {
        ASSERT_EQ(::send(fd, message.data(), message.size(), 0), ssize_t(message.size()));
    }
    EXPECT_EQ(receive(fd), "now");
    asio::post(h.io, [&] { h.handler.release(); });
    std::set<std::string> late = {*receive(fd), *receive(fd)};
    EXPECT_EQ(late, (std::set<std::string>{"L1", "L2"}));
    ::close(fd);
}

TEST(NetUdp, OversizeDatagramsAreDropped) {
    UdpListenerOptions options;
    options.max_query_size = 64;
    Harness h("127.0.0.1:0", options);
    h.run();
    const int fd = udp_socket_to(h.listener->local_address().port);
    const std::string big(100, 'x');
    ::send(fd, big.data(), big.size(), 0);
    EXPECT_FALSE(receive(fd, 300ms));
    ::send(fd, "small", 5, 0);
    EXPECT_EQ(receive(fd), "small");
    ::close(fd);
    EXPECT_EQ(h.metrics.udp_oversize.load(), 1u);
}

TEST(NetUdp, Ipv6SocketsAreV6Only) {
    std::unique_ptr<Harness> h;
    try {
        h = std::make_unique<Harness>("[::1]:0");
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no IPv6 loopback: " << e.what();
    }
    int v6only = 0;
    socklen_t length = sizeof(v6only);
    ASSERT_EQ(
        ::getsockopt(h->listener->native_handle(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &length), 0);
    EXPECT_EQ(v6only, 1);
    h->run();
    const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(h->listener->local_address().port);
    to.sin6_addr = in6addr_loopback;
    ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    ::send(fd, "six", 3, 0);
    EXPECT_EQ(receive(fd), "six");
    ::close(fd);
    EXPECT_FALSE(h->handler.last_peer.address.address.is_v4());
}

TEST(NetUdp, TwoListenersShareAnAddress) {
    // SO_REUSEPORT: each worker binds its own socket to the same address.
    Harness a;
    const auto address = a.listener->local_address();
    asio::io_context io;
    MirrorHandler handler;
    TransportMetrics metrics;
    auto b = UdpListener::open(io, address, handler, metrics, {});
    ASSERT_TRUE(b) << b.error().message;
    (*b)->close();
}

}  // namespace
}  // namespace cairn::net
