// Reading configuration files: defaults, every option type through YAML,
// errors with file, line and option, cross-option rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "config/config.h"
#include "config/config_doc.h"
#include "config/options_table.h"

namespace cairn::config {
namespace {

using std::chrono::milliseconds;

Result<Config, ConfigError> load(std::string_view yaml) {
    return load_config_text(yaml, "cairn.yaml");
}

// The error text of a configuration that must fail.
std::string error_of(std::string_view yaml) {
    auto loaded = load(yaml);
    if (loaded) return "(loaded without error)";
    return loaded.error().to_string();
}

// A scratch directory removed at the end of the test.
class TempDir {
public:
    TempDir() {
        char name[] = "/tmp/cairn-config-XXXXXX";
        path_ = ::mkdtemp(name);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }
    std::string write(const std::string& name, std::string_view text) const {
        const auto file = path_ / name;
        std::ofstream(file) << text;
        return file.string();
    }

private:
    std::filesystem::path path_;
};

void expect_defaults(const Config& config) {
    const Config defaults;
    EXPECT_EQ(config.server.listen, defaults.server.listen);
    EXPECT_EQ(config.server.allow, defaults.server.allow);
    EXPECT_EQ(config.server.threads, defaults.server.threads);
    EXPECT_EQ(config.resolver.upstream_deny, defaults.resolver.upstream_deny);
    EXPECT_EQ(config.resolver.edns_buffer_size, defaults.resolver.edns_buffer_size);
    EXPECT_EQ(config.resolver.limits.resolution_timeout,
              defaults.resolver.limits.resolution_timeout);
    EXPECT_EQ(config.cache.max_bytes, defaults.cache.max_bytes);
    EXPECT_EQ(config.control_socket, defaults.control_socket);
    EXPECT_TRUE(config.metrics_listen.empty()) << "no metrics endpoint unless asked for";
    EXPECT_EQ(config.log_level, defaults.log_level);
    for (const Option& entry : options())
        EXPECT_EQ(entry.show(config), entry.show(defaults)) << entry.key;
}

TEST(ConfigLoad, EmptyFileGivesDefaults) {
    for (auto text : {"", "\n", "# nothing but a comment\n", "{}", "---\n", "~\n"}) {
        auto loaded = load(text);
        ASSERT_TRUE(loaded) << text << ": " << loaded.error().to_string();
        expect_defaults(*loaded);
    }
}

TEST(ConfigLoad, DefaultsAreTheLayersOwn) {
    // The table shows what the options structs default to; spot-check that
    // nothing in config overrides them.
    const Config defaults;
    EXPECT_EQ(defaults.server.listen.size(), 2u);
    EXPECT_EQ(defaults.server.tcp_idle_timeout, server::ServerOptions{}.tcp_idle_timeout);
    EXPECT_EQ(defaults.resolver.initial_timeout, resolve::ResolverOptions{}.initial_timeout);
    EXPECT_EQ(defaults.cache.max_ttl, cache::CacheOptions{}.max_ttl);
    EXPECT_EQ(find_option("listen")->show(defaults), "[\"127.0.0.1:53\", \"[::1]:53\"]");
    EXPECT_EQ(find_option("allow")->show(defaults), "[127.0.0.0/8, \"::1/128\"]");
    EXPECT_EQ(find_option("cache-size")->show(defaults), "256m");
    EXPECT_EQ(find_option("cache-max-ttl")->show(defaults), "1d");
    EXPECT_EQ(find_option("tcp-idle-timeout")->show(defaults), "10s");
    EXPECT_EQ(find_option("upstream-initial-timeout")->show(defaults), "800ms");
    EXPECT_EQ(find_option("version-string")->show(defaults), "\"\"");
    EXPECT_EQ(find_option("log-level")->show(defaults), "info");
}

TEST(ConfigLoad, EveryDefaultIsWithinItsOwnRange) {
    // Writing each default back reads it again unchanged: no default is out
    // of range, and show() and the reader agree.
    const Config defaults;
    for (const Option& entry : options()) {
        const std::string yaml = std::string(entry.key) + ": " + entry.show(defaults) + "\n";
        auto loaded = load(yaml);
        ASSERT_TRUE(loaded) << yaml << loaded.error().to_string();
        EXPECT_EQ(entry.show(*loaded), entry.show(defaults)) << entry.key;
    }
}

TEST(ConfigLoad, TableIsWellFormed) {
    std::set<std::string_view> names;
    for (const Option& entry : options()) {
        EXPECT_TRUE(names.insert(entry.key).second) << "twice: " << entry.key;
        for (std::string_view other : entry.other_names)
            EXPECT_TRUE(names.insert(other).second) << "twice: " << other;
        EXPECT_FALSE(entry.help.empty()) << entry.key;
        EXPECT_FALSE(entry.type.empty()) << entry.key;
        EXPECT_EQ(find_option(entry.key), &entry);
    }
    for (const Rule& rule : rules())
        for (std::string_view key : rule.keys)
            EXPECT_TRUE(find_option(key)) << key;
    EXPECT_FALSE(find_option("no-such-option"));
}

TEST(ConfigLoad, EveryTypeThroughYaml) {
    auto loaded = load(R"(
listen:
  - 192.0.2.53
  - "[2001:db8::53]:5353"
threads: 3
allow: [192.0.2.0/24, "2001:db8::/32"]
tcp-idle-timeout: 2500ms
tcp-max-connections: 500
tcp-max-connections-per-client: 5
tcp-max-pipelined: 16
tcp-write-queue: 32k
tcp-write-timeout: 3s
max-inflight: 5000
max-inflight-per-client: 50
version-string: "cairn 1.0: fine"
identity: ns1.example
client-prefix-ipv4: 28
client-prefix-ipv6: 48
rate-limit-answers: 20
rate-limit-nxdomains: 7
rate-limit-errors: 0
rate-limit-slip: 3
rate-limit-table-size: 1024
cookie-secret: e5e973e5a6b2a43f48e7dc849e37bfcf
cookie-secret-previous: "445536bcd2513298075a5d379663c962"
qname-minimisation: off
upstream-ipv4: yes
upstream-ipv6: no
upstream-deny: []
outgoing-address: 192.0.2.1
edns-buffer-size: 1400
upstream-initial-timeout: 1s
max-upstream-queries: 100
max-referral-depth: 20
max-cname-chain: 8
max-glueless-ns: 4
max-ns-addresses: 10
resolution-timeout: 1m
cache-size: 1g
cache-max-ttl: 2d
cache-min-ttl: 30
cache-max-negative-ttl: 15m
control-socket: /run/cairn/ctl.sock
metrics-listen: [127.0.0.1, "[::1]:9100"]
log-level: debug
)");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    const Config& config = *loaded;
    ASSERT_EQ(config.server.listen.size(), 2u);
    EXPECT_EQ(config.server.listen[0].to_string(), "192.0.2.53:53");
    EXPECT_EQ(config.server.listen[1].to_string(), "[2001:db8::53]:5353");
    EXPECT_EQ(config.server.threads, 3u);
    ASSERT_EQ(config.server.allow.size(), 2u);
    EXPECT_EQ(config.server.allow[1].to_string(), "2001:db8::/32");
    EXPECT_EQ(config.server.tcp_idle_timeout, milliseconds(2500));
    EXPECT_EQ(config.server.tcp_max_connections, 500u);
    EXPECT_EQ(config.server.tcp_max_connections_per_client, 5u);
    EXPECT_EQ(config.server.tcp_max_pipelined, 16u);
    EXPECT_EQ(config.server.tcp_write_queue, 32u * 1024);
    EXPECT_EQ(config.server.tcp_write_timeout, milliseconds(3000));
    EXPECT_EQ(config.server.max_inflight, 5000u);
    EXPECT_EQ(config.server.max_inflight_per_client, 50u);
    EXPECT_EQ(config.server.version_string, "cairn 1.0: fine");
    EXPECT_EQ(config.server.identity, "ns1.example");
    EXPECT_EQ(config.server.client_prefix.v4, 28);
    EXPECT_EQ(config.server.client_prefix.v6, 48);
    EXPECT_EQ(config.server.rate_limits.answers, 20u);
    EXPECT_EQ(config.server.rate_limits.nxdomains, 7u);
    EXPECT_EQ(config.server.rate_limits.errors, 0u);
    EXPECT_EQ(config.server.rate_limits.slip, 3u);
    EXPECT_EQ(config.server.rate_limits.table_entries, 1024u);
    ASSERT_TRUE(config.server.cookie_secret);
    EXPECT_EQ((*config.server.cookie_secret)[0], 0xe5);
    ASSERT_TRUE(config.server.cookie_secret_previous);
    EXPECT_EQ((*config.server.cookie_secret_previous)[15], 0x62);
    EXPECT_FALSE(config.resolver.qname_minimisation);
    EXPECT_TRUE(config.resolver.upstream_ipv4);
    EXPECT_FALSE(config.resolver.upstream_ipv6);
    EXPECT_TRUE(config.resolver.upstream_deny.empty());
    ASSERT_EQ(config.resolver.outgoing_addresses.size(), 1u);
    EXPECT_EQ(config.resolver.outgoing_addresses[0].to_string(), "192.0.2.1");
    EXPECT_EQ(config.resolver.edns_buffer_size, 1400);
    EXPECT_EQ(config.resolver.initial_timeout, milliseconds(1000));
    EXPECT_EQ(config.resolver.limits.max_upstream_queries, 100u);
    EXPECT_EQ(config.resolver.limits.max_referral_depth, 20u);
    EXPECT_EQ(config.resolver.limits.max_cname_chain, 8u);
    EXPECT_EQ(config.resolver.limits.max_glueless_ns, 4u);
    EXPECT_EQ(config.resolver.limits.max_ns_addresses, 10u);
    EXPECT_EQ(config.resolver.limits.resolution_timeout, milliseconds(60'000));
    EXPECT_EQ(config.cache.max_bytes, size_t{1} << 30);
    EXPECT_EQ(config.cache.max_ttl, 2 * 86'400u);
    EXPECT_EQ(config.cache.min_ttl, 30u);
    EXPECT_EQ(config.cache.max_negative_ttl, 900u);
    EXPECT_EQ(config.control_socket, "/run/cairn/ctl.sock");
    ASSERT_EQ(config.metrics_listen.size(), 2u);
    EXPECT_EQ(config.metrics_listen[0].to_string(), "127.0.0.1:9153");
    EXPECT_EQ(config.metrics_listen[1].to_string(), "[::1]:9100");
    EXPECT_EQ(config.log_level, "debug");

    // What config_to_yaml writes reads back to the same configuration.
    const std::string written = config_to_yaml(config);
    auto again = load(written);
    ASSERT_TRUE(again) << written << again.error().to_string();
    EXPECT_EQ(config_to_yaml(*again), written);
}

TEST(ConfigLoad, ListsTakeASingleScalar) {
    auto loaded = load("listen: 192.0.2.1:5353\nallow: 192.0.2.0/24\nupstream-deny: ::/128\n");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    ASSERT_EQ(loaded->server.listen.size(), 1u);
    EXPECT_EQ(loaded->server.listen[0].to_string(), "192.0.2.1:5353");
    ASSERT_EQ(loaded->server.allow.size(), 1u);
    ASSERT_EQ(loaded->resolver.upstream_deny.size(), 1u);
    EXPECT_EQ(loaded->resolver.upstream_deny[0].to_string(), "::/128");
}

TEST(ConfigLoad, UnknownOptionNamesLineAndSuggests) {
    EXPECT_EQ(error_of("threads: 2\n\nqname-minimization: yes\n"),
              "cairn.yaml:3: qname-minimization: unknown option (did you mean "
              "'qname-minimisation'?)");
    EXPECT_EQ(error_of("cache_size: 1g\n"),
              "cairn.yaml:1: cache_size: unknown option (did you mean 'cache-size'?)");
    EXPECT_EQ(error_of("Threads: 1\n"),
              "cairn.yaml:1: Threads: unknown option (did you mean 'threads'?)");
    // Other resolvers' names lead to ours.
    EXPECT_EQ(error_of("num-threads: 4\n"),
              "cairn.yaml:1: num-threads: unknown option (did you mean 'threads'?)");
    EXPECT_EQ(error_of("do-not-query-address: 10.0.0.0/8\n"),
              "cairn.yaml:1: do-not-query-address: unknown option (did you mean "
              "'upstream-deny'?)");
    EXPECT_EQ(error_of("colour: blue\n"), "cairn.yaml:1: colour: unknown option");
}

TEST(ConfigLoad, BadValuesNameLineOptionAndExpectation) {
    EXPECT_EQ(error_of("threads: 2\n# memory\n\ncache-size: 12q\n"),
              "cairn.yaml:4: cache-size: '12q' is not a size (expected bytes, or a number with "
              "k/m/g)");
    EXPECT_EQ(error_of("edns-buffer-size: 9000\n"),
              "cairn.yaml:1: edns-buffer-size: '9000' is out of range (allowed: 512 to 4096)");
    EXPECT_EQ(error_of("edns-buffer-size: 511\n"),
              "cairn.yaml:1: edns-buffer-size: '511' is out of range (allowed: 512 to 4096)");
    EXPECT_EQ(error_of("qname-minimisation: maybe\n"),
              "cairn.yaml:1: qname-minimisation: 'maybe' is not a boolean (expected true/false, "
              "yes/no or on/off)");
    EXPECT_EQ(error_of("threads: -1\n"),
              "cairn.yaml:1: threads: '-1' is not a whole number (expected 0 to 1024)");
    EXPECT_EQ(error_of("log-level: verbose\n"),
              "cairn.yaml:1: log-level: 'verbose' is not a known keyword (expected one of error, "
              "warn, info, debug)");
    EXPECT_EQ(error_of("cache-max-ttl: 1500ms\n"),
              "cairn.yaml:1: cache-max-ttl: '1500ms' is not a whole number of seconds (expected "
              "whole seconds, or a number with a unit s, m, h or d, such as 300 or 1h)");
    EXPECT_EQ(error_of("upstream-initial-timeout: 800\n"),
              "cairn.yaml:1: upstream-initial-timeout: '800' is out of range (allowed: 50ms to "
              "30s)");
    EXPECT_EQ(error_of("version-string: " + std::string(256, 'v') + "\n"),
              "cairn.yaml:1: version-string: the value is 256 bytes long (allowed: at most 255 "
              "bytes)");
}

TEST(ConfigLoad, BadListItemsNameTheirOwnLines) {
    EXPECT_EQ(error_of("listen:\n  - 127.0.0.1\n  - localhost\n  - 127.0.0.2\n  - ::1:x\n"),
              "cairn.yaml:3: listen: 'localhost' is not a socket address (expected ADDRESS or "
              "ADDRESS:PORT, with an IPv6 address in brackets when a port follows, as in "
              "[::1]:53)\n"
              "cairn.yaml:5: listen: '::1:x' is not a socket address (expected ADDRESS or "
              "ADDRESS:PORT, with an IPv6 address in brackets when a port follows, as in "
              "[::1]:53)");
    EXPECT_EQ(error_of("allow: [10.0.0.0/8, 10.0.0.0/40]\n"),
              "cairn.yaml:1: allow: '10.0.0.0/40' is not an IP prefix (expected ADDRESS/LENGTH "
              "such as 192.0.2.0/24 or 2001:db8::/32, or a single address)");
    EXPECT_EQ(error_of("outgoing-address: 192.0.2.0/24\n"),
              "cairn.yaml:1: outgoing-address: '192.0.2.0/24' is not an IP address (expected an "
              "IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1)");
}

TEST(ConfigLoad, ValuesOfTheWrongShape) {
    EXPECT_EQ(error_of("threads: [1, 2]\n"),
              "cairn.yaml:1: threads: takes one value, not a list (expected a whole number, 0 "
              "to 1024)");
    EXPECT_EQ(error_of("threads:\n  count: 2\n"),
              "cairn.yaml:1: threads: takes no mapping (expected a whole number, 0 to 1024)");
    EXPECT_EQ(error_of("threads:\n"),
              "cairn.yaml:1: threads: has no value (expected a whole number, 0 to 1024)");
    EXPECT_EQ(error_of("log-level: ~\n"),
              "cairn.yaml:1: log-level: has no value (expected one of error, warn, info, debug)");
    EXPECT_NE(error_of("allow:\n  - [10.0.0.0/8]\n")
                  .find("cairn.yaml:2: allow: list items must "
                        "be single values"),
              std::string::npos);
    EXPECT_EQ(error_of("listen: []\n"), "cairn.yaml:1: listen: needs at least one socket address");
    EXPECT_EQ(error_of("[threads, 2]\n"),
              "cairn.yaml:1: a configuration is a mapping of option names to values, such as "
              "'threads: 4'");
    EXPECT_EQ(error_of("just words\n"),
              "cairn.yaml:1: a configuration is a mapping of option names to values, such as "
              "'threads: 4'");
    EXPECT_EQ(error_of("[a]: 1\n"),
              "cairn.yaml:1: an option name must be a plain word, such as 'threads'");
}

TEST(ConfigLoad, UnnamedSource) {
    auto loaded = load_config_text("threads: x\n", "");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().to_string(),
              "<configuration>:1: threads: 'x' is not a whole number (expected 0 to 1024)");
}

TEST(ConfigLoad, DuplicateOptions) {
    EXPECT_EQ(error_of("threads: 2\ncache-size: 1g\nthreads: 4\n"),
              "cairn.yaml:3: threads: given more than once (first on line 1)");
}

TEST(ConfigLoad, SyntaxErrorsNameTheLine) {
    EXPECT_EQ(error_of("threads: 2\nallow: [10.0.0.0/8\nlisten: 127.0.0.1\n"),
              "cairn.yaml:3: YAML syntax error: end of sequence flow not found");
    EXPECT_EQ(error_of("threads: 2\n  cache-size: 1g\n"),
              "cairn.yaml:2: YAML syntax error: illegal map value");
    EXPECT_EQ(error_of("root-hints: *hints\n"),
              "cairn.yaml:1: YAML syntax error: the referenced anchor is not defined");
    // An unquoted IPv6 socket address is a YAML list followed by junk.
    EXPECT_EQ(error_of("threads: 2\nlisten: [::1]:53\n"),
              "cairn.yaml:2: YAML syntax error: end of map not found (write an IPv6 address with "
              "a port in quotes: \"[::1]:53\")");
    EXPECT_EQ(error_of("threads: 1\n---\nthreads: 2\n"),
              "cairn.yaml:3: more than one YAML document; a configuration is a single mapping");
}

TEST(ConfigLoad, EveryProblemIsReported) {
    EXPECT_EQ(error_of("threads: x\nlisten: nowhere\ncolour: red\n"),
              "cairn.yaml:1: threads: 'x' is not a whole number (expected 0 to 1024)\n"
              "cairn.yaml:2: listen: 'nowhere' is not a socket address (expected ADDRESS or "
              "ADDRESS:PORT, with an IPv6 address in brackets when a port follows, as in "
              "[::1]:53)\n"
              "cairn.yaml:3: colour: unknown option");
}

TEST(ConfigLoad, RulesBetweenOptions) {
    EXPECT_EQ(error_of("cache-max-ttl: 1h\ncache-min-ttl: 2h\n"),
              "cairn.yaml:2: cache-min-ttl (2h) is greater than cache-max-ttl (1h)");
    EXPECT_TRUE(load("cache-max-ttl: 60\ncache-min-ttl: 1m\n"));
    // Blamed on the line of whichever option of the rule the file sets.
    EXPECT_EQ(error_of("threads: 1\ncache-max-ttl: 1\ncache-min-ttl: 0\n"),
              "(loaded without error)");
    EXPECT_EQ(error_of("threads: 1\nupstream-ipv6: off\n\nupstream-ipv4: off\n").substr(0, 13),
              "cairn.yaml:4:");
    EXPECT_EQ(error_of("threads: 1\ntcp-max-connections-per-client: 2000\n").substr(0, 13),
              "cairn.yaml:2:");
    EXPECT_EQ(error_of("upstream-ipv4: off\nupstream-ipv6: off\n"),
              "cairn.yaml:1: upstream-ipv4 and upstream-ipv6 are both off, so no authoritative "
              "server could be queried");
    EXPECT_EQ(error_of("outgoing-address: 2001:db8::1\n"),
              "cairn.yaml:1: outgoing-address has no IPv4 address, but upstream-ipv4 is on (add "
              "one, or turn upstream-ipv4 off)");
    EXPECT_EQ(error_of("outgoing-address: 192.0.2.1\n"),
              "cairn.yaml:1: outgoing-address has no IPv6 address, but upstream-ipv6 is on (add "
              "one, or turn upstream-ipv6 off)");
    EXPECT_TRUE(load("outgoing-address: [192.0.2.1, 2001:db8::1]\n"));
    EXPECT_TRUE(load("outgoing-address: 192.0.2.1\nupstream-ipv6: off\n"));
    EXPECT_EQ(error_of("resolution-timeout: 500ms\n"),
              "cairn.yaml:1: resolution-timeout (500ms) is shorter than upstream-initial-timeout "
              "(800ms)");
    EXPECT_EQ(error_of("tcp-max-connections: 10\n"),
              "cairn.yaml:1: tcp-max-connections-per-client (32) is greater than "
              "tcp-max-connections (10)");
    EXPECT_EQ(error_of("max-inflight: 100\n"),
              "cairn.yaml:1: max-inflight-per-client (1000) is greater than max-inflight (100)");
    EXPECT_TRUE(load("max-inflight: 100\nmax-inflight-per-client: 100\n"));
    EXPECT_EQ(error_of("listen: [127.0.0.1, \"127.0.0.1:53\"]\n"),
              "cairn.yaml:1: listen names 127.0.0.1:53 more than once");
    // Rules are checked only once every value is good, so a bad value does not
    // also produce a confusing rule error.
    EXPECT_EQ(error_of("cache-min-ttl: 2h\ncache-max-ttl: soon\n").find("greater"),
              std::string::npos);
}

TEST(ConfigLoad, ExampleFromTheDocumentation) {
    auto loaded = load(example_configuration());
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(loaded->server.listen.size(), 3u);
    EXPECT_EQ(loaded->server.allow.size(), 4u);
    EXPECT_EQ(loaded->server.threads, 4u);
    EXPECT_EQ(loaded->cache.max_bytes, size_t{1} << 30);
    EXPECT_FALSE(loaded->resolver.upstream_ipv6);
    EXPECT_EQ(loaded->control_socket, "/run/cairn/control.sock");
    EXPECT_EQ(loaded->log_level, "warn");
}

TEST(ConfigLoadFile, ReadsAFileAndResolvesPathsAgainstIt) {
    TempDir dir;
    const std::string hints = dir.write("root.hints", ". 3600000 NS a.root-servers.net.\n");
    const std::string path = dir.write("cairn.yaml",
                                       "root-hints: root.hints\n"
                                       "control-socket: run/control.sock\n");
    auto loaded = load_config_file(path);
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    EXPECT_EQ(loaded->resolver.root_hints_file, hints);
    EXPECT_EQ(loaded->control_socket, (dir.path() / "run/control.sock").string());
}

TEST(ConfigLoadFile, ErrorsNameTheFile) {
    TempDir dir;
    const std::string path = dir.write("cairn.yaml", "threads: 2\nroot-hints: missing.zone\n");
    auto loaded = load_config_file(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().to_string(), path + ":2: root-hints: cannot read '" +
                                              (dir.path() / "missing.zone").string() +
                                              "': No such file or directory");
    ASSERT_EQ(loaded.error().problems.size(), 1u);
    EXPECT_EQ(loaded.error().problems[0].line, 2u);
    EXPECT_EQ(loaded.error().problems[0].key, "root-hints");

    auto missing = load_config_file((dir.path() / "absent.yaml").string());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().to_string(),
              (dir.path() / "absent.yaml").string() + ": cannot read: No such file or directory");

    auto directory = load_config_file(dir.path().string());
    ASSERT_FALSE(directory);
    EXPECT_EQ(directory.error().to_string(),
              dir.path().string() + ": cannot read: it is a directory");
}

TEST(ConfigLoadFile, EmptyFileGivesDefaults) {
    TempDir dir;
    auto loaded = load_config_file(dir.write("cairn.yaml", ""));
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    expect_defaults(*loaded);
}

TEST(ConfigLoad, EncryptedListenersTakeTheirDefaultPortsAndNeedACertificate) {
    auto loaded = load(
        "listen-tls: [127.0.0.1, \"[::1]:8853\"]\nlisten-https: 127.0.0.1\n"
        "listen-http: 127.0.0.2\ntls-certificate: /dev/null\ntls-key: /dev/null\n");
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    const auto& e = loaded->server.encrypted;
    EXPECT_EQ(e.listen_tls[0].port, 853);
    EXPECT_EQ(e.listen_tls[1].port, 8853);
    EXPECT_EQ(e.listen_https[0].port, 443);
    EXPECT_EQ(e.listen_http[0].port, 80);
    EXPECT_EQ(e.https_path, "/dns-query");
    EXPECT_EQ(error_of("listen-tls: 127.0.0.1\n"),
              "cairn.yaml:1: listen-tls needs tls-certificate and tls-key");
    // cleartext HTTP/2 needs no certificate
    EXPECT_TRUE(load("listen-http: 127.0.0.1:8080\n").ok());
}

TEST(ConfigLoad, EncryptedListenersShareTcpPortsWithListen) {
    EXPECT_EQ(error_of("listen: 127.0.0.1:853\nlisten-http: 127.0.0.1:853\n"),
              "cairn.yaml:2: 127.0.0.1:853 is named more than once in listen, listen-tls, "
              "listen-https and listen-http");
    EXPECT_EQ(error_of("https-path: dns-query\n"),
              "cairn.yaml:1: https-path 'dns-query' must start with / and have no ?");
}

TEST(ConfigLoad, QuicListenersTakePort853AndNeedACertificate) {
    auto loaded = load(
        "listen-quic: [127.0.0.1, \"[::1]:8853\"]\ntls-certificate: /dev/null\n"
        "tls-key: /dev/null\nquic-max-streams: 8\nquic-retry: off\nquic-idle-timeout: 5s\n");
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    const auto& e = loaded->server.encrypted;
    EXPECT_EQ(e.listen_quic[0].port, 853);
    EXPECT_EQ(e.listen_quic[1].port, 8853);
    EXPECT_EQ(e.quic_max_streams, 8u);
    EXPECT_FALSE(e.quic_retry);
    EXPECT_EQ(e.quic_idle_timeout, std::chrono::seconds(5));
    EXPECT_EQ(error_of("listen-quic: 127.0.0.1\n"),
              "cairn.yaml:1: listen-quic needs tls-certificate and tls-key");
    // QUIC is UDP: it may share DoT's port (TCP), not a plain DNS one
    const std::string certificate = "tls-certificate: /dev/null\ntls-key: /dev/null\n";
    EXPECT_TRUE(load(certificate + "listen-tls: 127.0.0.1\nlisten-quic: 127.0.0.1\n").ok());
    EXPECT_EQ(error_of(certificate + "listen: 127.0.0.1:8853\nlisten-quic: 127.0.0.1:8853\n"),
              "cairn.yaml:4: 127.0.0.1:8853 is in both listen and listen-quic (both are UDP)");
    EXPECT_EQ(error_of(certificate + "listen-quic: 127.0.0.1:53\n"),
              "cairn.yaml:3: listen-quic 127.0.0.1:53: DNS over QUIC must not use port 53");
    EXPECT_EQ(error_of(certificate + "listen-quic: [127.0.0.1, 127.0.0.1:853]\n"),
              "cairn.yaml:3: listen-quic names 127.0.0.1:853 more than once");
}

}  // namespace
}  // namespace cairn::config
