// The running daemon: the DNS service built from the configuration, the
// shared caches, signals and the control socket. Wiring only; what each
// part does lives in its layer.
//
// SIGHUP (and the control command `reload`) rereads the configuration file.
// A file with errors changes nothing: the errors are logged and the running
// configuration stays. A good file is applied whole: a new set of workers is
// built from it and starts listening (SO_REUSEPORT lets old and new sockets
// share the addresses), then the old workers stop accepting, finish the
// answers they owe and exit. So every option takes effect, including listen
// addresses, threads, root hints and resolver settings. The shared caches
// are kept unless a cache option changed, in which case they start empty;
// the per-worker packet caches always start empty. Counters carry over. The
// control socket moves if `control-socket` changed; the metrics endpoints
// follow `metrics-listen` (those still listed stay open); a new log level
// applies at once. `user`, `group` and `chroot` apply at start only. The TLS
// certificate and key are read again too; one that cannot be used fails
// the reload like a bad file, and the old one stays. Connections open at a
// reload (TCP, DoT, DoH) stay with the old workers, which answer what those
// connections already asked and then close them: clients reconnect to the
// new workers and their certificate. dnstap likewise: the new workers write
// through a new connection to the reader, and the old one ends with the old
// workers.
//
// A reload that changes no option but `tls-certificate`, `tls-key` and
// `metrics-listen` (and neither the root hints nor the trust anchors the
// files hold), as when a renewed certificate replaces the old one, rebuilds
// nothing: the workers take the certificate and key, read again, for new
// connections, and every open connection (TCP, DoT, DoH) stays, with its
// TLS session.
//
// Start-up order: bind every listening socket, the control socket and the
// metrics endpoints, hand the DNS sockets and the control socket to `user`,
// chroot (if set), switch to `user` keeping only CAP_NET_BIND_SERVICE, and
// only then start the worker threads, which inherit that reduced set.
// Reloads bind with that capability; what they read (the configuration
// file, root hints, trust anchors) must be readable by `user`, or the
// reload fails and the running configuration stays.
// A service manager that started cairn hears of each step (service_notify.h).
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "anchor_refresher.h"
#include "cache/caches.h"
#include "cache/clock.h"
#include "config/config.h"
#include "net/client_cookie.h"
#include "net/control_listener.h"
#include "net/dnstap_output.h"
#include "net/metrics_listener.h"
#include "net/upstream_metrics.h"
#include "observe/client_address.h"
#include "policy/local_root.h"
#include "privileges.h"
#include "query_log_writer.h"
#include "resolve/root_hints.h"
#include "server/dashboard.h"
#include "server/local_root_updater.h"
#include "server/service.h"
#include "server/stats.h"
#include "service_notify.h"

namespace cairn::daemon {

class Daemon {
public:
    // `config_path` empty: built-in defaults, and nothing to reload.
    Daemon(std::string config_path, config::Config config, resolve::RootHints hints);
    ~Daemon();

    // Starts listening; false (after logging why) if that failed.
    bool start();
    // Serves until SIGTERM, SIGINT or the `stop` command; then stops
    // gracefully. Returns the exit status.
    int run();

private:
    std::unique_ptr<server::Service> make_service(const config::Config& config,
                                                  const resolve::RootHints& hints,
                                                  std::shared_ptr<cache::Caches> caches,
                                                  std::shared_ptr<net::DnstapOutput> dnstap);
    // reload(), with the service manager told before and after.
    std::string notified_reload();
    // Empty on success, else why nothing changed.
    std::string reload();
    // The part of a reload when only the certificate files may have changed.
    std::string reload_certificates(config::Config loaded);
    // What `cairnctl stats` and /metrics show: the workers' figures (the
    // retired ones' counters included), caches, upstream, process.
    server::Figures figures() const;
    server::Stats stats() const;
    // Keeps a metrics listener on each of `addresses` (those open already
    // stay) and closes the others; false (after logging why) if one could
    // not be opened.
    bool listen_for_metrics(const std::vector<wire::SocketAddress>& addresses);
    // What the dashboard on `metrics-listen` reads and runs.
    server::DashboardSources dashboard_sources();
    // The control commands (daemon_commands.cc).
    net::ControlReply on_command(std::string_view command);
    net::ControlReply flush_command(std::span<const std::string_view> args);
    void flush();
    // Removes what `which` selects from the shared caches, and empties the
    // packet caches; says what went.
    std::string flush_selected(const cache::CacheSelection& which);
    std::string status() const;
    net::ControlReply cache_command(std::span<const std::string_view> args);
    net::ControlReply trace_command(std::span<const std::string_view> args);
    bool open_control_socket(const std::string& path);
    // RFC 5011 tracking of the root trust anchor (daemon_anchors.cc).
    // Before the service is built: the tracked anchor replaces the
    // configured one.
    bool start_anchor_tracking();
    // After privileges are dropped: the state file is written (so a
    // directory `user` cannot write shows at once), the checks begin.
    bool begin_anchor_refreshes();
    void schedule_anchor_check(std::chrono::seconds delay);
    // Asks the root's DNSKEY RRset on a worker; `reply`, if any, gets the
    // state once the answer is applied.
    void refresh_anchor(std::optional<net::LateReply> reply);
    void on_anchor_answer(const resolve::Answer& answer, std::optional<net::LateReply> reply);
    // RFC 8145 §5.1: the "_ta-" query, asked afresh so that the root sees it.
    void signal_trusted_keys();
    // New workers with the tracked anchor, as a reload builds them.
    void apply_tracked_anchors();
    net::ControlReply trust_anchors_command(std::span<const std::string_view> args);
    // Chroot and user switch, between binding and starting the threads.
    bool drop_privileges();
    void wait_for_signal();
    void request_stop();
    void log_listening() const;
    // (Re)starts the local root updater for config_, without a copy.
    void start_local_root();

