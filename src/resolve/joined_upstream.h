// An Upstream that sends each distinct query once: identical queries to the
// same server issued while one is in flight wait for its reply instead of
// going out again. Concurrent client requests for names in a zone not yet
// cached then share the walk down from the root.
#pragma once

#include <string>

#include "resolve/inflight.h"
#include "resolve/resolver_metrics.h"
#include "resolve/upstream.h"

namespace cairn::resolve {

class JoinedUpstream final : public Upstream {
public:
    JoinedUpstream(Upstream& inner, ResolverMetrics& metrics) : inner_(inner), metrics_(metrics) {}

    asio::awaitable<UpstreamReply> exchange(UpstreamQuery query) override;

private:
    static std::string key(const UpstreamQuery& query);

    Upstream& inner_;
    ResolverMetrics& metrics_;
    InflightTable<UpstreamReply> inflight_;
};

}  // namespace cairn::resolve
