// Keeps the local root copy (policy/local_root.h) current: reads the kept
// copy at start, transfers the zone from the configured sources, checks
// each copy before it is used, and follows the SOA timers (RFC 1035
// §3.3.13): after `refresh` it asks the sources for the SOA and transfers
// only a newer serial; after a failure it tries again after `retry`; a copy
// not refreshed within `expire`, or whose signatures expire, is dropped and
// the resolver asks the root servers. Runs on the daemon's main event loop.
#pragma once

#include <asio/io_context.hpp>
#include <memory>

#include "cache/clock.h"
#include "dnssec/trust_anchors.h"
#include "policy/local_root.h"
#include "policy/local_root_options.h"
#include "server/stats.h"

namespace cairn::server {

class LocalRootUpdater {
public:
    LocalRootUpdater(asio::io_context& io, std::shared_ptr<policy::LocalRoot> root,
                     policy::LocalRootOptions options, dnssec::TrustAnchors anchors,
                     const cache::Clock& clock);
    LocalRootUpdater(const LocalRootUpdater&) = delete;
    LocalRootUpdater& operator=(const LocalRootUpdater&) = delete;
    // Stops: a transfer under way finishes, but its copy is not installed.
    ~LocalRootUpdater();

    void start();

private:
    struct State;
    std::shared_ptr<State> state_;
};

// local_root.loaded, .serial, .age_seconds (gauges), .answers, .fallbacks
// and .failures.<kind> (counters), for `cairnctl stats` and /metrics.
void append_local_root_stats(Stats& out, const policy::LocalRoot& root, int64_t now);

}  // namespace cairn::server
