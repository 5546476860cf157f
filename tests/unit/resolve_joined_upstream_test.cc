#include "resolve/joined_upstream.h"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace cairn::resolve {
namespace {

using namespace std::chrono_literals;

// Holds every query until released, counting them; usable from any thread.
class GatedUpstream final : public Upstream {
public:
    asio::awaitable<UpstreamReply> exchange(UpstreamQuery query) override {
        ++calls;
        asio::steady_timer poll(co_await asio::this_coro::executor);
        while (!released) {
            poll.expires_after(1ms);
            co_await poll.async_wait(asio::use_awaitable);
        }
        UpstreamReply reply;
        reply.status = UpstreamStatus::kOk;
        reply.message.questions.push_back(query.question);
        co_return reply;
    }

    std::atomic<int> calls{0};
    std::atomic<bool> released{false};
};

UpstreamQuery query_for(std::string_view name) {
    UpstreamQuery q;
    q.server = *wire::SocketAddress::parse("127.0.0.53:53");
    q.question = {*wire::Name::from_text(name), wire::RRType::A};
    return q;
}

// One worker: an event loop on its own thread with its JoinedUpstream.
struct Worker {
    Worker(Upstream& inner, std::shared_ptr<UpstreamJoins> joins) : upstream(inner, metrics) {
        if (joins) upstream.share(std::move(joins));
    }
    ~Worker() {
        guard.reset();
        if (thread.joinable()) thread.join();
    }
    void ask(UpstreamQuery q) {
        asio::co_spawn(
            io, [this, q]() -> asio::awaitable<void> { reply = co_await upstream.exchange(q); },
            asio::detached);
        thread = std::thread([this] { io.run(); });
    }

    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    ResolverMetrics metrics;
    JoinedUpstream upstream;
    std::optional<UpstreamReply> reply;
    std::thread thread;
};

template <class Pred>
void wait_until(Pred pred) {
    while (!pred())
        std::this_thread::sleep_for(1ms);
}

TEST(JoinedUpstream, WorkersSharingJoinsSendAQueryOnce) {
    GatedUpstream inner;
    auto joins = std::make_shared<UpstreamJoins>();
    Worker a(inner, joins);
    Worker b(inner, joins);
    a.ask(query_for("www.example."));
    wait_until([&] { return inner.calls == 1; });
    b.ask(query_for("WWW.example."));  // another spelling (0x20): the same query
    wait_until([&] { return b.metrics.upstream_joins.load() == 1; });
    inner.released = true;
    a.guard.reset();
    b.guard.reset();
    a.thread.join();
    b.thread.join();
    EXPECT_EQ(inner.calls, 1);
    ASSERT_TRUE(a.reply && b.reply);
    EXPECT_EQ(b.reply->status, UpstreamStatus::kOk);
    EXPECT_EQ(a.metrics.upstream_queries.load(), 1u);
    EXPECT_EQ(b.metrics.upstream_queries.load(), 0u);
    EXPECT_EQ(joins->size(), 0u) << "finished work leaves the table";
}

TEST(JoinedUpstream, DifferentQueriesAreNotJoined) {
    GatedUpstream inner;
    auto joins = std::make_shared<UpstreamJoins>();
    Worker a(inner, joins);
    Worker b(inner, joins);
    a.ask(query_for("www.example."));
    wait_until([&] { return inner.calls == 1; });
    b.ask(query_for("mail.example."));
    wait_until([&] { return inner.calls == 2; });
    inner.released = true;
    a.guard.reset();
    b.guard.reset();
    a.thread.join();
    b.thread.join();
    EXPECT_EQ(b.metrics.upstream_joins.load(), 0u);
    EXPECT_EQ(b.metrics.upstream_queries.load(), 1u);
}

TEST(JoinedUpstream, WithoutSharingEachWorkerSendsItsOwn) {
    GatedUpstream inner;
    Worker a(inner, nullptr);
    Worker b(inner, nullptr);
    a.ask(query_for("www.example."));
    b.ask(query_for("www.example."));
    wait_until([&] { return inner.calls == 2; });
    inner.released = true;
    a.guard.reset();
    b.guard.reset();
    a.thread.join();
    b.thread.join();
    EXPECT_EQ(a.metrics.upstream_joins.load() + b.metrics.upstream_joins.load(), 0u);
}

}  // namespace
}  // namespace cairn::resolve
