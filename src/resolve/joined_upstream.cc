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

asio::awaitable<UpstreamReply> JoinedUpstream::exchange(UpstreamQuery query) {
    const auto k = key(query);
    if (auto running = inflight_.find(k)) {
        ++metrics_.upstream_joins;
        co_return co_await InflightTable<UpstreamReply>::wait(running);
    }
    auto entry = inflight_.start(k);
    ++metrics_.upstream_queries;
    UpstreamReply reply;
    try {
        reply = co_await inner_.exchange(std::move(query));
    } catch (const std::exception&) {
        reply.status = UpstreamStatus::kNetworkError;
    }
    inflight_.finish(k, entry, reply);
    co_return reply;
}

}  // namespace cairn::resolve
