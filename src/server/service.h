// The DNS service of one process: N workers listening on every configured
// address, with connection limits shared between them. Built from one
// configuration; a reload builds a new Service and retires the old one.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "cache/clock.h"
#include "net/tcp_limits.h"
#include "server/server_options.h"
#include "server/stats.h"
#include "server/worker.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::server {

struct ServiceSettings {
    std::vector<wire::SocketAddress> listen;
    unsigned threads = 1;
    WorkerSettings worker;
    uint32_t tcp_max_connections = 1000;
    uint32_t tcp_max_connections_per_client = 32;
    net::ClientPrefixLengths client_prefix;
    // On stop, how long answers in flight may take to go out.
    std::chrono::milliseconds drain_timeout{2'000};
    // DoT, DoH: where, and the certificate (see encrypted_listeners.h).
    EncryptedOptions encrypted;
};

// Settings from the server options: `threads` 0 becomes one per core;
// `edns_buffer_size` is the resolver's (one EDNS size for both directions).
ServiceSettings service_settings(const ServerOptions& options, uint16_t edns_buffer_size);

class Service {
public:
    Service(ServiceSettings settings, WorkerPartsFactory factory, const cache::Clock& clock);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Builds the workers, binds every address in every worker and starts the
    // threads. On failure nothing keeps running.
    Status<TextError> start();
    // The same in two steps, for a daemon that drops privileges in between:
    // bind() builds the workers and binds (no thread runs yet), run() starts
    // the threads.
    Status<TextError> bind();
    void run();
    // Gives the listening sockets to `uid`/`gid`. A socket joining a
    // SO_REUSEPORT group must belong to the same user as the group's first
    // (Linux's guard against port hijacking): sockets bound as root, kept
    // after a switch to another user, would make a reload that binds the
    // same addresses again fail.
    Status<TextError> hand_sockets_to(uid_t uid, gid_t gid);
    // Stops accepting at once, lets answers in flight finish (up to the drain
    // timeout) and joins the threads.
    void stop();

    // Addresses actually bound (ports filled in where 0 was configured).
    const std::vector<wire::SocketAddress>& listening() const { return listening_; }
    const std::vector<EncryptedAddress>& listening_encrypted() const {
        return encrypted_listening_;
    }
    unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }

    // Reads the certificate and key of `options` (the same listeners, the
    // files perhaps renewed or moved) and has every worker use them for new
    // connections; open connections stay, with the certificate they started
    // with. An unusable file changes nothing and says why.
    Status<TextError> reload_certificates(const EncryptedOptions& options);

    // Counters summed over workers; with the distributions.
    Stats stats() const;
    Figures figures() const;
    void clear_packet_caches();
    // The response policy of every worker from now on, and of workers
    // built later (null: none).
    void set_rpz(std::shared_ptr<const RpzPolicy> policy);

    // Runs a traced resolution of `query` (`cairnctl trace`) on one of the
    // workers, taken in turn; see Worker::trace.
    void trace(resolve::ClientQuery query, bool fresh, std::function<void(TraceReport)> done);

private:
    // Loads the certificate and binds the encrypted listeners in every
    // worker (service_encrypted.cc).
    Status<TextError> bind_encrypted();

    ServiceSettings settings_;
    WorkerPartsFactory factory_;
    const cache::Clock& clock_;
    // Declared before the workers: their connections hold slots in it.
    net::TcpConnectionLimits tcp_limits_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<wire::SocketAddress> listening_;
    std::vector<EncryptedAddress> encrypted_listening_;
    // What the encrypted listeners were last given; a renewal keeps its DoQ
    // secrets.
    TlsContexts tls_;
    bool running_ = false;
    unsigned next_trace_worker_ = 0;
    std::shared_ptr<const RpzPolicy> rpz_;
};

}  // namespace cairn::server
