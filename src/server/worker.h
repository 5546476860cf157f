// One worker thread (DESIGN.md "Concurrency"): its own event loop, its own
// UDP socket and TCP acceptor per listen address (SO_REUSEPORT), its own
// resolver, upstream sockets and packet cache. Nothing on its data path is
// shared with another worker except the caches.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "cache/clock.h"
#include "net/tcp_limits.h"
#include "net/tcp_listener.h"
#include "net/transport_metrics.h"
#include "net/udp_listener.h"
#include "observe/dnstap_recorder.h"
#include "observe/histogram.h"
#include "resolve/resolver.h"
#include "resolve/resolver_metrics.h"
#include "resolve/upstream.h"
#include "server/encrypted_listeners.h"
#include "server/query_pipeline.h"
#include "server/response_cache.h"
#include "server/server_metrics.h"
#include "server/stats.h"
#include "server/trace_report.h"
#include "wire/result.h"

namespace cairn::server {

// What the application builds for each worker, on that worker's event loop.
struct WorkerParts {
    // This worker's dnstap recorder (null: no dnstap); first, so that it
    // outlives the upstream transport that records through it.
    std::unique_ptr<observe::DnstapRecorder> dnstap;
    std::unique_ptr<resolve::Upstream> upstream;  // may be null (a fake resolver needs none)
    std::unique_ptr<resolve::Resolver> resolver;  // uses `upstream`
    std::unique_ptr<ResponseCache> packet_cache;  // null: no fast path
    // The resolver's counters, for `stats`; may be null.
    const resolve::ResolverMetrics* resolver_metrics = nullptr;
    // DNS64's counters (null: DNS64 off).
    const Dns64Metrics* dns64_metrics = nullptr;
    // Round trips of the upstream transport's answered queries; may be null.
    const observe::Histogram* upstream_rtt = nullptr;
};

using WorkerPartsFactory = std::function<WorkerParts(asio::io_context& io, unsigned worker)>;

struct WorkerSettings {
    PipelineSettings pipeline;
    net::TcpListenerOptions tcp;
    net::UdpListenerOptions udp;
    net::EncryptedListenerOptions encrypted;
};

class Worker {
public:
    Worker(unsigned index, const WorkerSettings& settings, const WorkerPartsFactory& factory,
           net::TcpConnectionLimits& tcp_limits, const cache::Clock& clock);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Binds a UDP socket and a TCP acceptor to `address` (before run()).
    // With port 0 the kernel picks the UDP port and TCP takes the same one.
    // Returns the address bound.
    Result<wire::SocketAddress, TextError> listen(const wire::SocketAddress& address);
    // Binds an encrypted listener (DoT, DoH, cleartext HTTP/2) to `where`.
    Result<wire::SocketAddress, TextError> listen_encrypted(const EncryptedAddress& where,
                                                            const TlsContexts& tls);

    // Gives the listening sockets to `uid`/`gid` (see Service).
    Status<TextError> hand_sockets_to(uid_t uid, gid_t gid);

    // Starts the thread.
    void run();
    // Asks the worker to stop: listeners close at once, answers in flight
    // get until `deadline`, then the event loop ends. Returns immediately.
    void stop(std::chrono::steady_clock::time_point deadline);
    void join();

    // Empties this worker's packet cache (on its own thread; waits for it).
    void clear_packet_cache();
    // Applies `policy` from now on (null: none), and empties the packet
    // cache, whose answers passed the previous one (on its own thread;
    // waits for it).
    void set_rpz(std::shared_ptr<const RpzPolicy> policy);
    // New TLS connections use `tls` from now on; open ones stay open with
    // the certificate they started with (on its own thread; waits for it).
    void replace_tls(const TlsContexts& tls);

    // Resolves `query` with a trace attached (`cairnctl trace`), on this
    // worker's loop, then hands `done` the report there. Callable from any
    // thread; returns at once. A worker stopped meanwhile never calls
    // `done`, and destroys it.
    void trace(resolve::ClientQuery query, bool fresh, std::function<void(TraceReport)> done);

    // Counters of this worker: pipeline, transports, resolver, packet cache.
    Stats stats() const;
    // The same with the distributions (answers by protocol, latency, RTT).
    Figures figures() const;

private:
    // An io_context whose services can be shut down (destroying the pending
    // handlers and so every suspended coroutine) before the objects those
    // coroutines refer to go away.
    class EventLoop : public asio::io_context {
    public:
        using asio::execution_context::shutdown;
        using asio::io_context::io_context;
    };

    asio::awaitable<void> drain(std::chrono::steady_clock::time_point deadline);
    asio::awaitable<void> run_trace(resolve::ClientQuery query, bool fresh,
                                    std::function<void(TraceReport)> done);
    // Runs `job` on the worker's thread (here if it has none) and waits for it.
    void run_on_loop(const std::function<void()>& job);
    size_t open_tcp_connections() const;

    const unsigned index_;
    EventLoop io_;
    ServerMetrics metrics_;
    net::TransportMetrics transport_metrics_;
    WorkerParts parts_;
    std::unique_ptr<QueryPipeline> pipeline_;
    net::TcpConnectionLimits& tcp_limits_;
    const WorkerSettings settings_;
    std::vector<std::shared_ptr<net::UdpListener>> udp_;
    std::vector<std::shared_ptr<net::TcpListener>> tcp_;
    EncryptedListeners encrypted_;
    std::thread thread_;
};

}  // namespace cairn::server
