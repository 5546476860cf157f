#include "server/service.h"

#include <thread>

namespace cairn::server {

namespace {

// With port 0 the UDP port is the kernel's choice and TCP must get the same
// one, which may already be taken for TCP: try a few times.
constexpr int kEphemeralPortAttempts = 8;

}  // namespace

ServiceSettings service_settings(const ServerOptions& options, uint16_t edns_buffer_size) {
    ServiceSettings s;
    s.listen = options.listen;
    s.threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    if (s.threads == 0) s.threads = 1;
    s.worker.pipeline.allow = AccessList(options.allow);
    s.worker.pipeline.identity = {options.version_string, options.identity};
    s.worker.pipeline.edns_buffer_size = edns_buffer_size;
    // Each worker enforces its share of the in-flight budgets, lock-free.
    s.worker.pipeline.max_inflight = (options.max_inflight + s.threads - 1) / s.threads;
    s.worker.pipeline.max_inflight_per_client =
        (options.max_inflight_per_client + s.threads - 1) / s.threads;
    s.worker.pipeline.rate_limits = options.rate_limits;
    s.worker.pipeline.client_prefix = options.client_prefix;
    s.worker.pipeline.cookies = {options.cookie_secret.value_or(process_cookie_secret()),
                                 options.cookie_secret_previous};
    s.worker.udp.max_response_size = QueryPipeline::max_udp_answer(edns_buffer_size);
    s.worker.tcp.idle_timeout = options.tcp_idle_timeout;
    s.worker.tcp.max_pipelined = options.tcp_max_pipelined;
    s.worker.tcp.write_queue_bytes = options.tcp_write_queue;
    s.worker.tcp.write_timeout = options.tcp_write_timeout;
    s.tcp_max_connections = options.tcp_max_connections;
    s.tcp_max_connections_per_client = options.tcp_max_connections_per_client;
    s.encrypted = options.encrypted;
    s.worker.encrypted = encrypted_listener_options(options.encrypted, options.tcp_idle_timeout);
    s.client_prefix = options.client_prefix;
    return s;
}

Service::Service(ServiceSettings settings, WorkerPartsFactory factory, const cache::Clock& clock)
    : settings_(std::move(settings)),
      factory_(std::move(factory)),
      clock_(clock),
      tcp_limits_(settings_.tcp_max_connections, settings_.tcp_max_connections_per_client,
                  settings_.client_prefix) {
    // Whatever the settings say, a UDP answer must fit the listener's buffer.
    settings_.worker.udp.max_response_size =
        std::max(settings_.worker.udp.max_response_size,
                 QueryPipeline::max_udp_answer(settings_.worker.pipeline.edns_buffer_size));
}

Service::~Service() {
    stop();
}

Status<TextError> Service::start() {
    auto bound = bind();
    if (bound) run();
    return bound;
}

Status<TextError> Service::bind() {
    if (running_ || !workers_.empty()) return text_error("the service was started already");
    const unsigned n = settings_.threads == 0 ? 1 : settings_.threads;
    for (unsigned i = 0; i < n; ++i)
        workers_.push_back(
            std::make_unique<Worker>(i, settings_.worker, factory_, tcp_limits_, clock_));
    if (rpz_)
        for (auto& worker : workers_)
            worker->set_rpz(rpz_);

    auto give_up = [&](TextError error) {
        workers_.clear();
        listening_.clear();
        return Unexpected{std::move(error)};
    };
    for (const auto& address : settings_.listen) {
        // The first worker settles the port; the others bind the same one.
        auto bound = workers_[0]->listen(address);
        for (int attempt = 1; !bound && address.port == 0 && attempt < kEphemeralPortAttempts;
             ++attempt)
            bound = workers_[0]->listen(address);
        if (!bound) return give_up(bound.error());
        for (unsigned i = 1; i < n; ++i)
            if (auto also = workers_[i]->listen(*bound); !also) return give_up(also.error());
        listening_.push_back(*bound);
    }
    if (auto encrypted = bind_encrypted(); !encrypted) return give_up(encrypted.error());
    return {};
}

void Service::run() {
    if (running_) return;
    for (auto& worker : workers_)
        worker->run();
    running_ = true;
}

Status<TextError> Service::hand_sockets_to(uid_t uid, gid_t gid) {
    for (auto& worker : workers_)
        if (auto handed = worker->hand_sockets_to(uid, gid); !handed) return handed;
    return {};
}

void Service::stop() {
    if (!running_) {
        workers_.clear();
        return;
    }
    running_ = false;
    const auto deadline = std::chrono::steady_clock::now() + settings_.drain_timeout;
    for (auto& worker : workers_)
        worker->stop(deadline);
    for (auto& worker : workers_)
        worker->join();
}

Stats Service::stats() const {
    Stats total;
    for (const auto& worker : workers_)
        add_stats(total, worker->stats());
    return total;
}

Figures Service::figures() const {
    Figures total;
    for (const auto& worker : workers_)
        add_figures(total, worker->figures());
    return total;
}

void Service::trace(resolve::ClientQuery query, bool fresh, std::function<void(TraceReport)> done) {
    if (workers_.empty()) return;
    auto& worker = *workers_[next_trace_worker_++ % workers_.size()];
    worker.trace(std::move(query), fresh, std::move(done));
}

void Service::set_rpz(std::shared_ptr<const RpzPolicy> policy) {
    rpz_ = std::move(policy);
    for (auto& worker : workers_)
        worker->set_rpz(rpz_);
}

void Service::clear_packet_caches() {
    for (auto& worker : workers_)
        worker->clear_packet_cache();
}

}  // namespace cairn::server
