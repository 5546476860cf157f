#include "daemon.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <map>

#include "config/config_diff.h"
#include "net/upstream_transport.h"
#include "policy/dns64.h"
#include "policy/local_zones.h"
#include "resolve/recursive_resolver.h"
#include "server/dns64_resolver.h"
#include "server/metrics_page.h"
#include "server/servers_json.h"
#include "server/trace_report.h"
#include "server/worker_packet_cache.h"
#include "trust_anchor_check.h"

namespace cairn::daemon {

namespace {

bool same_anchors(const dnssec::TrustAnchors& x, const dnssec::TrustAnchors& y) {
    return std::equal(x.all().begin(), x.all().end(), y.all().begin(), y.all().end(),
                      [](const dnssec::TrustAnchor& p, const dnssec::TrustAnchor& q) {
                          return p.zone == q.zone && p.ds == q.ds && p.dnskeys == q.dnskeys;
                      });
}

// Field by field: cache::CacheOptions has no operator==.
// Whether cached validation results stay right under the new settings.
bool same_validation(const resolve::DnssecOptions& a, const resolve::DnssecOptions& b) {
    return a.enabled == b.enabled && a.negative_trust_anchors == b.negative_trust_anchors &&
           a.limits.max_nsec3_iterations == b.limits.max_nsec3_iterations &&
           a.bogus_ttl == b.bogus_ttl && same_anchors(a.anchors, b.anchors);
}

// Options the running service takes without being rebuilt: the certificate
// and key are read again and given to the listeners; the metrics endpoint
// is the daemon's, not the service's.
// The policy zones too: RpzFeeds takes their new configuration as it is.
constexpr std::array<std::string_view, 5> kInPlaceOptions = {
    "tls-certificate", "tls-key", "metrics-listen", "rpz", "rpz-break-dnssec"};

// Whether `loaded` (with `loaded_hints`) differs from the running
// configuration in nothing but what the service takes in place.
bool service_can_stay(const config::Config& running, const resolve::RootHints& running_hints,
                      const config::Config& loaded, const resolve::RootHints& loaded_hints) {
    for (const std::string_view key : config::changed_options(running, loaded))
        if (std::find(kInPlaceOptions.begin(), kInPlaceOptions.end(), key) == kInPlaceOptions.end())
            return false;
    return running_hints.ns == loaded_hints.ns &&
           running_hints.addresses == loaded_hints.addresses &&
           same_anchors(running.resolver.dnssec.anchors, loaded.resolver.dnssec.anchors);
}

constexpr std::string_view kVersion = "cairn 0.1.0";

observe::AddressPolicy address_policy(const config::Config& config,
                                      const observe::AddressSecret& secret) {
    observe::AddressPolicy policy;
    // The option table admits only the words address_privacy_from knows.
    policy.privacy = observe::address_privacy_from(config.client_address_privacy)
                         .value_or(observe::AddressPrivacy::kPrefix);
    policy.secret = secret;
    return policy;
}

std::string host_name() {
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) return {};
    return name.data();
}

observe::DnstapOrigin dnstap_origin(const observe::DnstapOptions& options) {
    return {options.identity.empty() ? host_name() : options.identity,
            options.version.empty() ? std::string(kVersion) : options.version};
}

std::string describe_selection(const observe::DnstapSelection& selection) {
    std::string out;
    for (const auto& [on, name] : {std::pair{selection.client_queries, "client queries"},
                                   std::pair{selection.client_responses, "client responses"},
                                   std::pair{selection.resolver_queries, "resolver queries"},
                                   std::pair{selection.resolver_responses, "resolver responses"}})
        if (on) out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

}  // namespace

Result<std::shared_ptr<net::DnstapOutput>, TextError> open_dnstap(const config::Config& config,
                                                                  unsigned workers) {
    const auto& options = config.dnstap;
    if (!options.enabled()) return std::shared_ptr<net::DnstapOutput>{};
    net::DnstapOutputSettings settings;
    settings.socket = options.socket;
    settings.address = options.address;
    settings.queues = workers;
    settings.queue_size = options.queue_size;
    auto output = net::DnstapOutput::open(settings);
    if (!output) return Unexpected{output.error()};
    spdlog::info("dnstap: {} to {}", describe_selection(options.selection), (*output)->target());
    return std::shared_ptr<net::DnstapOutput>(std::move(*output));
}

policy::RpzOptions rpz_after_chroot(policy::RpzOptions options, const std::string& chroot) {
    for (auto& zone : options.zones)
        if (!zone.file.empty()) zone.file = path_after_chroot(zone.file, chroot);
    return options;
}

void apply_log_level(const std::string& level) {
    if (level == "error")
        spdlog::set_level(spdlog::level::err);
    else if (level == "warn")
        spdlog::set_level(spdlog::level::warn);
    else if (level == "debug")
        spdlog::set_level(spdlog::level::debug);
    else
        spdlog::set_level(spdlog::level::info);
}

Result<resolve::RootHints, TextError> load_root_hints(const resolve::ResolverOptions& options) {
    if (options.root_hints_file.empty()) return resolve::RootHints::builtin();
    return resolve::RootHints::from_file(options.root_hints_file);
}

Result<std::vector<std::string>, TextError> load_trust_anchors(resolve::ResolverOptions& options) {
    auto& settings = options.dnssec;
    if (settings.trust_anchor_files.empty()) {
        settings.anchors = dnssec::TrustAnchors::builtin();
        return std::vector<std::string>{};
    }
    auto checked = load_checked_anchors(settings.trust_anchor_files);
    if (!checked) return Unexpected{checked.error()};
    settings.anchors = std::move(checked->anchors);
    return std::move(checked->warnings);
}

Daemon::Daemon(std::string config_path, config::Config config, resolve::RootHints hints)
    : signals_(io_, SIGINT, SIGTERM, SIGHUP),
      config_path_(std::move(config_path)),
      config_(std::move(config)),
      hints_(std::move(hints)),
      caches_(std::make_shared<cache::Caches>(config_.cache, clock_)) {}

Daemon::~Daemon() {
    if (control_) control_->close();
    listen_for_metrics({});
    if (service_) service_->stop();
}

std::unique_ptr<server::Service> Daemon::make_service(const config::Config& config,
                                                      const resolve::RootHints& hints,
                                                      std::shared_ptr<cache::Caches> caches,
                                                      std::shared_ptr<net::DnstapOutput> dnstap) {
    auto settings = server::service_settings(config.server, config.resolver.edns_buffer_size);
    const unsigned workers = settings.threads;
    const size_t packet_bytes = cache::packet_cache_bytes(config.cache, workers);
    const cache::Clock& clock = clock_;
    const auto addresses = address_policy(config, address_secret_);
    settings.worker.pipeline.client_addresses = addresses;
    settings.worker.pipeline.query_log = config.log_queries ? &query_log_ : nullptr;
    settings.worker.pipeline.rrsets = &caches->rrsets;
    // The configuration was checked when it was read (a rule builds them).
    // The DNS64 prefix's reverse names are answered by synthesis, not by a
    // built-in empty zone that may cover them.
    auto local_policy = config.policy;
    if (config.dns64.enabled && config.dns64.synthesise_ptr)
        local_policy.local_zones.push_back(
            {policy::Dns64::reverse_zone(config.dns64.prefix), "transparent"});
    if (auto local = policy::LocalZones::build(local_policy))
        settings.worker.pipeline.local_zones = *local;
    else
        spdlog::error("local zones: {}; none in use", local.error());
    // Copies: the factory runs on each worker thread while the daemon may be
    // reloading into new values.
    const net::UpstreamSettings upstream_settings{config.resolver.outgoing_addresses,
                                                  config.upstream, cookie_secret_,
                                                  config.forwarding.tls_ca_file};
    const observe::DnstapSettings dnstap_settings{config.dnstap.selection,
                                                  dnstap_origin(config.dnstap), addresses};
    auto resolver_options = config.resolver;
    resolver_options.forward_zones =
        std::make_shared<const policy::ForwardZones>(config.forwarding);
    auto local_root = config.local_root.enabled ? local_root_ : nullptr;
    auto upstream_joins = std::make_shared<resolve::UpstreamJoins>();
    auto factory = [resolver_options, upstream_settings, hints, caches, packet_bytes, &clock,
                    upstream_joins, &upstream_metrics = upstream_metrics_, dnstap, dnstap_settings,
                    local_root, dns64 = config.dns64](asio::io_context& io, unsigned worker) {
        server::WorkerParts parts;
        if (dnstap)
            parts.dnstap =
                std::make_unique<observe::DnstapRecorder>(dnstap_settings, dnstap->queue(worker));
        auto upstream = std::make_unique<net::UpstreamTransport>(
            io, caches->infra, upstream_metrics, upstream_settings, parts.dnstap.get());
        auto resolver = std::make_unique<resolve::RecursiveResolver>(resolver_options, hints,
                                                                     *caches, *upstream, clock);
        resolver->share_upstream_joins(upstream_joins);
        if (local_root) resolver->use_local_root(*local_root);
        parts.resolver_metrics = &resolver->metrics();
        parts.upstream_rtt = &upstream->rtt_histogram();
        parts.upstream = std::move(upstream);
        parts.resolver = std::move(resolver);
        if (dns64.enabled) {
            auto synthesiser = std::make_unique<server::Dns64Resolver>(std::move(parts.resolver),
                                                                       policy::Dns64(dns64));
            parts.dns64_metrics = &synthesiser->metrics();
            parts.resolver = std::move(synthesiser);
        }
        parts.packet_cache = std::make_unique<server::WorkerPacketCache>(packet_bytes);
        return parts;
    };
    return std::make_unique<server::Service>(std::move(settings), std::move(factory), clock_);
}

bool Daemon::start() {
    auto run_as = look_up_run_as(config_.user, config_.group);
    if (!run_as) {
        spdlog::error("{}", run_as.error().message);
        return false;
    }
    run_as_ = *run_as;
    user_ = config_.user;
    group_ = config_.group;
    chroot_ = config_.chroot;
    const unsigned workers = server::service_settings(config_.server, 0).threads;
    auto dnstap = open_dnstap(config_, workers);
    if (!dnstap) {
        spdlog::error("{}", dnstap.error().message);
        return false;
    }
    if (!start_anchor_tracking()) return false;
    rpz_feeds_.configure(config_.rpz);
    auto service = make_service(config_, hints_, caches_, *dnstap);
    service->set_rpz(rpz_feeds_.current());
    if (auto bound = service->bind(); !bound) {
        spdlog::error("{}", bound.error().message);
        return false;
    }
    service_ = std::move(service);
    dnstap_ = std::move(*dnstap);
    if (!config_.control_socket.empty() && !open_control_socket(config_.control_socket))
        return false;
    if (const auto warning = notify_socket_warning(chroot_); !warning.empty())
        spdlog::warn("{}", warning);
    if (!listen_for_metrics(config_.metrics_listen)) return false;
    if (!drop_privileges()) return false;
    service_->run();
    start_local_root();
    if (!begin_anchor_refreshes()) return false;
    spdlog::info("cairn 0.1.0 started: {} worker thread{}, configuration {}",
                 service_->worker_count(), service_->worker_count() == 1 ? "" : "s",
                 config_path_.empty() ? "built in" : config_path_);
    log_listening();
    notifier_.ready(serving_status(*service_));
    return true;
}

bool Daemon::drop_privileges() {
    if (run_as_ && needs_switch(*run_as_)) {
        if (auto handed = service_->hand_sockets_to(run_as_->uid, run_as_->gid); !handed) {
            spdlog::error("{}", handed.error().message);
            return false;
        }
    }
    if (auto dropped = daemon::drop_privileges(run_as_, chroot_); !dropped) {
        spdlog::error("{}", dropped.error().message);
        return false;
    }
    if (!chroot_.empty()) {
        config_path_ = path_after_chroot(config_path_, chroot_);
        spdlog::info("confined to {}; reloads read {}", chroot_, config_path_);
    }
    if (run_as_)
        spdlog::info("running as user {} (uid {}, gid {}) with CAP_NET_BIND_SERVICE only",
                     run_as_->user, run_as_->uid, run_as_->gid);
    else if (::geteuid() == 0)
        spdlog::warn(
            "running as root: set `user` so that cairn drops its privileges once its "
            "sockets are bound");
    return true;
}

void Daemon::log_listening() const {
    for (const auto& address : service_->listening())
        spdlog::info("listening on {} (udp, tcp)", address.to_string());
    for (const auto& where : service_->listening_encrypted())
        spdlog::info("listening on {} ({})", where.address.to_string(),
                     net::protocol_name(where.protocol));
}

int Daemon::run() {
    wait_for_signal();
    io_.run();
    notifier_.stopping();
    spdlog::info("stopping: answering what is in flight");
    if (control_) control_->close();
    listen_for_metrics({});
    service_->stop();
    spdlog::info("stopped");
    return 0;
}

void Daemon::wait_for_signal() {
    signals_.async_wait([this](const asio::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
            spdlog::info("SIGHUP: reloading {}", config_path_);
            notified_reload();
            wait_for_signal();
            return;
        }
        spdlog::info("signal {}: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        request_stop();
    });
}

void Daemon::request_stop() {
    asio::error_code ignored;
    signals_.cancel(ignored);
    io_.stop();
}

bool Daemon::open_control_socket(const std::string& path) {
    std::optional<net::FileOwner> owner;
    if (run_as_) owner = net::FileOwner{run_as_->uid, run_as_->gid};
    auto control = net::ControlListener::open(
        io_, path, [this](std::string_view command) { return on_command(command); }, owner);
    if (!control) {
        spdlog::error("{}", control.error().message);
        return false;
    }
    if (control_) control_->close();
    control_ = std::move(*control);
    control_->start();
    spdlog::info("control socket {}", path);
    return true;
}

std::string Daemon::notified_reload() {
    notifier_.reloading();
    const auto error = reload();
    notifier_.reloaded(error, serving_status(*service_));
    return error;
}

std::string Daemon::reload() {
    if (config_path_.empty()) {
        const std::string why = "no configuration file to reload (started with built-in defaults)";
        spdlog::warn("reload: {}", why);
        return why;
    }
    auto loaded = config::load_config_file(config_path_);
    if (!loaded) {
        for (const auto& problem : loaded.error().problems)
            spdlog::error("reload: {}", problem.to_string());
        spdlog::error("reload: configuration unchanged");
        return loaded.error().to_string();
    }
    auto hints = load_root_hints(loaded->resolver);
    if (!hints) {
        spdlog::error("reload: {}; configuration unchanged", hints.error().message);
        return hints.error().message;
    }
    auto anchors = load_trust_anchors(loaded->resolver);
    if (!anchors) {
        spdlog::error("reload: {}; configuration unchanged", anchors.error().message);
        return anchors.error().message;
    }
    for (const auto& warning : *anchors)
        spdlog::warn("reload: {}", warning);
    if (anchor_refresher_)
        loaded->resolver.dnssec.anchors =
            anchor_refresher_->with_tracked(loaded->resolver.dnssec.anchors);
    if (loaded->anchor_tracking != config_.anchor_tracking)
        spdlog::warn(
            "reload: trust-anchor-tracking and trust-anchor-state take effect at the next start");
    if (loaded->log_file != config_.log_file)
        spdlog::warn("reload: log-file takes effect at the next start; unchanged");
    if (service_can_stay(config_, hints_, *loaded, *hints))
        return reload_certificates(std::move(*loaded));
    if (loaded->user != user_ || loaded->group != group_ || loaded->chroot != chroot_)
        spdlog::warn("reload: user, group and chroot take effect at start only; unchanged");
    const bool keep_caches = config_.cache == loaded->cache &&
                             same_validation(config_.resolver.dnssec, loaded->resolver.dnssec);
    auto caches = keep_caches ? caches_ : std::make_shared<cache::Caches>(loaded->cache, clock_);
    auto dnstap = open_dnstap(*loaded, server::service_settings(loaded->server, 0).threads);
    if (!dnstap) {
        spdlog::error("reload: {}; configuration unchanged", dnstap.error().message);
        return dnstap.error().message;
    }
    auto service = make_service(*loaded, *hints, caches, *dnstap);
    service->set_rpz(rpz_feeds_.current());
    if (auto started = service->start(); !started) {
        spdlog::error("reload: {}; configuration unchanged", started.error().message);
        return started.error().message;
    }
    // The new workers answer from here on; the old ones finish and go.
    service_->stop();
    server::add_figures(retired_, server::counters_of(service_->figures()));
    service_ = std::move(service);
    dnstap_ = std::move(*dnstap);
    caches_ = std::move(caches);
    hints_ = std::move(*hints);
    const bool local_root_changed =
        config_.local_root != loaded->local_root ||
        !same_anchors(config_.resolver.dnssec.anchors, loaded->resolver.dnssec.anchors);
    const bool control_moved = loaded->control_socket != config_.control_socket;
    config_ = std::move(*loaded);
    rpz_feeds_.configure(rpz_after_chroot(config_.rpz, chroot_));
    apply_log_level(config_.log_level);
    listen_for_metrics(config_.metrics_listen);
    if (local_root_changed) start_local_root();
    ++reloads_;
    spdlog::info("configuration reloaded from {}: {} worker thread{}{}", config_path_,
                 service_->worker_count(), service_->worker_count() == 1 ? "" : "s",
                 keep_caches ? "" : ", caches emptied (cache options changed)");
    log_listening();
    if (control_moved) {
        if (config_.control_socket.empty()) {
            if (control_) control_->close();
            control_.reset();
        } else {
            open_control_socket(path_after_chroot(config_.control_socket, chroot_));
        }
    }
    return {};
}

std::string Daemon::reload_certificates(config::Config loaded) {
    if (auto reloaded = service_->reload_certificates(loaded.server.encrypted); !reloaded) {
        spdlog::error("reload: {}; configuration unchanged", reloaded.error().message);
        return reloaded.error().message;
    }
    config_ = std::move(loaded);
    rpz_feeds_.configure(rpz_after_chroot(config_.rpz, chroot_));
    listen_for_metrics(config_.metrics_listen);
    ++reloads_;
    spdlog::info(
        "configuration reloaded from {}: nothing to rebuild{}; open connections kept", config_path_,
        service_->listening_encrypted().empty() ? "" : ", TLS certificate and key read again");
    return {};
}

server::Figures Daemon::figures() const {
    server::Figures all = service_->figures();
    server::add_figures(all, retired_);
    server::append_stats(all.stats, *caches_);
    rpz_feeds_.append_stats(all.stats);
    net::for_each_counter(
        upstream_metrics_, [&](std::string_view name, uint64_t value, std::string_view help) {
            all.stats.push_back({"upstream." + std::string(name), value, false, help});
        });
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started_);
    if (dnstap_)
        all.stats.push_back({"dnstap.connected", dnstap_->connected() ? 1u : 0u, true,
                             "1 while a dnstap reader is connected."});
    if (config_.local_root.enabled)
        server::append_local_root_stats(all.stats, *local_root_, clock_.now());
    if (anchor_refresher_) {
        anchor_refresher_->append_stats(all.stats, clock_.now());
        all.stats.push_back({"trust_anchor.signals", anchor_signals_, false,
                             "Key tag signals (RFC 8145 _ta- queries) sent to the root."});
    }
    all.stats.push_back({"process.uptime_seconds", static_cast<uint64_t>(uptime.count()), true,
                         "Seconds since cairn started."});
    all.stats.push_back({"process.reloads", reloads_, false, "Configuration reloads applied."});
    all.stats.push_back(
        {"process.workers", service_->worker_count(), true, "Worker threads running."});
    return all;
}

