// The operator's HTTP endpoint (`metrics-listen`): GET /metrics answers
// the Prometheus page, in text format 0.0.4; other paths go to an optional
// handler (the dashboard), which may answer at once or later. Plain HTTP/1.1 over TCP, one
// request per connection (Connection: close), no TLS and no access list:
// bind it to loopback or a management network only.
//
// It faces the network, so everything is bounded: connections open at once
// (more are closed at accept), octets of a request head (a longer one gets
// 400), and the time a connection may take from accept to the end of the
// response, however slowly the client sends or reads. A bad request gets
// its status and the connection closes: 400 for a malformed head, 404 for
// a path other than /metrics with no handler, 405 for a method other than
// GET and HEAD.
//
// It runs on the daemon's main event loop, never a worker's: building the
// page reads the workers' counters (relaxed loads) and takes each cache
// shard's lock in turn, as `cairnctl stats` does.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "net/http1.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::net {

// The response to a request answered later (it runs on another loop):
// call it once, from any thread. If every copy is dropped uncalled (the
// work was abandoned), the client gets a 503.
class HttpLateReply {
public:
    struct State;
    explicit HttpLateReply(std::shared_ptr<State> state) : state_(std::move(state)) {}
    // A reply that runs `deliver`, once, on `executor`, with the response
    // (or the 503 of an abandoned one).
    static HttpLateReply make(asio::any_io_executor executor,
                              std::function<void(HttpResponse)> deliver);
    void operator()(HttpResponse response) const;

private:
    std::shared_ptr<State> state_;
};

// What a handler answers: `response`, or, when `later` is set, whatever
// `later` is given to answer through (the connection's timeout still holds).
struct HttpAnswer {
    HttpResponse response;
    std::function<void(HttpLateReply)> later;
};

struct MetricsListenerLimits {
    size_t max_connections = 16;
    size_t max_request_bytes = 8192;
    std::chrono::milliseconds timeout{5000};
};

class MetricsListener final : public std::enable_shared_from_this<MetricsListener> {
public:
    // Builds the page; called on the listener's event loop for each GET.
    using Page = std::function<std::string()>;
    // Answers a GET or HEAD of a path other than /metrics; called on the
    // listener's event loop. Empty: such paths are not found.
    using Handler = std::function<HttpAnswer(const HttpRequest&)>;

    static Result<std::shared_ptr<MetricsListener>, TextError> open(
        asio::io_context& io, const wire::SocketAddress& address, Page page,
        MetricsListenerLimits limits = {}, Handler other = {});

    MetricsListener(asio::ip::tcp::acceptor acceptor, Page page, MetricsListenerLimits limits,
                    Handler other = {});
    MetricsListener(const MetricsListener&) = delete;
    MetricsListener& operator=(const MetricsListener&) = delete;

    void start();
    // Stops accepting; connections being served finish (within the timeout).
    void close();
    // The bound address (with the actual port when 0 was asked for).
    wire::SocketAddress local_address() const;
    size_t connection_count() const { return connections_; }

    // What a request with head `head` is answered (`page` for GET /metrics).
    static HttpAnswer respond(const HttpHead& head, const Page& page, const Handler& other = {});

private:
    // One of the connections counted against max_connections, from its
    // accept (not the later start of its coroutine) to the end of it; it
    // keeps the listener alive as long.
    class ConnectionSlot {
    public:
        explicit ConnectionSlot(std::shared_ptr<MetricsListener> listener)
            : listener_(std::move(listener)) {
            ++listener_->connections_;
        }
        ConnectionSlot(ConnectionSlot&& other) noexcept = default;
        ConnectionSlot& operator=(ConnectionSlot&&) = delete;
        ~ConnectionSlot() {
            if (listener_) --listener_->connections_;
        }

    private:
        std::shared_ptr<MetricsListener> listener_;
    };

    asio::awaitable<void> accept_loop(std::shared_ptr<MetricsListener> self);
    asio::awaitable<void> serve(ConnectionSlot slot, asio::ip::tcp::socket accepted);

    asio::ip::tcp::acceptor acceptor_;
    Page page_;
    Handler other_;
    const MetricsListenerLimits limits_;
    size_t connections_ = 0;
    bool closed_ = false;
};

}  // namespace cairn::net
