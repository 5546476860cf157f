// The configuration of one cairn process: one YAML file read once at start-up
// into one immutable value (DESIGN.md "Configuration"). Every option is
// declared once, in options_table.cc; the reader, its errors and
// docs/configuration.md all come from that table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cache/cache_options.h"
#include "net/upstream_options.h"
#include "observe/dnstap_options.h"
#include "policy/anchor_tracking_options.h"
#include "policy/dns64_options.h"
#include "policy/forward_zones_options.h"
#include "policy/local_root_options.h"
#include "policy/policy_options.h"
#include "policy/rpz_options.h"
#include "resolve/resolver_options.h"
#include "server/server_options.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::config {

struct Config {
    server::ServerOptions server;
    resolve::ResolverOptions resolver;
    net::UpstreamOptions upstream;
    cache::CacheOptions cache;
    policy::Dns64Options dns64;
    policy::LocalRootOptions local_root;
    policy::PolicyOptions policy;
    policy::ForwardingOptions forwarding;
    // Unix socket on which cairn takes cairnctl's commands; empty: none. Off by
    // default so that an empty file works without a writable /run directory.
    std::string control_socket;
    // Where GET /metrics serves the Prometheus page; empty: nowhere.
    std::vector<wire::SocketAddress> metrics_listen;
    // error, warn, info or debug.
    std::string log_level = "info";
    // File the log is appended to; empty: standard error. Read at start only.
    std::string log_file;
    // A line per client query in the log (observe/query_log.h).
    bool log_queries = false;
    // How client addresses appear in the query log, dnstap and the logs:
    // full, prefix or hash (observe/client_address.h).
    std::string client_address_privacy = "prefix";
    observe::DnstapOptions dnstap;
    // Response policy zones (policy/rpz.h).
    policy::RpzOptions rpz;
    // Who the daemon becomes once its sockets are bound; empty user: stay as
    // started. Empty group: the user's primary group. Read at start only.
    std::string user;
    std::string group;
    // Directory the daemon confines itself to before switching user; empty:
    // none.
    std::string chroot;
    // RFC 5011 tracking of the root trust anchor, RFC 8145 signalling.
    policy::AnchorTrackingOptions anchor_tracking;
};

// One thing wrong with a configuration, located for the operator.
struct ConfigProblem {
    std::string source;  // the file name, or the name given to load_config_text
                         // ("<configuration>" if that was empty)
    unsigned line = 0;   // 1-based; 0 when no single line is to blame
    std::string key;     // the option concerned; empty for the file as a whole
    std::string message;

    // "cairn.yaml:7: cache-size: '12q' is not a size (...)".
    std::string to_string() const;
};

// Why a configuration was refused: every problem found, in file order, so an
// operator can fix them all in one go. Never empty.
struct ConfigError {
    std::vector<ConfigProblem> problems;

    // One problem per line, without a trailing newline.
    std::string to_string() const;
};

// Reads and checks a configuration file. Relative file paths in it are taken
// relative to the directory of `path`.
Result<Config, ConfigError> load_config_file(const std::string& path);

// The same for text in memory; `source_name` stands for the file name in
// errors, and relative file paths stay relative to the working directory.
Result<Config, ConfigError> load_config_text(std::string_view yaml, std::string_view source_name);

}  // namespace cairn::config