void Daemon::start_local_root() {
    local_root_updater_.reset();
    local_root_->drop();
    if (!config_.local_root.enabled) return;
    local_root_updater_ = std::make_unique<server::LocalRootUpdater>(
        io_, local_root_, config_.local_root, config_.resolver.dnssec.anchors, clock_);
    local_root_updater_->start();
}

server::Stats Daemon::stats() const {
    return figures().stats;
}

bool Daemon::listen_for_metrics(const std::vector<wire::SocketAddress>& addresses) {
    std::map<wire::SocketAddress, std::shared_ptr<net::MetricsListener>> wanted;
    bool all_open = true;
    for (const auto& address : addresses) {
        if (auto open = metrics_.find(address); open != metrics_.end()) {
            wanted.emplace(address, open->second);
            continue;
        }
        auto listener = net::MetricsListener::open(
            io_, address, [this] { return server::metrics_page(figures()); }, {},
            [this](const net::HttpRequest& request) { return dashboard_.answer(request); });
        if (!listener) {
            spdlog::error("{}", listener.error().message);
            all_open = false;
            continue;
        }
        (*listener)->start();
        spdlog::info("metrics on http://{0}/metrics, dashboard on http://{0}/",
                     (*listener)->local_address().to_string());
        wanted.emplace(address, std::move(*listener));
    }
    for (auto& [address, listener] : metrics_)
        if (!wanted.contains(address)) listener->close();
    metrics_ = std::move(wanted);
    return all_open;
}

server::DashboardSources Daemon::dashboard_sources() {
    // The dashboard lists this many servers, fastest first.
    constexpr size_t kServersShown = 50;
    return {
        [this] { return server::servers_json(caches_->infra.servers(), kServersShown); },
        [this](resolve::ClientQuery query, std::function<void(std::string)> done) {
            service_->trace(query, false, [done = std::move(done)](server::TraceReport report) {
                done(server::trace_json(report));
            });
        },
    };
}

}  // namespace cairn::daemon
