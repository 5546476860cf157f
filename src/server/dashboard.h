// The dashboard on `metrics-listen`: every path of that listener but
// /metrics. The page (/) and its script poll /metrics and /api/servers
// and draw what they read; /api/trace runs one traced resolution, like
// `cairnctl trace --json`, for the page's trace form.
//
//   GET /               the page (HTML)
//   GET /dashboard.js   its script
//   GET /api/servers    upstream servers and their RTT estimates (JSON)
//   GET /api/trace?name=NAME&type=TYPE   the trace (JSON); TYPE defaults
//                       to A. A bad name or type: 400; more traces at
//                       once than allowed: 503 (each one resolves).
// Errors of the /api paths are JSON too: {"error": "..."}.
//
// Runs on the listener's loop; a trace answers later, from the worker
// that ran it, and the listener serves other requests meanwhile.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/http1.h"
#include "net/metrics_listener.h"
#include "resolve/resolver.h"

namespace cairn::server {

// Where the dashboard's figures come from (the daemon's service, which a
// reload replaces, so they are looked up for each request).
struct DashboardSources {
    // The body of /api/servers.
    std::function<std::string()> servers;
    // Runs a trace of `query`; `done` gets its JSON, once, on any thread.
    // Dropping `done` uncalled abandons the trace (the client gets a 503).
    std::function<void(resolve::ClientQuery query, std::function<void(std::string)> done)> trace;
};

class Dashboard {
public:
    static constexpr size_t kDefaultMaxTraces = 4;

    explicit Dashboard(DashboardSources sources, size_t max_traces = kDefaultMaxTraces);

    net::HttpAnswer answer(const net::HttpRequest& request);

    // Traces running now (started, not yet answered or abandoned).
    size_t traces_running() const { return *traces_; }

private:
    net::HttpAnswer trace(const net::HttpRequest& request);

    DashboardSources sources_;
    const size_t max_traces_;
    // Shared with the traces' callbacks, which may outlive the dashboard.
    std::shared_ptr<std::atomic<size_t>> traces_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace cairn::server
