// An Upstream that sends each distinct query once: identical queries to the
// same server issued while one is in flight wait for its reply instead of
// going out again, on whichever worker thread they were asked. Concurrent
// client requests for names in a zone not yet cached then share the walk
// down from the root, even when SO_REUSEPORT spread them over the workers.
#pragma once

#include <memory>
#include <string>

#include "resolve/resolver_metrics.h"
#include "resolve/shared_inflight.h"
#include "resolve/upstream.h"

namespace cairn::resolve {

// The queries in flight to the servers, shared by every worker's resolver.
using UpstreamJoins = SharedInflightTable<UpstreamReply>;

class JoinedUpstream final : public Upstream {
public:
    JoinedUpstream(Upstream& inner, ResolverMetrics& metrics)
        : inner_(inner), metrics_(metrics), inflight_(std::make_shared<UpstreamJoins>()) {}

    // Joins the queries of the other workers that share `joins` (until
    // then, only this worker's own).
    void share(std::shared_ptr<UpstreamJoins> joins) { inflight_ = std::move(joins); }

    asio::awaitable<UpstreamReply> exchange(UpstreamQuery query) override;

private:
    static std::string key(const UpstreamQuery& query);

    Upstream& inner_;
    ResolverMetrics& metrics_;
    std::shared_ptr<UpstreamJoins> inflight_;
};

}  // namespace cairn::resolve
