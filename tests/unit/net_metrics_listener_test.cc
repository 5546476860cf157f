// The metrics endpoint: what each request is answered, and the bounds a
// listener facing the network keeps (head size, connections, time).
#include "net/metrics_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/post.hpp>
#include <atomic>
#include <thread>

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

TEST(MetricsListener, WhatEachRequestIsAnswered) {
    struct Case {
        std::string_view request;
        int status;
        std::string_view body;
    };
    const Case cases[] = {
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, "a_total 1\n"},
        {"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, "a_total 1\n"},
        {"GET /metrics?x HTTP/1.0\r\n\r\n", 200, "a_total 1\n"},
        {"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed\n"},
        {"DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed\n"},
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not found: the metrics are at /metrics\n"},
        {"POST /x HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not found: the metrics are at /metrics\n"},
        {"GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", 404,
         "not found: the metrics are at /metrics\n"},
        {"GET /metrics HTTP/1.1\r\n\r\n", 400, "bad request\n"},
        {"GET /metrics HTTP/1.1\r\nHost: x", 400, "bad request\n"},  // never ended
    };
    int pages = 0;
    const MetricsListener::Page page = [&pages] {
        ++pages;
        return std::string("a_total 1\n");
    };
    for (const auto& c : cases) {
        const auto response = MetricsListener::respond(parse_http_head(c.request), page).response;
        EXPECT_EQ(response.status, c.status) << c.request;
        EXPECT_EQ(response.body, c.body) << c.request;
        if (c.status == 200) {
            EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
        }
        if (c.status == 405) {
            EXPECT_EQ(response.extra_fields, "Allow: GET, HEAD\r\n");
        }
    }
    EXPECT_EQ(pages, 3) << "the page is built for GET and HEAD of /metrics only";
}

TEST(MetricsListener, OtherPathsGoToTheHandler) {
    struct Case {
        std::string_view request;
        int status;
        std::string_view body;
    };
    const Case cases[] = {
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, "a_total 1\n"},
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, "GET / q="},
        {"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", 200, "HEAD / q="},
        {"GET /api/x?a=1 HTTP/1.0\r\n\r\n", 200, "GET /api/x q=a=1"},
        {"POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed\n"},
        {"PUT /api/x HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed\n"},
        {"GET / HTTP/1.1\r\n\r\n", 400, "bad request\n"},
    };
    const MetricsListener::Page page = [] { return std::string("a_total 1\n"); };
    const MetricsListener::Handler other = [](const HttpRequest& request) {
        return HttpAnswer{{200,
                           "text/plain",
                           std::string(request.method) + " " + std::string(request.path) +
                               " q=" + std::string(request.query),
                           {}},
                          {}};
    };
    for (const auto& c : cases) {
        const auto answer = MetricsListener::respond(parse_http_head(c.request), page, other);
        EXPECT_FALSE(answer.later) << c.request;
        EXPECT_EQ(answer.response.status, c.status) << c.request;
        EXPECT_EQ(answer.response.body, c.body) << c.request;
    }
}

// A listener on 127.0.0.1 (ephemeral port) on its own event loop thread.
struct ListenerHarness {
    explicit ListenerHarness(MetricsListenerLimits limits, MetricsListener::Handler other = {}) {
        auto opened = MetricsListener::open(
            io, *wire::SocketAddress::parse("127.0.0.1:0"),
            [this] {
                ++pages;
                return std::string("cairn_x_total 7\n");
            },
            limits, std::move(other));
        if (!opened) throw std::runtime_error(opened.error().message);
        listener = *opened;
        port = listener->local_address().port;
        listener->start();
        thread = std::thread([this] { io.run(); });
    }
    ~ListenerHarness() {
        asio::post(io, [this] { listener->close(); });
        io.stop();
        thread.join();
    }

    asio::io_context io;
    std::shared_ptr<MetricsListener> listener;
    uint16_t port = 0;
    std::atomic<int> pages{0};
    std::thread thread;
};

int connect_to(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Everything the server sends until it closes (or 10 s pass: a failure).
std::string read_all(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10'000) <= 0) return out + "<no end>";
        const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) return out;
        out.append(buffer, static_cast<size_t>(n));
    }
}

std::string http_exchange(uint16_t port, std::string_view request) {
    const int fd = connect_to(port);
    if (fd < 0) return "<no connection>";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string response = read_all(fd);
    ::close(fd);
    return response;
}

