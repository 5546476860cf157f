#include "net/metrics_listener.h"

#include <spdlog/spdlog.h>

#include <array>
#include <asio/async_result.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <utility>

#include "net/endpoint.h"
#include "observe/log_limit.h"

namespace cairn::net {

namespace {

constexpr std::string_view kPath = "/metrics";
constexpr std::string_view kPageType = "text/plain; version=0.0.4; charset=utf-8";
// What is read and thrown away after the response, so that the close does
// not turn into a reset that loses the response (RFC 9112 §9.6).
constexpr size_t kMaxDiscarded = 64 * 1024;

HttpResponse plain(int status, std::string body, std::string extra_fields = {}) {
    return {status, "text/plain; charset=utf-8", std::move(body) + "\n", std::move(extra_fields)};
}

}  // namespace

struct HttpLateReply::State {
    State(asio::any_io_executor executor, std::function<void(HttpResponse)> deliver)
        : executor(std::move(executor)), deliver(std::move(deliver)) {}
    ~State() { reply(plain(503, "no answer: the work was abandoned")); }

    // Resumes the connection's coroutine on the listener's loop, once.
    void reply(HttpResponse response) {
        if (replied.exchange(true)) return;
        asio::post(executor,
                   [deliver = std::move(deliver), response = std::move(response)]() mutable {
                       deliver(std::move(response));
                   });
    }

    asio::any_io_executor executor;
    std::function<void(HttpResponse)> deliver;
    std::atomic<bool> replied{false};
};

HttpLateReply HttpLateReply::make(asio::any_io_executor executor,
                                  std::function<void(HttpResponse)> deliver) {
    return HttpLateReply(std::make_shared<State>(std::move(executor), std::move(deliver)));
}

void HttpLateReply::operator()(HttpResponse response) const {
    state_->reply(std::move(response));
}

namespace {

// The response `later` answers with, whenever (and on whatever thread) it does.
asio::awaitable<HttpResponse> late_response(std::function<void(HttpLateReply)> later) {
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
        [&](auto handler) {
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            later(HttpLateReply::make(executor, [shared](HttpResponse response) {
                std::move (*shared)(std::move(response));
            }));
        },
        asio::use_awaitable);
}

}  // namespace

Result<std::shared_ptr<MetricsListener>, TextError> MetricsListener::open(
    asio::io_context& io, const wire::SocketAddress& address, Page page,
    MetricsListenerLimits limits, Handler other) {
    const auto endpoint = tcp_endpoint(address);
    asio::ip::tcp::acceptor acceptor(io);
    asio::error_code ec;
    auto failed = [&](const char* what) {
        return text_error("cannot listen for metrics on " + address.to_string() + ": " + what +
                          ": " + ec.message());
    };
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return failed("socket");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return failed("SO_REUSEADDR");
    if (endpoint.address().is_v6()) {
        acceptor.set_option(asio::ip::v6_only(true), ec);
        if (ec) return failed("IPV6_V6ONLY");
    }
    acceptor.bind(endpoint, ec);
    if (ec) return failed("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failed("listen");
    return std::make_shared<MetricsListener>(std::move(acceptor), std::move(page), limits,
                                             std::move(other));
}

MetricsListener::MetricsListener(asio::ip::tcp::acceptor acceptor, Page page,
                                 MetricsListenerLimits limits, Handler other)
    : acceptor_(std::move(acceptor)),
      page_(std::move(page)),
      other_(std::move(other)),
      limits_(limits) {}

void MetricsListener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
}

void MetricsListener::close() {
    closed_ = true;
    asio::error_code ec;
    acceptor_.close(ec);
}

wire::SocketAddress MetricsListener::local_address() const {
    asio::error_code ec;
    return from_endpoint(acceptor_.local_endpoint(ec));
}

HttpAnswer MetricsListener::respond(const HttpHead& head, const Page& page, const Handler& other) {
    if (head.status != HeadStatus::kComplete) return {plain(400, "bad request"), {}};
    const auto& request = head.request;
    if (request.path != kPath && !other)
        return {plain(404, "not found: the metrics are at /metrics"), {}};
    if (request.method != "GET" && request.method != "HEAD")
        return {plain(405, "method not allowed", "Allow: GET, HEAD\r\n"), {}};
    if (request.path != kPath) return other(request);
    return {{200, std::string(kPageType), page(), {}}, {}};
}

asio::awaitable<void> MetricsListener::accept_loop(std::shared_ptr<MetricsListener> self) {
    while (!closed_) {
        asio::error_code ec;
        auto socket =
            co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (closed_ || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors or memory: let some connections end first.
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        if (connections_ >= limits_.max_connections) {
            static observe::LogLimit refused_log(10);
            if (auto held = refused_log.admit())
                spdlog::warn("metrics-listen: connection refused, {} open already (the limit){}",
                             limits_.max_connections, observe::held_back(*held));
            socket.close(ec);
            continue;
        }
        asio::co_spawn(acceptor_.get_executor(), serve(ConnectionSlot(self), std::move(socket)),
                       asio::detached);
    }
}

asio::awaitable<void> MetricsListener::serve(ConnectionSlot /*slot*/,
                                             asio::ip::tcp::socket accepted) {
    // Shared with the timeout's handler, which may run after this returns.
    auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(accepted));
    asio::steady_timer timeout(socket->get_executor(), limits_.timeout);
    timeout.async_wait([socket](asio::error_code ec) {
        if (!ec) socket->close(ec);
    });
    std::string input;
    std::array<char, 2048> chunk;
    HttpHead head;
    asio::error_code ec;
    while (head.status == HeadStatus::kIncomplete && input.size() < limits_.max_request_bytes) {
        const size_t n = co_await socket->async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;  // gone, or out of time, before a whole request
        input.append(chunk.data(), n);
        head = parse_http_head(input);
    }
    // Still incomplete here: too long a head, answered 400 like a malformed one.
    HttpAnswer answer = respond(head, page_, other_);
    // Not a co_await inside a conditional expression: GCC miscompiles those.
    HttpResponse response = std::move(answer.response);
    if (answer.later) response = co_await late_response(std::move(answer.later));
    const std::string text = http_response_text(response, head.request.method == "HEAD");
    co_await asio::async_write(*socket, asio::buffer(text),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    socket->shutdown(asio::socket_base::shutdown_send, ec);
    for (size_t discarded = 0; !ec && discarded < kMaxDiscarded;)
        discarded += co_await socket->async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    timeout.cancel();
    socket->close(ec);
}

}  // namespace cairn::net
