#include "resolve/joined_upstream.h"

namespace cairn::resolve {

std::string JoinedUpstream::key(const UpstreamQuery& q) {
    std::string k = q.server.to_string();
    k.push_back('|');
    const auto name = q.question.name.lowercased();
    k.append(name.wire().begin(), name.wire().end());
    const auto type = static_cast<uint16_t>(q.question.type);
    k.push_back(static_cast<char>(type >> 8));
    k.push_back(static_cast<char>(type));
    k.push_back(static_cast<char>((q.recursion_desired ? 1 : 0) | (q.use_edns ? 2 : 0) |
                                  (q.dnssec_ok ? 4 : 0) | (q.checking_disabled ? 8 : 0) |
                                  (q.force_tcp ? 16 : 0)));
    k.append(q.tls_name);
    return k;
}

namespace {

// Longer than any one exchange takes (timeouts, then TCP); past it the
// owner is taken to be gone (its worker stopped) and the query is sent.
constexpr std::chrono::milliseconds kJoinWait{15'000};

}  // namespace

asio::awaitable<UpstreamReply> JoinedUpstream::exchange(UpstreamQuery query) {
    const auto k = key(query);
    const auto joins = inflight_;  // the table outlives this exchange
    bool started = false;
    auto entry = joins->join_or_start(k, started);
    if (!started) {
        ++metrics_.upstream_joins;
        auto joined = co_await UpstreamJoins::wait_for(entry, kJoinWait);
        if (joined) co_return std::move(*joined);
    }
    ++metrics_.upstream_queries;
    UpstreamReply reply;
    try {
        reply = co_await inner_.exchange(std::move(query));
    } catch (const std::exception&) {
        reply.status = UpstreamStatus::kNetworkError;
    }
    if (started) joins->finish(k, entry, reply);
    co_return reply;
}

}  // namespace cairn::resolve