TEST(MetricsListener, ServesThePageAndCloses) {
    ListenerHarness h({});
    const std::string response = http_exchange(h.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(response,
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
              "Content-Length: 16\r\n"
              "Connection: close\r\n"
              "\r\n"
              "cairn_x_total 7\n");
    EXPECT_EQ(http_exchange(h.port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").substr(0, 22),
              "HTTP/1.1 404 Not Found");
    EXPECT_EQ(http_exchange(h.port, "GARBAGE\r\n\r\n").substr(0, 24), "HTTP/1.1 400 Bad Request");
}

TEST(MetricsListener, RequestSentInPieces) {
    ListenerHarness h({});
    const int fd = connect_to(h.port);
    ASSERT_GE(fd, 0);
    for (const std::string_view piece :
         {"GE", "T /metrics HT", "TP/1.1\r", "\nHost: x\r\n", "\r\n"}) {
        ::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(read_all(fd).substr(0, 15), "HTTP/1.1 200 OK");
    ::close(fd);
}

TEST(MetricsListener, OversizedHeadGets400) {
    MetricsListenerLimits limits;
    limits.max_request_bytes = 1024;
    ListenerHarness h(limits);
    std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    request.append(4000, 'a');
    const std::string response = http_exchange(h.port, request);
    EXPECT_EQ(response.substr(0, 24), "HTTP/1.1 400 Bad Request") << response;
    EXPECT_EQ(h.pages, 0);
}

TEST(MetricsListener, SilentClientIsClosedAfterTheTimeout) {
    MetricsListenerLimits limits;
    limits.timeout = 200ms;
    ListenerHarness h(limits);
    const int fd = connect_to(h.port);
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    EXPECT_EQ(read_all(fd), "") << "closed without an answer";
    ::close(fd);
}

TEST(MetricsListener, ConnectionsBeyondTheLimitAreClosedAtOnce) {
    MetricsListenerLimits limits;
    limits.max_connections = 2;
    limits.timeout = 60s;
    ListenerHarness h(limits);
    const int first = connect_to(h.port);
    const int second = connect_to(h.port);
    ASSERT_GE(first, 0);
    ASSERT_GE(second, 0);
    const int third = connect_to(h.port);
    ASSERT_GE(third, 0);
    ::send(third, "GET /metrics HTTP/1.0\r\n\r\n", 25, MSG_NOSIGNAL);
    EXPECT_EQ(read_all(third), "") << "closed unanswered";
    ::close(third);
    // A slot freed is a slot taken again.
    ::send(first, "GET /metrics HTTP/1.0\r\n\r\n", 25, MSG_NOSIGNAL);
    EXPECT_EQ(read_all(first).substr(0, 15), "HTTP/1.1 200 OK");
    ::close(first);
    std::string response;
    for (int i = 0; i < 100 && response.empty(); ++i) {
        // The listener learns of the closed slot when the answer is out.
        response = http_exchange(h.port, "GET /metrics HTTP/1.0\r\n\r\n");
        if (response.empty()) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK");
    ::close(second);
}

TEST(MetricsListener, AnswersLaterFromAnotherThread) {
    std::vector<std::thread> workers;
    ListenerHarness h({}, [&workers](const HttpRequest& request) {
        HttpAnswer answer;
        const bool abandon = request.path == "/abandon";
        answer.later = [&workers, abandon](HttpLateReply reply) {
            workers.emplace_back([reply = std::move(reply), abandon] {
                std::this_thread::sleep_for(20ms);
                if (!abandon) reply({200, "application/json", "{\"late\":true}", {}});
            });
        };
        return answer;
    });
    // Meanwhile the listener serves others.
    const int fd = connect_to(h.port);
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /late HTTP/1.0\r\n\r\n", 22, MSG_NOSIGNAL);
    EXPECT_EQ(http_exchange(h.port, "GET /metrics HTTP/1.0\r\n\r\n").substr(0, 15),
              "HTTP/1.1 200 OK");
    const std::string late = read_all(fd);
    ::close(fd);
    EXPECT_EQ(late.substr(0, 15), "HTTP/1.1 200 OK") << late;
    EXPECT_TRUE(late.ends_with("\r\n\r\n{\"late\":true}")) << late;
    const std::string abandoned = http_exchange(h.port, "GET /abandon HTTP/1.0\r\n\r\n");
    EXPECT_EQ(abandoned.substr(0, 34), "HTTP/1.1 503 Service Unavailable\r\n") << abandoned;
    for (auto& worker : workers)
        worker.join();
}

}  // namespace
}  // namespace cairn::net