    asio::io_context io_;  // the main thread's: signals and control
    asio::signal_set signals_;
    ServiceNotifier notifier_{io_};
    std::string config_path_;
    config::Config config_;
    resolve::RootHints hints_;
    cache::SystemClock clock_;
    std::shared_ptr<cache::Caches> caches_;
    // Shared by every worker's upstream transport, across reloads; declared
    // before the service, whose transports count into it. The same client
    // cookie secret across reloads keeps the server cookies learnt valid.
    net::UpstreamMetrics upstream_metrics_;
    const net::CookieSecret cookie_secret_ = net::random_cookie_secret();
    // Keys of client-address-privacy's hash form; kept across reloads, so
    // that an address keeps its token through the day.
    const observe::AddressSecret address_secret_ = observe::random_address_secret();
    QueryLogWriter query_log_;
    // The running service's dnstap writer (null: none); the service's
    // workers hold it too, and it goes with the last of them.
    std::shared_ptr<net::DnstapOutput> dnstap_;
    // The local root copy (RFC 8806): the workers ask it when `local-root`
    // is on; the updater keeps it current on io_. Kept across reloads; a
    // reload that changes the local-root options or the trust anchors
    // starts over without a copy.
    std::shared_ptr<policy::LocalRoot> local_root_ = std::make_shared<policy::LocalRoot>();
    std::unique_ptr<server::LocalRootUpdater> local_root_updater_;
    std::unique_ptr<server::Service> service_;
    // Null when the root anchor is not tracked (trust-anchor-tracking).
    std::unique_ptr<AnchorRefresher> anchor_refresher_;
    asio::steady_timer anchor_timer_{io_};
    uint64_t anchor_signals_ = 0;
    std::shared_ptr<net::ControlListener> control_;
    // By configured address (`metrics-listen`).
    std::map<wire::SocketAddress, std::shared_ptr<net::MetricsListener>> metrics_;
    // Every metrics listener's paths but /metrics.
    server::Dashboard dashboard_{dashboard_sources()};
    // The user the daemon switches to (and hands its sockets to), if any.
    std::optional<RunAs> run_as_;
    // As applied at start (a reload does not change them).
    std::string user_, group_, chroot_;
    // Counters of the workers that reloads replaced.
    server::Figures retired_;
    uint64_t reloads_ = 0;
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// Logs `config`'s log level (error, warn, info, debug) to spdlog.
void apply_log_level(const std::string& level);

// The dnstap writer `config` asks for, with a queue for each of `workers`;
// null when dnstap is off.
Result<std::shared_ptr<net::DnstapOutput>, TextError> open_dnstap(const config::Config& config,
                                                                  unsigned workers);

// Root hints from the configured file, or the built-in ones.
Result<resolve::RootHints, TextError> load_root_hints(const resolve::ResolverOptions& options);
// Fills `options.dnssec.anchors` from the trust-anchor files, or with the
// built-in root anchors when none are given. A file without a usable anchor
// is an error (see trust_anchor_check.h); returns the warnings to log.
Result<std::vector<std::string>, TextError> load_trust_anchors(resolve::ResolverOptions& options);

}  // namespace cairn::daemon
