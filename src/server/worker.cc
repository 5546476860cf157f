#include "server/worker.h"

#include <pthread.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <future>
#include <string>

namespace cairn::server {

namespace {

// How often a stopping worker checks whether its answers are all out.
constexpr std::chrono::milliseconds kDrainPoll{5};

}  // namespace

Worker::Worker(unsigned index, const WorkerSettings& settings, const WorkerPartsFactory& factory,
               net::TcpConnectionLimits& tcp_limits, const cache::Clock& clock)
    : index_(index),
      io_(1),
      parts_(factory(io_, index)),
      tcp_limits_(tcp_limits),
      settings_(settings) {
    pipeline_ = std::make_unique<QueryPipeline>(io_.get_executor(), settings_.pipeline,
                                                *parts_.resolver, parts_.packet_cache.get(), clock,
                                                metrics_, parts_.dnstap.get());
}

Worker::~Worker() {
    if (thread_.joinable()) {
        stop(std::chrono::steady_clock::now());
        join();
    }
    for (auto& udp : udp_)
        udp->close();
    for (auto& tcp : tcp_) {
        tcp->close();
        tcp->abort_connections();
    }
    encrypted_.close();
    encrypted_.abort_connections();
    // Destroys every handler still queued, and with them the suspended
    // coroutines, while the resolver and the sockets they use still exist.
    io_.shutdown();
}

Result<wire::SocketAddress, TextError> Worker::listen(const wire::SocketAddress& address) {
    auto udp = net::UdpListener::open(io_, address, *pipeline_, transport_metrics_, settings_.udp);
    if (!udp) return Unexpected{udp.error()};
    const auto bound = (*udp)->local_address();
    auto tcp = net::TcpListener::open(io_, bound, *pipeline_, tcp_limits_, transport_metrics_,
                                      settings_.tcp);
    if (!tcp) {
        (*udp)->close();
        return Unexpected{tcp.error()};
    }
    (*udp)->start();
    (*tcp)->start();
    udp_.push_back(std::move(*udp));
    tcp_.push_back(std::move(*tcp));
    return bound;
}

Result<wire::SocketAddress, TextError> Worker::listen_encrypted(const EncryptedAddress& where,
                                                                const TlsContexts& tls) {
    return encrypted_.listen(io_, where, tls, *pipeline_, tcp_limits_, settings_.encrypted);
}

Status<TextError> Worker::hand_sockets_to(uid_t uid, gid_t gid) {
    for (auto& udp : udp_)
        if (auto handed = udp->hand_to(uid, gid); !handed) return handed;
    for (auto& tcp : tcp_)
        if (auto handed = tcp->hand_to(uid, gid); !handed) return handed;
    return encrypted_.hand_to(uid, gid);
}

void Worker::run() {
    // One worker primes for all: the caches it fills are shared.
    if (index_ == 0) asio::co_spawn(io_, parts_.resolver->warm_up(), asio::detached);
    thread_ = std::thread([this] {
        const std::string name = "cairn-w" + std::to_string(index_);
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        io_.run();
    });
}

void Worker::stop(std::chrono::steady_clock::time_point deadline) {
    asio::post(io_, [this, deadline] {
        // UDP sockets keep reading until the drain ends: on a reload the new
        // service's sockets share their port (SO_REUSEPORT), and the kernel
        // goes on handing these their share of the queries meanwhile.
        for (auto& tcp : tcp_)
            tcp->close();
        encrypted_.close();
        asio::co_spawn(io_, drain(deadline), asio::detached);
    });
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Worker::drain(std::chrono::steady_clock::time_point deadline) {
    asio::steady_timer timer(io_);
    while ((pipeline_->inflight() > 0 || open_tcp_connections() > 0) &&
           std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(kDrainPoll);
        asio::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    for (auto& tcp : tcp_)
        tcp->abort_connections();
    encrypted_.abort_connections();
    for (auto& udp : udp_)
        udp->close();
    io_.stop();
}

size_t Worker::open_tcp_connections() const {
    size_t n = 0;
    for (const auto& tcp : tcp_)
        n += tcp->connection_count();
    return n + encrypted_.connection_count();
}

void Worker::clear_packet_cache() {
    if (!parts_.packet_cache) return;
    run_on_loop([this] { parts_.packet_cache->clear(); });
}

void Worker::set_rpz(std::shared_ptr<const RpzPolicy> policy) {
    run_on_loop([this, policy] {
        pipeline_->set_rpz(policy);
        if (parts_.packet_cache) parts_.packet_cache->clear();
    });
}

void Worker::replace_tls(const TlsContexts& tls) {
    run_on_loop([this, tls] { encrypted_.replace_tls(tls); });
}

void Worker::run_on_loop(const std::function<void()>& job) {
    if (!thread_.joinable()) {
        job();
        return;
    }
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    asio::post(io_, [job, done] {
        job();
        done->set_value();
    });
    // A worker that is stopping may never run the handler; don't hang on it.
    finished.wait_for(std::chrono::seconds(2));
}

void Worker::trace(resolve::ClientQuery query, bool fresh, std::function<void(TraceReport)> done) {
    asio::post(io_, [this, query = std::move(query), fresh, done = std::move(done)]() mutable {
        asio::co_spawn(io_, run_trace(std::move(query), fresh, std::move(done)), asio::detached);
    });
}

asio::awaitable<void> Worker::run_trace(resolve::ClientQuery query, bool fresh,
                                        std::function<void(TraceReport)> done) {
    resolve::Trace trace(fresh);
    TraceReport report;
    report.question = query.question;
    report.fresh = fresh;
    const auto started = std::chrono::steady_clock::now();
    report.answer = co_await parts_.resolver->resolve_traced(std::move(query), trace);
    report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    report.steps = trace.steps();
    report.dropped = trace.dropped();
    done(std::move(report));
}

Stats Worker::stats() const {
    Stats out;
    append_stats(out, metrics_);
    append_stats(out, transport_metrics_);
    encrypted_.append_stats(out);
    if (parts_.resolver_metrics) append_stats(out, *parts_.resolver_metrics);
    append_dns64_stats(out, parts_.dns64_metrics);
    if (parts_.packet_cache) append_packet_cache_stats(out, parts_.packet_cache->figures());
    if (parts_.dnstap) append_dnstap_stats(out, *parts_.dnstap);
    return out;
}

Figures Worker::figures() const {
    Figures out;
    out.stats = stats();
    out.clients = client_figures(metrics_);
    if (parts_.upstream_rtt) out.upstream_rtt = parts_.upstream_rtt->counts();
    return out;
}

}  // namespace cairn::server
