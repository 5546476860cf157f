// Every option of cairn, once. To add one: give its Config field a default in
// the owning layer's options struct (or in Config), then add one entry here;
// the reader, its errors and docs/configuration.md follow. Help text is
// Markdown, one paragraph, and says what the option is for and what its
// special values mean; type, default and range are printed from the entry.
#include "config/options_table.h"

#include <algorithm>

#include "config/option_kinds.h"
#include "config/optional_kind.h"
#include "config/record_kind.h"
#include "policy/dns64.h"
#include "policy/forward_zones.h"
#include "policy/local_zone_type.h"
#include "policy/local_zones.h"

namespace cairn::config {
namespace {

using cache::CacheOptions;
using net::ClientPrefixLengths;
using policy::Dns64Options;
using resolve::DnssecOptions;
using resolve::PrefetchOptions;
using resolve::ResolverOptions;
using resolve::ServeStaleOptions;
using resolve::WorkLimits;
using server::RateLimits;
using server::ServerOptions;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kMiB = size_t{1} << 20;
constexpr uint32_t kDay = 86'400;

// The most a TXT character-string holds (RFC 1035 §3.3).
constexpr size_t kTxtStringMax = 255;

ListOf<RecordOf<policy::RpzZoneOptions>> rpz_zones_kind() {
    using Z = policy::RpzZoneOptions;
    RecordOf<Z> record{
        "policy zone",
        "policy zones",
        {field<&Z::name>("name", DomainName{}, "the policy zone's name (its SOA owner)").required(),
         field<&Z::file>("file", FilePath{.must_be_readable = true},
                         "a zone file to read, at start and on every reload"),
         field<&Z::primaries>("primaries", ListOf<Endpoint>{},
                              "servers to transfer the zone from (AXFR, then IXFR), tried in "
                              "order"),
         field<&Z::policy>("policy",
                           Keyword{.words = {"given", "disabled", "passthru", "nxdomain", "nodata",
                                             "drop", "tcp-only", "cname"}},
                           "`given` (default): the zone's own actions; `disabled`: hits are "
                           "logged and counted, not applied; any other: that action for every "
                           "hit"),
         field<&Z::cname>("cname", DomainName{}, "with `policy: cname`, where every hit goes"),
         field<&Z::ede>("ede", Keyword{.words = {"blocked", "censored", "filtered"}},
                        "the Extended DNS Error of rewritten answers: `blocked` (15, default), "
                        "`censored` (16) or `filtered` (17)"),
         field<&Z::log>("log", Boolean{}, "log each hit (rate-limited)"),
         field<&Z::allow_notify>("allow-notify", ListOf<Prefix>{},
                                 "who may send NOTIFY for the zone; default: its primaries"),
         field<&Z::min_refresh>("min-refresh", Seconds{.min = 1},
                                "the shortest wait between SOA checks (default 1m)")},
        {}};
    record.check = [](const Z& zone) -> std::optional<std::string> {
        if (zone.file.empty() == zone.primaries.empty())
            return "policy zone " + zone.name.to_text() + " needs either 'file' or 'primaries'";
        if (zone.policy == "cname" && zone.cname.is_root())
            return "policy zone " + zone.name.to_text() + ": 'policy: cname' needs 'cname'";
        return std::nullopt;
    };
    return {record};
}

ListOf<RecordOf<policy::ZonePolicy>> zone_policy_kind() {
    using policy::ZonePolicy;
    RecordOf<ZonePolicy> record{
        "zone policy",
        "zone policies",
        {field<&ZonePolicy::name>("name", DomainName{},
                                  "the zone: its names and every name below it")
             .required(),
         field<&ZonePolicy::cache_min_ttl>("cache-min-ttl",
                                           Optional<Seconds>{{.min = 0, .max = kDay}},
                                           "the zone's `cache-min-ttl`"),
         field<&ZonePolicy::cache_max_ttl>("cache-max-ttl",
                                           Optional<Seconds>{{.min = 1, .max = 365 * kDay}},
                                           "the zone's `cache-max-ttl` (also caps its negative "
                                           "answers)"),
         field<&ZonePolicy::prefetch>("prefetch", Optional<Boolean>{}, "the zone's `prefetch`"),
         field<&ZonePolicy::serve_stale>("serve-stale", Optional<Boolean>{},
                                         "the zone's `serve-stale`"),
         field<&ZonePolicy::stale_max>("stale-max", Optional<Seconds>{{.min = 0, .max = 30 * kDay}},
                                       "the zone's `stale-max`: how long past expiry its data "
                                       "may be served stale (never past its signatures)"),
         field<&ZonePolicy::stale_recheck_interval>(
             "stale-recheck-interval",
             Optional<Duration>{{.min = seconds(1), .max = seconds(3600)}},
             "the zone's `stale-recheck-interval`")},
        {}};
    record.check = [](const ZonePolicy& zone) -> std::optional<std::string> {
        if (zone.cache_min_ttl && zone.cache_max_ttl && *zone.cache_min_ttl > *zone.cache_max_ttl)
            return "zone policy for " + zone.name.to_text() +
                   ": cache-min-ttl is greater than cache-max-ttl";
        return std::nullopt;
    };
    return {record};
}

// Local policy: forward and stub zones (policy/forward_zones.h).
template <class Add>
void add_forwarding_options(Add& add) {
    using policy::ForwardingOptions;
    using policy::ForwardZoneOptions;
    using policy::StubZoneOptions;
    RecordOf<ForwardZoneOptions> forward{
        "forward zone",
        "forward zones",
        {field<&ForwardZoneOptions::name>("name", DomainName{}, "the zone; `.` forwards everything")
             .required(),
         field<&ForwardZoneOptions::addresses>(
             "addresses", ListOf<Endpoint>{.element = {.default_port = 0}, .at_least_one = true},
             "the forwarders (recursive resolvers); the port is 853 with `tls`, else 53, "
             "unless given")
             .required(),
         field<&ForwardZoneOptions::tls>("tls", Text{.max_length = 253},
                                         "ask over DNS over TLS, and accept only a certificate "
                                         "for this name (or IP address); empty: plain DNS"),
         field<&ForwardZoneOptions::first>("first", Boolean{},
                                           "when every forwarder fails, resolve by iteration "
                                           "instead of answering SERVFAIL (default false)")},
        {}};
    add(option("forward-zones", Group::policy,
               at<&Config::forwarding, &ForwardingOptions::forward_zones>,
               ListOf<RecordOf<ForwardZoneOptions>>{forward},
               "Zones whose questions go to recursive resolvers (forwarders) rather than being "
               "resolved from the root: the full question, with RD and CD set, to the fastest "
               "forwarder, the next one when it times out or answers SERVFAIL or REFUSED. "
               "Cairn still validates what they answer (the zone's DNSKEY queries, and DS "
               "queries for zones below it, go to them too; the zone's own DS comes from its "
               "parent as usual), so a forwarder cannot forge a signed zone; an internal zone "
               "the public parent denies needs `negative-trust-anchors`. Over TLS, a "
               "forwarder whose certificate fails is never asked in clear text. The closest "
               "enclosing forward or stub zone decides. Forwarders are asked whatever "
               "`upstream-deny` says. Default: none. Example: `forward-zones: [{name: "
               "corp.example, addresses: [10.0.0.53, 10.0.1.53]}, {name: \".\", addresses: "
               "[\"9.9.9.9\"], tls: dns.quad9.net, first: true}]`."));
    RecordOf<StubZoneOptions> stub{
        "stub zone",
        "stub zones",
        {field<&StubZoneOptions::name>("name", DomainName{}, "the zone").required(),
         field<&StubZoneOptions::addresses>("addresses", ListOf<Endpoint>{.at_least_one = true},
                                            "its authoritative servers (port 53 unless given)")
             .required()},
        {}};
    add(option("stub-zones", Group::policy, at<&Config::forwarding, &ForwardingOptions::stub_zones>,
               ListOf<RecordOf<StubZoneOptions>>{stub},
               "Zones resolved from the given authoritative servers instead of from the "
               "delegation the root leads to, as for a zone that is not delegated in public "
               "DNS: they are asked without RD, and delegations below them are followed as "
               "usual. Answers are validated as usual: the chain of trust comes from the "
               "parent's DS, so a signed internal zone needs a trust anchor and an unsigned "
               "one the parent denies needs `negative-trust-anchors`. Stub servers are asked "
               "whatever `upstream-deny` says. Default: none. Example: `stub-zones: [{name: "
               "lab.example, addresses: [192.0.2.10, \"192.0.2.11:5300\"]}]`."));
    add(option("forward-tls-ca-file", Group::policy,
               at<&Config::forwarding, &ForwardingOptions::tls_ca_file>,
               FilePath{.must_be_readable = true},
               "CA certificates (PEM) that the certificates of forwarders asked over TLS must "
               "chain to. Empty (the default): the system's store (`/etc/ssl/certs`). "
               "Example: `forward-tls-ca-file: /etc/cairn/forwarders-ca.pem`."));
}

std::vector<Option> make_options() {
    std::vector<Option> table;
    auto add = [&table](Option entry) { table.push_back(std::move(entry)); };

    // Server: listening and clients.
    add(option("listen", Group::server, at<&Config::server, &ServerOptions::listen>,
               ListOf<Endpoint>{.at_least_one = true},
               "Addresses to answer queries on, over UDP and TCP. A port may follow an IPv4 "
               "address after a colon, or an IPv6 address in brackets (quote that in YAML: "
               "`\"[::1]:5353\"`); without one the port is 53. The default serves this host only.")
            .also_known_as({"interface", "local-address"}));
    add(option("threads", Group::server, at<&Config::server, &ServerOptions::threads>,
               Number<unsigned>{.min = 0, .max = 1024},
               "Worker threads, each with its own sockets and event loop. 0 starts one per CPU "
               "core.")
            .also_known_as({"num-threads"}));
    add(option("allow", Group::server, at<&Config::server, &ServerOptions::allow>, ListOf<Prefix>{},
               "Clients allowed to query; all others get REFUSED. The default admits loopback "
               "clients only, so cairn is never an open resolver by accident: list your own "
               "networks here, and never `0.0.0.0/0` or `::/0` on an address the Internet can "
               "reach. An IPv4 prefix also admits the IPv4-mapped form of its addresses "
               "(`::ffff:127.0.0.1`).")
            .also_known_as({"access-control", "allow-from"}));
    add(option("tcp-idle-timeout", Group::server,
               at<&Config::server, &ServerOptions::tcp_idle_timeout>,
               Duration{.min = milliseconds(100), .max = seconds(3600)},
               "How long a client's TCP connection may stay idle before cairn closes it "
               "(RFC 7766 §6.2.3)."));
    add(option("tcp-max-connections", Group::server,
               at<&Config::server, &ServerOptions::tcp_max_connections>,
               Number<uint32_t>{.min = 1, .max = 1'000'000},
               "Client TCP connections open at once, over all worker threads; DoT, DoH and DoQ "
               "connections count too.")
            .also_known_as({"incoming-num-tcp", "max-tcp-clients"}));
    add(option("tcp-max-connections-per-client", Group::server,
               at<&Config::server, &ServerOptions::tcp_max_connections_per_client>,
               Number<uint32_t>{.min = 1, .max = 1'000'000},
               "Client TCP connections open at once from one client: one network of "
               "`client-prefix-ipv4` or `client-prefix-ipv6` bits, so more addresses do not buy "
               "more connections.")
            .also_known_as({"max-tcp-per-client"}));
    add(option("tcp-max-pipelined", Group::server,
               at<&Config::server, &ServerOptions::tcp_max_pipelined>,
               Number<unsigned>{.min = 1, .max = 10'000},
               "Answers one TCP connection may be owed at once (RFC 7766 §6.2.1.1 pipelining): "
               "queries being resolved and answers not yet written, error answers and cache "
               "hits included. Beyond it cairn reads no more queries from the connection until "
               "an answer has gone out."));
    add(option("tcp-write-queue", Group::server,
               at<&Config::server, &ServerOptions::tcp_write_queue>,
               Size{.min = 4096, .max = 16 * kMiB},
               "Octets of answers waiting to be written to one TCP connection beyond which "
               "cairn reads no more queries from it, so a client that asks and does not read "
               "holds this much at most."));
    add(option("tcp-write-timeout", Group::server,
               at<&Config::server, &ServerOptions::tcp_write_timeout>,
               Duration{.min = milliseconds(100), .max = seconds(3600)},
               "A TCP connection whose client takes none of its answers for this long is "
               "closed."));
    add(option("version-string", Group::server, at<&Config::server, &ServerOptions::version_string>,
               Text{.max_length = kTxtStringMax},
               "Answer to `version.bind` queries in class CH. Empty: such queries are REFUSED, "
               "which does not tell the world which software runs here.")
            .also_known_as({"version"}));
    add(option("identity", Group::server, at<&Config::server, &ServerOptions::identity>,
               Text{.max_length = kTxtStringMax},
               "Answer to `id.server` queries in class CH (RFC 4892), to tell apart the "
               "instances behind one address. Empty: such queries are REFUSED.")
            .also_known_as({"server-id"}));

    // Server: DNS over TLS and over HTTPS.
    using server::EncryptedOptions;
    add(option("listen-tls", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::listen_tls>,
               ListOf<Endpoint>{.element = {.default_port = 853}},
               "Addresses to answer DNS over TLS on (RFC 7858; TLS 1.2 and 1.3, ALPN `dot`); "
               "the port is 853 unless given. Needs `tls-certificate` and `tls-key`. "
               "Connections follow the TCP options (`tcp-idle-timeout`, the connection limits, "
               "pipelined queries answered out of order) and answers carry the EDNS keepalive "
               "(RFC 7828) and padding (RFC 8467) when their queries do. Empty: off.")
            .also_known_as({"tls-port", "dns-over-tls"}));
    add(option("listen-https", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::listen_https>,
               ListOf<Endpoint>{.element = {.default_port = 443}},
               "Addresses to answer DNS over HTTPS on (RFC 8484; HTTP/2 over TLS, ALPN `h2`, "
               "GET and POST at `https-path`); the port is 443 unless given. Needs "
               "`tls-certificate` and `tls-key`. Empty: off.")
            .also_known_as({"https-port", "dns-over-https"}));
    add(option("listen-http", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::listen_http>,
               ListOf<Endpoint>{.element = {.default_port = 80}},
               "Addresses to answer DNS over HTTP/2 in cleartext (h2c with prior knowledge, no "
               "HTTP/1.1 upgrade); the port is 80 unless given. Only for a TLS-terminating "
               "proxy in front that speaks HTTP/2 to cairn: the queries cross the wire "
               "unencrypted, and `allow` sees the proxy's address, not the client's. Empty: "
               "off.")
            .also_known_as({"http-notls-downstream"}));
    add(option("tls-certificate", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::tls_certificate>,
               FilePath{.must_be_readable = true},
               "PEM file with the server's certificate chain, the server's certificate first, "
               "for `listen-tls`, `listen-https` and `listen-quic`. Read again on reload (SIGHUP), "
               "then as `user` when that is set: a file that cannot be used fails the reload and "
               "the running certificate stays. A reload that changes nothing but the certificate "
               "and key (a renewal) keeps every open connection; new connections get the new "
               "certificate.")
            .also_known_as({"tls-service-pem", "tls-cert-bundle"}));
    add(option("tls-key", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::tls_key>,
               FilePath{.must_be_readable = true},
               "PEM file with the private key of `tls-certificate`. Read again on reload.")
            .also_known_as({"tls-service-key"}));
    add(option(
        "tls-handshake-timeout", Group::server,
        at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::tls_handshake_timeout>,
        Duration{.min = milliseconds(100), .max = milliseconds(60'000)},
        "A TLS client that has not finished its handshake after this long is "
        "disconnected."));
    add(option("https-path", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::https_path>,
               Text{.max_length = 256},
               "The path DNS over HTTPS answers at; other paths get 404. Starts with `/`."));
    add(option("https-max-streams", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::https_max_streams>,
               Number<uint32_t>{.min = 1, .max = 10'000},
               "Concurrent HTTP/2 streams (queries) one DoH connection may have open "
               "(SETTINGS_MAX_CONCURRENT_STREAMS); the client waits for an answer before "
               "sending more.")
            .also_known_as({"http-max-streams"}));
    add(option("listen-quic", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::listen_quic>,
               ListOf<Endpoint>{.element = {.default_port = 853}},
               "Addresses to answer DNS over QUIC on (RFC 9250; UDP, TLS 1.3, ALPN `doq`, one "
               "query per stream); the port is 853 unless given, and never 53. Needs "
               "`tls-certificate` and `tls-key`. `allow` is checked on a client's first packet, "
               "before anything else; connections count against the TCP connection limits; "
               "answers are padded (RFC 8467) when their queries are. No 0-RTT. Empty: off.")
            .also_known_as({"quic-port", "dns-over-quic"}));
    add(option("quic-idle-timeout", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::quic_idle_timeout>,
               Duration{.min = milliseconds(1000), .max = seconds(3600)},
               "A DNS-over-QUIC connection with nothing sent or received for this long ends "
               "(QUIC's max_idle_timeout, RFC 9000 §10.1; RFC 9250 §5.5.2)."));
    add(option("quic-max-streams", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::quic_max_streams>,
               Number<uint32_t>{.min = 1, .max = 10'000},
               "Queries (bidirectional streams) one DNS-over-QUIC connection may have open at "
               "once (QUIC's initial_max_streams_bidi); each closed stream lets the client "
               "open one more."));
    add(option("quic-retry", Group::server,
               at<&Config::server, &ServerOptions::encrypted, &EncryptedOptions::quic_retry>,
               Boolean{},
               "Make every new DNS-over-QUIC client prove its address with a Retry token "
               "(RFC 9000 §8.1.2) before cairn keeps any state or does any TLS for it, so forged "
               "sources can neither fill the connection limits nor make cairn send handshakes "
               "to a victim. It costs new connections one round trip."));
    // Client limits: what one client may take.
    add(option("client-prefix-ipv4", Group::clients,
               at<&Config::server, &ServerOptions::client_prefix, &ClientPrefixLengths::v4>,
               Number<uint8_t>{.min = 8, .max = 32},
               "Prefix length that makes IPv4 addresses one client for the per-client limits "
               "below: 24 counts a /24 network as one client, 32 each address.")
            .also_known_as({"ipv4-prefix-length"}));
    add(option("client-prefix-ipv6", Group::clients,
               at<&Config::server, &ServerOptions::client_prefix, &ClientPrefixLengths::v6>,
               Number<uint8_t>{.min = 16, .max = 128},
               "Prefix length that makes IPv6 addresses one client for the per-client limits "
               "below. 56 is a typical customer's delegation, so a host cannot escape a limit "
               "by changing addresses within it.")
            .also_known_as({"ipv6-prefix-length"}));
    add(option("rate-limit-answers", Group::clients,
               at<&Config::server, &ServerOptions::rate_limits, &RateLimits::answers>,
               Number<uint32_t>{.min = 0, .max = 1'000'000},
               "Response rate limiting (RRL): positive answers (NOERROR) per second to one "
               "client over UDP. A client over its budget gets every `rate-limit-slip`th answer "
               "empty with TC=1, so that one that really asked retries over TCP, and nothing "
               "for the others. TCP and clients with a valid server cookie are not limited. "
               "This keeps cairn from amplifying floods sent with a victim's forged address; "
               "off (0) by default, since an open resolver needs it but one serving only its "
               "own networks does not. Each worker thread counts on its own, so a client whose "
               "queries reach several threads gets up to `threads` times this.")
            .also_known_as({"responses-per-second"}));
    add(option("rate-limit-nxdomains", Group::clients,
               at<&Config::server, &ServerOptions::rate_limits, &RateLimits::nxdomains>,
               Number<uint32_t>{.min = 0, .max = 1'000'000},
               "NXDOMAIN answers per second to one client over UDP, as `rate-limit-answers`; "
               "0: not limited.")
            .also_known_as({"nxdomains-per-second"}));
    add(option("rate-limit-errors", Group::clients,
               at<&Config::server, &ServerOptions::rate_limits, &RateLimits::errors>,
               Number<uint32_t>{.min = 0, .max = 1'000'000},
               "Error answers (REFUSED, FORMERR, NOTIMP, SERVFAIL, BADVERS) per second to one "
               "client over UDP; 0: not limited. Errors over the budget are dropped, never "
               "slipped (an error is no larger than a truncated answer), so a flood of refused "
               "or malformed queries from one forged source gets almost nothing back.")
            .also_known_as({"errors-per-second"}));
    add(option("rate-limit-slip", Group::clients,
               at<&Config::server, &ServerOptions::rate_limits, &RateLimits::slip>,
               Number<uint32_t>{.min = 0, .max = 10},
               "Of the answers and NXDOMAINs over a rate limit, every this many goes out empty "
               "with TC=1 (the others are dropped); 0: all are dropped, 1: all are truncated.")
            .also_known_as({"slip"}));
    add(option("rate-limit-table-size", Group::clients,
               at<&Config::server, &ServerOptions::rate_limits, &RateLimits::table_entries>,
               Number<uint32_t>{.min = 64, .max = 16'777'216},
               "Clients each worker thread keeps rate-limit budgets for (about 40 bytes each, "
               "allocated at start when a rate limit is on); beyond that the least recently "
               "seen are forgotten.")
            .also_known_as({"max-table-size"}));

    add(option("max-inflight", Group::clients, at<&Config::server, &ServerOptions::max_inflight>,
               Number<uint64_t>{.min = 1, .max = 10'000'000},
               "Client questions being resolved at once (cache hits do not count). A question "
               "beyond it is answered SERVFAIL at once with Extended DNS Error 0 saying so, "
               "rather than queued without bound or dropped: the client can ask another "
               "server instead of waiting out a timeout, and the answer is rate limited like "
               "every error. Prefetches and serve-stale refreshes take slots too, but never the "
               "last quarter: when none is left they wait (a stale answer is then given without "
               "a refresh). Each worker thread enforces its share (this divided by "
               "`threads`, rounded up), without locks.")
            .also_known_as({"recursive-clients", "num-queries-per-thread", "max-mthreads"}));
    add(option("max-inflight-per-client", Group::clients,
               at<&Config::server, &ServerOptions::max_inflight_per_client>,
               Number<uint32_t>{.min = 1, .max = 10'000'000},
               "The most of `max-inflight` one client may hold, so that one client asking for "
               "names that resolve slowly cannot take every slot; beyond it its questions are "
               "answered SERVFAIL at once, as above. Each thread enforces its share, like "
               "`max-inflight`."));
    add(option("cookie-secret", Group::clients, at<&Config::server, &ServerOptions::cookie_secret>,
               HexKey{},
               "Secret from which cairn makes the server cookies it gives clients (DNS cookies, "
               "RFC 7873, in the form of RFC 9018 so that several instances behind one address "
               "accept each other's cookies: give them all the same secret). A client that "
               "returns a valid server cookie has proven its address and is exempt from the "
               "rate limits; a rate-limited client that sent a cookie gets BADCOOKIE with a "
               "fresh server cookie instead of a truncated answer. Empty: a random secret, made "
               "when cairn starts and kept across reloads. To change it, move the old value to "
               "`cookie-secret-previous` and reload; remove that an hour later.")
            .also_known_as({"cookie-secrets", "answer-cookie"}));
    add(option("cookie-secret-previous", Group::clients,
               at<&Config::server, &ServerOptions::cookie_secret_previous>, HexKey{},
               "The secret before `cookie-secret`: server cookies made with it are still "
               "accepted (for up to an hour, as every server cookie), but no new ones are made "
               "with it. Empty: none."));

    // Upstream: how authoritative servers are found and asked.
    add(option("root-hints", Group::upstream,
               at<&Config::resolver, &ResolverOptions::root_hints_file>,
               FilePath{.must_be_readable = true},
               "Zone file with the names and addresses of the root servers, from which cairn "
               "finds the current root. Empty: the built-in IANA root hints, right for nearly "
               "everyone.")
            .also_known_as({"hint-file"}));
    add(option("qname-minimisation", Group::upstream,
               at<&Config::resolver, &ResolverOptions::qname_minimisation>, Boolean{},
               "Tell each authoritative server only as much of the name as it needs to know "
               "(RFC 9156), rather than the whole question."));
    add(option("upstream-ipv4", Group::upstream,
               at<&Config::resolver, &ResolverOptions::upstream_ipv4>, Boolean{},
               "Query authoritative servers over IPv4.")
            .also_known_as({"do-ip4"}));
    add(option("upstream-ipv6", Group::upstream,
               at<&Config::resolver, &ResolverOptions::upstream_ipv6>, Boolean{},
               "Query authoritative servers over IPv6. Turn it off on hosts without IPv6 "
               "connectivity, so no time is lost on servers that cannot be reached.")
            .also_known_as({"do-ip6"}));
    add(option("upstream-deny", Group::upstream,
               at<&Config::resolver, &ResolverOptions::upstream_deny>, ListOf<Prefix>{},
               "Server addresses never queried, whatever a delegation says, so that no zone can "
               "point cairn at this host. The default covers loopback and the unspecified "
               "addresses; set `[]` to reach authoritative servers on loopback, as test set-ups "
               "do. An IPv4 prefix also covers the IPv4-mapped form of its addresses "
               "(`::ffff:127.0.0.1`).")
            .also_known_as({"do-not-query-address", "dont-query"}));
    add(option("outgoing-address", Group::upstream,
               at<&Config::resolver, &ResolverOptions::outgoing_addresses>, ListOf<Address>{},
               "Source addresses for queries to authoritative servers. Empty: the kernel "
               "chooses.")
            .also_known_as({"outgoing-interface", "query-local-address"}));
    add(option("edns-buffer-size", Group::upstream,
               at<&Config::resolver, &ResolverOptions::edns_buffer_size>,
               Number<uint16_t>{.min = 512, .max = 4096},
               "UDP payload size in EDNS (RFC 6891), both offered to authoritative servers "
               "and the largest UDP answer sent to clients (a client offering less gets "
               "less). The default, 1232, avoids IP fragmentation on practically every "
               "path; larger answers come over TCP.")
            .also_known_as({"edns-outgoing-bufsize"}));
    add(option("upstream-initial-timeout", Group::upstream,
               at<&Config::resolver, &ResolverOptions::initial_timeout>,
               Duration{.min = milliseconds(50), .max = seconds(30)},
               "How long to wait for an answer from a server with no round-trip time history; "
               "later timeouts follow the round-trip times measured for each server."));

    add(option("qname-case-randomisation", Group::upstream,
               at<&Config::upstream, &net::UpstreamOptions::qname_case_randomisation>, Boolean{},
               "Write the letters of every name sent to authoritative servers in random case "
               "(0x20, draft-vixie-dnsext-dns0x20) and accept only replies that echo it "
               "exactly: whoever forges an answer must guess one more bit per letter (never all "
               "lower or all upper case, a forger's first guesses). A reply "
               "in another case is asked again over TCP; a server whose TCP answer is in "
               "another case too is asked in lower case for an hour, so it keeps working.")
            .also_known_as({"use-caps-for-id"}));
    add(option("spoof-nearmiss-max", Group::upstream,
               at<&Config::upstream, &net::UpstreamOptions::spoof_nearmiss_max>,
               Number<uint32_t>{.min = 0, .max = 1000},
               "Replies to a UDP query from its server's address and port that are not its "
               "answer (a wrong ID, question or letter case) before the query is taken to be "
               "raced by a forger and asked again over TCP. Each query has a port of its own "
               "on which nothing else is due, so the default, 1, costs a TCP exchange only "
               "when someone is guessing, and leaves them one guess per query (as PowerDNS "
               "Recursor and Knot Resolver do). 0: never; replies that are not the answer are "
               "only dropped."));
    add(option("upstream-cookies", Group::upstream,
               at<&Config::upstream, &net::UpstreamOptions::cookies>, Boolean{},
               "Send a DNS cookie (RFC 7873) with every query to an authoritative server that "
               "speaks EDNS, and remember the cookie each server gives back. Once a server has "
               "answered with a valid cookie, a reply from it that does not echo ours is "
               "forged (a forger would have to guess 64 more bits) and the query is asked again "
               "over TCP; a server that stops using cookies is found out over TCP. BADCOOKIE is "
               "asked again once with the server's new cookie."));

    // DNSSEC validation.
    add(option("dnssec", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::enabled>, Boolean{},
               "Validate answers with DNSSEC. Off: nothing is validated, no answer has the AD "
               "bit and forged data is not detected; only for debugging a broken set-up.")
            .also_known_as({"dnssec-validation", "validation"}));
    add(option("trust-anchors", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::trust_anchor_files>,
               ListOf<FilePath>{.element = {.must_be_readable = true}},
               "Zone files with the DS or DNSKEY records validation starts from. Given, they "
               "replace the built-in anchors; empty: the root zone's KSK-2017 (key tag 20326) "
               "and KSK-2024 (key tag 38696), as IANA publishes them. Each file must hold at "
               "least one anchor cairn can use (a supported algorithm and digest type; a "
               "DNSKEY must be a zone key, not revoked), or cairn refuses to start, and a "
               "reload keeps the running configuration. Anchors that do not include the root "
               "are accepted with a warning naming the zones validation then covers.")
            .also_known_as({"trust-anchor-file"}));
    add(option("trust-anchor-tracking", Group::dnssec,
               at<&Config::anchor_tracking, &policy::AnchorTrackingOptions::tracking>,
               Keyword{.words = {"auto", "on", "off"}},
               "Keep the root trust anchor current by itself (RFC 5011): cairn asks for the "
               "root's DNSKEY RRset (at the refresh time of RFC 5011 §2.3, at most every 15 "
               "days, at least every hour), trusts a new key the root signs with a trusted key "
               "once it has been published for 30 days, drops a key the root revokes at once, "
               "and keeps the state in `trust-anchor-state`, read at start in place of the "
               "configured anchors. `auto` (the default): the built-in anchors are tracked "
               "when the directory of `trust-anchor-state` exists (the package creates "
               "/var/lib/cairn), anchors from `trust-anchors` are left as given; `on`: the "
               "root anchor is tracked whether built in or from `trust-anchors`, and cairn "
               "refuses to start if it cannot write the state file; `off`: anchors stay as "
               "configured. `cairnctl trust-anchors` shows the state, `cairnctl trust-anchors "
               "refresh` asks at once. Example: `trust-anchor-tracking: on`.")
            .also_known_as({"managed-keys", "auto-trust-anchor"}));
    add(option("trust-anchor-state", Group::dnssec,
               at<&Config::anchor_tracking, &policy::AnchorTrackingOptions::state_file>, FilePath{},
               "File the tracked root trust anchor is kept in: each key as a DNSKEY record "
               "with its RFC 5011 state and times in comments, the trusted ones uncommented "
               "(a `trust-anchors` file can read it). Written atomically (a temporary file "
               "renamed), so its directory must be writable by `user`. Delete it (cairn "
               "stopped) to start again from the configured anchors. Read at start only. "
               "Default: /var/lib/cairn/root.key. Example: `trust-anchor-state: "
               "/var/lib/cairn/root.key`.")
            .also_known_as({"auto-trust-anchor-file", "managed-keys-directory"}));
    add(option("trust-anchor-signaling", Group::dnssec,
               at<&Config::anchor_tracking, &policy::AnchorTrackingOptions::signaling>, Boolean{},
               "With tracking on, tell the root which keys cairn trusts (RFC 8145 §5): after "
               "each refresh, a query for `_ta-<key tags in hex>.` type NULL goes to the root "
               "servers (never answered from the cache), so that the root operators can see "
               "how far a key rollover has spread. Default on, as in Unbound and BIND. "
               "Example: `trust-anchor-signaling: false`.")
            .also_known_as({"trust-anchor-signalling", "trust-anchor-telemetry"}));
    add(option(
            "negative-trust-anchors", Group::dnssec,
            at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::negative_trust_anchors>,
            ListOf<DomainName>{},
            "Domains whose DNSSEC failures are tolerated for a while (RFC 7646): answers in "
            "them and below are not validated and never have the AD bit. Remove each entry "
            "as soon as its zone is repaired.")
            .also_known_as({"domain-insecure"}));
    add(option("nsec3-max-iterations", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limits,
                  &dnssec::ValidationLimits::max_nsec3_iterations>,
               Number<uint16_t>{.min = 0, .max = 2500},
               "NSEC3 records with more hash iterations than this are not used to prove "
               "anything: answers relying on them are treated as insecure, with Extended DNS "
               "Error 27 (RFC 9276 §3.2)."));
    add(option("aggressive-nsec", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::aggressive_nsec>, Boolean{},
               "Answer NXDOMAIN, NODATA and wildcard questions from NSEC and NSEC3 records "
               "already validated, without asking (RFC 8198): a flood of random names under a "
               "signed zone then stops at cairn. Never from an NSEC3 opt-out span.")
            .also_known_as({"aggressive-use-of-dnssec-validated-cache"}));
    add(option("root-key-sentinel", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::root_key_sentinel>, Boolean{},
               "Tell clients which root keys cairn trusts (RFC 8509): a validated A or AAAA "
               "answer for a name starting with `root-key-sentinel-is-ta-<key tag>` becomes "
               "SERVFAIL unless a root trust anchor has that key tag, and one for "
               "`root-key-sentinel-not-ta-<key tag>` becomes SERVFAIL if one has. Measurements "
               "of root key rollovers rely on it; other major resolvers have it on too.")
            .also_known_as({"trust-anchor-sentinel"}));
    add(option("dnssec-bogus-ttl", Group::dnssec,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::bogus_ttl>,
               Seconds{.min = 1, .max = kDay},
               "How long data that failed validation, and zones whose keys could not be "
               "proven, are remembered as bogus before cairn tries again (RFC 4035 §4.7).")
            .also_known_as({"val-bogus-ttl"}));
    add(option("dnssec-max-verifications-per-rrset", Group::limits,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limits,
                  &dnssec::ValidationLimits::max_verifications_per_rrset>,
               Number<uint32_t>{.min = 1, .max = 1000},
               "Signature checks spent on one RRset before it is declared bogus; with the next "
               "two options, the defence against KeyTrap (CVE-2023-50387)."));
    add(option("dnssec-max-verifications-per-request", Group::limits,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limits,
                  &dnssec::ValidationLimits::max_verifications_per_request>,
               Number<uint32_t>{.min = 1, .max = 100'000},
               "Signature checks spent on one client request, the chain of trust included."));
    add(option("dnssec-max-keys-per-tag", Group::limits,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limits,
                  &dnssec::ValidationLimits::max_keys_per_tag>,
               Number<uint32_t>{.min = 1, .max = 100},
               "DNSKEYs tried for one signature when several share its key tag."));
    add(option("dnssec-limit-hold", Group::limits,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limit_hold>,
               Seconds{.min = 0, .max = kDay},
               "How long a zone stays held after one of its RRsets made validation spend "
               "dnssec-max-verifications-per-rrset, or named a key tag more than "
               "dnssec-max-keys-per-tag of its DNSKEYs share (KeyTrap, CVE-2023-50387). While "
               "held, at most one signature check is spent on each RRset of the zone, and a "
               "signature naming such a crowded key tag is not checked at all; if the zone's "
               "validated DNSKEY set itself crowds a tag (which no honest zone does and no "
               "forger can fake), names at and below it that are not cached are answered "
               "SERVFAIL (EDE 6) without asking. A flood of new names in the zone then costs "
               "about what a cache hit costs, and the worker keeps answering everyone else. "
               "Unproven data is SERVFAIL for that request only: not cached as bogus, not asked "
               "of another server; clients that set CD are not held up. 0: never hold."));
    add(option("dnssec-max-nsec3-hashes", Group::limits,
               at<&Config::resolver, &ResolverOptions::dnssec, &DnssecOptions::limits,
                  &dnssec::ValidationLimits::max_nsec3_hashes>,
               Number<uint32_t>{.min = 1, .max = 100'000},
               "NSEC3 hash computations spent on the proofs one client answer needs, its chain of "
               "trust included (CVE-2023-50868)."));

    // Work limits: budgets of one client request.
    add(option("max-upstream-queries", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::max_upstream_queries>,
               Number<uint32_t>{.min = 1, .max = 10'000},
               "Queries sent to authoritative servers on behalf of one client request.")
            .also_known_as({"max-qperq"}));
    add(option("max-referral-depth", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::max_referral_depth>,
               Number<uint32_t>{.min = 1, .max = 100},
               "Delegations followed for one client request."));
    add(option("max-cname-chain", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::max_cname_chain>,
               Number<uint32_t>{.min = 1, .max = 100},
               "CNAME and DNAME records followed for one client request."));
    add(option("max-glueless-ns", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::max_glueless_ns>,
               Number<uint32_t>{.min = 1, .max = 100},
               "Server names without glue whose address lookups may come back empty for one "
               "client request before cairn gives up on them; names are looked up one at a "
               "time, only when no server with a known address is left (the defence against "
               "NXNSAttack)."));
    add(option("max-ns-addresses", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::max_ns_addresses>,
               Number<uint32_t>{.min = 1, .max = 1000},
               "Server addresses asked for one zone during one lookup before cairn gives up on "
               "it."));
    add(option("resolution-timeout", Group::limits,
               at<&Config::resolver, &ResolverOptions::limits, &WorkLimits::resolution_timeout>,
               Duration{.min = milliseconds(100), .max = seconds(600)},
               "Deadline for one client request, from its arrival to the answer."));

    // Local policy.
    add(option("zone-policy", Group::policy, at<&Config::resolver, &ResolverOptions::zone_policy>,
               zone_policy_kind(),
               "Cache behaviour per zone: each entry names a zone and sets, for the data of "
               "that zone and the names below it, any of `cache-min-ttl`, `cache-max-ttl`, "
               "`prefetch`, `serve-stale`, `stale-max` and `stale-recheck-interval`. The "
               "closest enclosing zone with an entry decides; what its entry leaves out is the "
               "global option's value (not a less specific entry's). Signed data is still "
               "never kept past its signatures' expiration. Example: "
               "`zone-policy: [{name: example.com, cache-max-ttl: 5m, serve-stale: false}, "
               "{name: cdn.example.net, prefetch: false, stale-max: 2h}]`."));

    // Local policy: DNS64.
    add(option("dns64", Group::policy, at<&Config::dns64, &Dns64Options::enabled>, Boolean{},
               "DNS64 (RFC 6147), for IPv6-only clients behind a NAT64: an AAAA question whose "
               "name has no AAAA record (an empty answer, or an error other than NXDOMAIN) is "
               "answered with AAAA records made from the name's A records, each IPv4 address "
               "embedded in `dns64-prefix`. A CNAME chain is kept. The made records last no "
               "longer than the A records and the empty AAAA answer, and never carry AD; a "
               "client that sets both DO and CD validates by itself and gets the real answer, "
               "and an AAAA answer that fails validation is never replaced. Example: "
               "`dns64: true`."));
    add(option("dns64-prefix", Group::policy, at<&Config::dns64, &Dns64Options::prefix>, Prefix{},
               "The NAT64 prefix IPv4 addresses are embedded in (RFC 6052): 32, 40, 48, 56, 64 "
               "or 96 bits long. With the Well-Known Prefix 64:ff9b::/96, private and other "
               "non-global IPv4 addresses are not mapped (RFC 6052 section 3.1); with a "
               "network's own prefix they are. Example: `dns64-prefix: 2001:db8:64::/96`."));
    add(option("dns64-exclude", Group::policy, at<&Config::dns64, &Dns64Options::exclude>,
               ListOf<Prefix>{},
               "IPv6 prefixes whose AAAA records count as absent (RFC 6147 section 5.1.4), so "
               "that a name having only such addresses gets synthesised ones. Example: "
               "`dns64-exclude: [\"::ffff:0:0/96\", \"2001:db8:dead::/48\"]`."));
    add(option("dns64-exclude-ipv4", Group::policy, at<&Config::dns64, &Dns64Options::exclude_ipv4>,
               ListOf<Prefix>{},
               "IPv4 prefixes whose A records are never mapped into `dns64-prefix`. Example: "
               "`dns64-exclude-ipv4: [0.0.0.0/8, 127.0.0.0/8, 10.0.0.0/8]`."));
    add(option("dns64-ignore-aaaa", Group::policy, at<&Config::dns64, &Dns64Options::ignore_aaaa>,
               ListOf<DomainName>{},
               "Domains (with the names below them) whose real AAAA records are ignored: their "
               "AAAA answers are always made from A records, for sites whose IPv6 is broken. "
               "Example: `dns64-ignore-aaaa: [broken.example]`."));
    add(option("dns64-ptr", Group::policy, at<&Config::dns64, &Dns64Options::synthesise_ptr>,
               Boolean{},
               "With `dns64`, answer a PTR question for an address inside `dns64-prefix` with a "
               "CNAME to the in-addr.arpa name of the IPv4 address it embeds, and that name's "
               "PTR records (RFC 6147 section 5.3.1). Example: `dns64-ptr: false`."));

    // Local policy: the local root copy (RFC 8806).
    using policy::LocalRootOptions;
    add(option("local-root", Group::policy, at<&Config::local_root, &LocalRootOptions::enabled>,
               Boolean{},
               "Keep a copy of the root zone, transferred (AXFR) from `local-root-sources`, "
               "and answer from memory what cairn would ask the root servers (RFC 8806). A "
               "copy is used only when its DNSKEY RRset matches the root trust anchor, the "
               "RRSIG over its ZONEMD verifies and the ZONEMD digest (RFC 8976) matches the "
               "zone; it is refreshed by its SOA timers and dropped past SOA expire or when a "
               "signature in it expires. Until a copy is in, and whenever one is refused or "
               "lost, cairn asks the root servers and says so in the log and in the "
               "`local_root.*` counters. Off by default. Example: `local-root: true` with "
               "`local-root-sources`."));
    add(option("local-root-sources", Group::policy,
               at<&Config::local_root, &LocalRootOptions::sources>,
               ListOf<Endpoint>{.element = {.default_port = 53}},
               "Servers the root zone is transferred from, tried in order; port 53 unless "
               "given. Required with `local-root`, no default. Servers that allow it (RFC 8806 "
               "Appendix A, IANA): `[\"170.247.170.2\", \"192.33.4.12\", \"199.7.91.13\", "
               "\"192.5.5.241\", \"193.0.14.129\", \"192.0.47.132\", \"192.0.32.132\"]` "
               "(b, c, d, f, k root and xfr.cjr/xfr.lax.dns.icann.org)."));
    add(option("local-root-file", Group::policy, at<&Config::local_root, &LocalRootOptions::file>,
               FilePath{},
               "File where cairn keeps the last accepted root zone copy (zone-file text), and "
               "reads it at start, so it answers from it before the first transfer; the copy "
               "read is checked like a transferred one and its age counts from the file's "
               "time. Its directory must be writable by `user`. Empty (the default): none. "
               "Example: `/var/lib/cairn/root.zone`."));
    // Local policy: local zones and local data.
    using policy::BuiltinZoneSwitches;
    using policy::LocalZoneSpec;
    using policy::PolicyOptions;
    add(option("local-zones", Group::policy, at<&Config::policy, &PolicyOptions::local_zones>,
               ListOf<RecordOf<LocalZoneSpec>>{RecordOf<LocalZoneSpec>{
                   "local zone",
                   "local zones",
                   {field<&LocalZoneSpec::name>("name", DomainName{}, "the zone's apex").required(),
                    field<&LocalZoneSpec::type>(
                        "type", Keyword{policy::local_zone_type_names()},
                        "`deny`, `refuse`, `static`, `transparent`, `redirect` or `nodefault`: how "
                        "names in it are answered when `local-data` has no answer")
                        .required()},
                   {}}},
               "Zones cairn answers itself, as Unbound's `local-zone`; the closest enclosing "
               "zone of a name decides. Local data always answers first (with AA, and the TTL "
               "it was given); otherwise `deny` drops the query, `refuse` answers REFUSED "
               "(Extended DNS Error 15, Blocked), `static` answers NXDOMAIN, or NODATA for a "
               "name that has data, with the zone's SOA (from `local-data`, else the RFC 6303 "
               "one, negative TTL 3 hours), `transparent` resolves as usual (NODATA for a name "
               "whose data lacks the type asked), and `redirect` answers every name in the "
               "zone with the data of its apex (e.g. a CNAME to a block page). `nodefault` "
               "switches one built-in zone off, e.g. `10.in-addr.arpa` when your own servers "
               "have it. Default: none. Example: `[{name: ads.example, type: redirect}, {name: "
               "10.in-addr.arpa, type: nodefault}]`.")
            .also_known_as({"local-zone"}));
    add(option("local-data", Group::policy, at<&Config::policy, &PolicyOptions::local_data>,
               ListOf<ZoneRecord>{},
               "Records cairn answers itself, in zone-file syntax (names absolute, TTL 3600 "
               "and class IN unless given), e.g. `\"printer.home.arpa. 300 IN A "
               "192.168.1.5\"` or `\"5.1.168.192.in-addr.arpa. PTR printer.home.arpa.\"`. A "
               "record in no `local-zones` zone makes a `transparent` zone at its owner; one "
               "under a built-in zone is answered and the rest of that zone stays built in. A "
               "CNAME is answered for every type and followed through local data, then "
               "resolved. A CNAME beside other data, and wildcard owners (use a `redirect` "
               "zone), are errors. Default: none.")
            .also_known_as({"local-data-ptr"}));
    add(option(
        "local-zones-special-use", Group::policy,
        at<&Config::policy, &PolicyOptions::builtin_zones, &BuiltinZoneSwitches::special_use>,
        Boolean{},
        "Answers the special-use names of RFC 6761 without asking anyone: `localhost.` "
        "and every name under it is 127.0.0.1 and ::1, `test.` and `invalid.` are "
        "NXDOMAIN. Default: on. Example: `local-zones-special-use: off`."));
    add(option(
        "local-zones-private-reverse", Group::policy,
        at<&Config::policy, &PolicyOptions::builtin_zones, &BuiltinZoneSwitches::private_reverse>,
        Boolean{},
        "Answers the reverse zones of private and special addresses as empty zones "
        "(RFC 6303, and 100.64.0.0/10 of RFC 7793): 10/8, 172.16/12, 192.168/16, 0/8, "
        "127/8 (with `1.0.0.127.in-addr.arpa PTR localhost.`), 169.254/16, the "
        "documentation networks, 255.255.255.255, ::, ::1 (PTR localhost.), fd00::/8, "
        "fe80::/10 and 2001:db8::/32, so such lookups never reach the Internet. Switch "
        "one zone off with a `nodefault` local zone. Default: on. Example: "
        "`local-zones-private-reverse: off`."));
    add(option("local-zones-home-arpa", Group::policy,
               at<&Config::policy, &PolicyOptions::builtin_zones, &BuiltinZoneSwitches::home_arpa>,
               Boolean{},
               "Answers `home.arpa.` locally (RFC 8375): NXDOMAIN except for the names "
               "`local-data` gives, never asked of the root. Default: on. Example: "
               "`local-zones-home-arpa: off`."));
    add(option("local-zones-onion", Group::policy,
               at<&Config::policy, &PolicyOptions::builtin_zones, &BuiltinZoneSwitches::onion>,
               Boolean{},
               "Answers every `.onion` name NXDOMAIN without resolving it (RFC 7686: Tor "
               "names leak nothing to the DNS). Default: on. Example: `local-zones-onion: "
               "off`."));

    // Cache.
    add(option("cache-size", Group::cache, at<&Config::cache, &CacheOptions::max_bytes>,
               Size{.min = kMiB},
               "Memory for everything cairn keeps per name, zone or server, counted in bytes "
               "of cached entries; when a share is full, its least recently used entries are "
               "evicted. Shares, in 64ths: records 31, whole answers 16 (divided among the "
               "worker threads), negative answers 10, validated NSEC/NSEC3 records 4, "
               "per-server state (RTT, EDNS, lameness) 2, validated zone keys 1. Resident "
               "memory stays below cache-size plus an eighth of it (the allocator's slack) plus "
               "a fixed overhead of 32 MiB and 8 MiB per worker thread (program, buffers, "
               "work in progress).")
            .also_known_as({"msg-cache-size", "rrset-cache-size"}));
    add(option("cache-max-ttl", Group::cache, at<&Config::cache, &CacheOptions::max_ttl>,
               Seconds{.min = 1, .max = 365 * kDay},
               "Longest time a record is kept, whatever TTL its zone gives it.")
            .also_known_as({"max-cache-ttl"}));
    add(option("cache-min-ttl", Group::cache, at<&Config::cache, &CacheOptions::min_ttl>,
               Seconds{.min = 0, .max = kDay},
               "Shortest time a record is kept: smaller TTLs are raised to it. Anything above 0 "
               "overrides the zone owner's choice, so keep it small.")
            .also_known_as({"minimum-ttl-override"}));
    add(option("cache-max-negative-ttl", Group::cache,
               at<&Config::cache, &CacheOptions::max_negative_ttl>, Seconds{.min = 0, .max = kDay},
               "Longest time a negative answer (NXDOMAIN or NODATA) is kept (RFC 2308 §5).")
            .also_known_as({"max-negative-ttl"}));

    add(option("serve-stale", Group::cache,
               at<&Config::resolver, &ResolverOptions::serve_stale, &ServeStaleOptions::enabled>,
               Boolean{},
               "When the servers of a name cannot be reached, answer with the expired data "
               "still in the cache (RFC 8767), marked with Extended DNS Error 3 (Stale Answer) "
               "or 19 (Stale NXDOMAIN Answer).")
            .also_known_as({"serve-expired"}));
    add(option("stale-max", Group::cache, at<&Config::cache, &CacheOptions::stale_max>,
               Seconds{.min = 0, .max = 30 * kDay},
               "How long expired data is kept for serve-stale. Signed data is never kept past "
               "the expiration of its signatures. 0 keeps nothing.")
            .also_known_as({"serve-expired-ttl", "max-stale-ttl"}));
    add(option("stale-answer-ttl", Group::cache,
               at<&Config::resolver, &ResolverOptions::serve_stale, &ServeStaleOptions::answer_ttl>,
               Seconds{.min = 1, .max = 3600},
               "TTL of the records in a stale answer (RFC 8767 §4 recommends 30 seconds).")
            .also_known_as({"serve-expired-reply-ttl"}));
    add(option("stale-client-timeout", Group::cache,
               at<&Config::resolver, &ResolverOptions::serve_stale,
                  &ServeStaleOptions::client_timeout>,
               Duration{.min = milliseconds(0), .max = seconds(30)},
               "A client whose question needs a refresh that takes longer than this gets the "
               "stale data at once, while the refresh goes on. 0: wait for the refresh (or its "
               "failure).")
            .also_known_as({"serve-expired-client-timeout"}));
    add(option(
        "stale-recheck-interval", Group::cache,
        at<&Config::resolver, &ResolverOptions::serve_stale, &ServeStaleOptions::recheck_interval>,
        Duration{.min = seconds(1), .max = seconds(3600)},
        "After a refresh failed, stale data is answered without asking the servers "
        "again for this long, so a dead zone is not asked on every query."));
    add(option("prefetch", Group::cache,
               at<&Config::resolver, &ResolverOptions::prefetch, &PrefetchOptions::enabled>,
               Boolean{},
               "Refresh a popular record in the background shortly before it expires, so its "
               "users never wait for it. An unchanged record (same data, same signatures) is "
               "renewed without checking its signatures again."));
    add(option(
        "prefetch-threshold", Group::cache,
        at<&Config::resolver, &ResolverOptions::prefetch, &PrefetchOptions::threshold_percent>,
        Number<uint32_t>{.min = 1, .max = 50},
        "Prefetch when less than this percentage of a record's TTL is left (at least "
        "its last 2 seconds, for a TTL of 4 s or more) and it has been asked for at "
        "least `prefetch-min-hits` times since it was cached."));
    add(option("prefetch-min-hits", Group::cache,
               at<&Config::resolver, &ResolverOptions::prefetch, &PrefetchOptions::min_hits>,
               Number<uint32_t>{.min = 1, .max = 1000},
               "How often a record must have been asked for since it was cached before it is "
               "prefetched. Only questions the packet cache could not answer count, and it "
               "answers them all until `prefetch-threshold` of the TTL is left: 1 refreshes "
               "every record asked for in that last part (as Unbound does); higher values "
               "spare upstream traffic for names asked for rarely, at the price of more "
               "clients waiting for an expired record."));

    // Control and logging.
    add(option(
            "control-socket", Group::control, at<&Config::control_socket>,
            FilePath{.unix_socket = true},
            "Unix socket on which cairn takes commands from `cairnctl`, for example "
            "`/run/cairn/control.sock`. It is created with mode 0660 (owner and group "
            "only); a missing directory is created with mode 0750, so give the socket a "
            "directory of its own. With `user`, the socket and a directory made for it are handed "
            "to that user, who can then still remove and re-create them. Empty: no control "
            "socket.")
            .also_known_as({"control-interface"}));
    add(option("metrics-listen", Group::control, at<&Config::metrics_listen>,
               ListOf<Endpoint>{.element = {.default_port = 9153}},
               "Addresses where cairn serves its figures over HTTP for Prometheus: `GET "
               "/metrics` answers them in the text exposition format (the counters of "
               "`cairnctl stats`, cache sizes, answers by transport and rcode, DNSSEC outcomes, "
               "histograms of answer latency and upstream round trips). The port is 9153 "
               "unless given. The endpoint has no access control and no TLS: bind it to "
               "loopback or a management network only, never to an address the Internet can "
               "reach. It takes 16 connections at once, each for 5 seconds at most. Empty: "
               "off.")
            .also_known_as({"webserver-address", "statistics-channels", "metrics-address"}));
    add(option("user", Group::control, at<&Config::user>, Text{.max_length = 32},
               "User cairn runs as once its sockets are bound: started as root, it switches to "
               "this user keeping only the capability to bind ports below 1024 "
               "(CAP_NET_BIND_SERVICE), so a reload can still listen on new addresses. Empty: "
               "cairn stays the user it was started as, with a warning when that is root. After "
               "the switch this user must be able to read the configuration file, `root-hints` "
               "and `trust-anchors` (for reloads) and write the `control-socket` directory. "
               "`user`, `group` and `chroot` take effect at start only.")
            .also_known_as({"username", "setuid"}));
    add(option("group", Group::control, at<&Config::group>, Text{.max_length = 32},
               "Group cairn runs as with `user`. Empty: that user's primary group. "
               "Supplementary groups are dropped.")
            .also_known_as({"setgid"}));
    add(option("chroot", Group::control, at<&Config::chroot>, FilePath{},
               "Directory cairn confines itself to after binding its sockets and before "
               "switching user (needs root). Reloads then read the configuration file at its "
               "path inside that directory: keep it there, and name the files it refers to "
               "with paths relative to it, so they resolve to the same files before and after "
               "the switch. Empty: no chroot."));
    add(option("log-level", Group::control, at<&Config::log_level>,
               Keyword{.words = {"error", "warn", "info", "debug"}},
               "Least severe messages that are logged.")
            .also_known_as({"verbosity", "loglevel"}));
    add(option("log-file", Group::control, at<&Config::log_file>, FilePath{},
               "File the log is appended to. Empty (the default): standard error, which the "
               "journal takes when systemd runs cairn. Opened at start, before privileges are "
               "dropped; a change takes effect at the next start. Rotate it with copytruncate "
               "(cairn keeps the file open)."));
    add(option("log-queries", Group::control, at<&Config::log_queries>, Boolean{},
               "Log a line for every client query when its answer leaves: the time (UTC), the "
               "client as `client-address-privacy` shows it, the transport, the name, the type "
               "and the rcode (`dropped` when the rate limit sent nothing), as in "
               "`2024-05-01T12:00:00.123Z query 192.0.2.0/24 udp www.example.com. A NOERROR`. "
               "Lines go where the log goes, whatever `log-level` says. Each line costs the "
               "worker threads a shared lock; at high query rates use dnstap instead.")
            .also_known_as({"log-replies"}));
    add(option("client-address-privacy", Group::control, at<&Config::client_address_privacy>,
               Keyword{.words = {"full", "prefix", "hash"}},
               "How client addresses appear in the query log, dnstap and the logs, for "
               "whoever keeps lookups by address can profile the people behind them. `full`: "
               "the address. `prefix`: its network, the first 24 bits of IPv4 or 48 of IPv6 "
               "(`192.0.2.0/24`, `2001:db8:1::/48`). `hash`: a token (`hash:5f0c2a9e`) keyed "
               "with a secret that changes every day at 00:00 UTC and is never written "
               "anywhere: within a day one address always gives the same token, so clients "
               "can be counted, but no address can be recovered, nor one day's tokens linked "
               "to another's (or to those before a restart). dnstap carries a token as an "
               "address of the client's family made of its octets. With `prefix` and `hash` "
               "dnstap leaves the client's port out.")
            .also_known_as({"log-client-address", "anonymize-client-address"}));

    // dnstap.
    using observe::DnstapOptions;
    using observe::DnstapSelection;
    add(option("dnstap-socket", Group::dnstap, at<&Config::dnstap, &DnstapOptions::socket>,
               FilePath{.unix_socket = true},
               "Unix socket of the dnstap reader, for example the one `fstrm_capture -u` "
               "listens on. cairn connects to it (bidirectional Frame Streams, content type "
               "`protobuf:dnstap.Dnstap`), and connects again whenever the connection is lost: "
               "with `chroot` and `user`, the socket must be reachable inside the chroot and "
               "writable by that user. Empty: no dnstap over a unix socket.")
            .also_known_as({"dnstap-socket-path"}));
    add(option("dnstap-address", Group::dnstap, at<&Config::dnstap, &DnstapOptions::address>,
               OptionalEndpoint{.endpoint = {.default_port = 6000}},
               "TCP address of the dnstap reader, instead of `dnstap-socket`; the port is 6000 "
               "unless given. The stream is not encrypted: keep it on a trusted network. "
               "Empty: no dnstap over TCP.")
            .also_known_as({"dnstap-ip"}));
    add(option("dnstap-identity", Group::dnstap, at<&Config::dnstap, &DnstapOptions::identity>,
               Text{.max_length = kTxtStringMax},
               "The `identity` of every dnstap frame, to tell servers apart in one "
               "collection. Empty: this host's name."));
    add(option("dnstap-version", Group::dnstap, at<&Config::dnstap, &DnstapOptions::version>,
               Text{.max_length = kTxtStringMax},
               "The `version` of every dnstap frame. Empty: `cairn` and its version."));
    add(option("dnstap-client-queries", Group::dnstap,
               at<&Config::dnstap, &DnstapOptions::selection, &DnstapSelection::client_queries>,
               Boolean{}, "Record the queries clients send (CLIENT_QUERY), every transport alike.")
            .also_known_as({"dnstap-log-client-query-messages"}));
    add(option("dnstap-client-responses", Group::dnstap,
               at<&Config::dnstap, &DnstapOptions::selection, &DnstapSelection::client_responses>,
               Boolean{}, "Record the answers cairn sends clients (CLIENT_RESPONSE).")
            .also_known_as({"dnstap-log-client-response-messages"}));
    add(option("dnstap-resolver-queries", Group::dnstap,
               at<&Config::dnstap, &DnstapOptions::selection, &DnstapSelection::resolver_queries>,
               Boolean{},
               "Record the queries cairn sends authoritative servers (RESOLVER_QUERY), each "
               "UDP or TCP attempt with cairn's source address and port. Off by default: a "
               "client query that misses the cache can take many of them.")
            .also_known_as({"dnstap-log-resolver-query-messages"}));
    add(option("dnstap-resolver-responses", Group::dnstap,
               at<&Config::dnstap, &DnstapOptions::selection, &DnstapSelection::resolver_responses>,
               Boolean{},
               "Record the responses of authoritative servers that cairn took "
               "(RESOLVER_RESPONSE), with the time their query left.")
            .also_known_as({"dnstap-log-resolver-response-messages"}));
    add(option("dnstap-queue-size", Group::dnstap, at<&Config::dnstap, &DnstapOptions::queue_size>,
               Number<uint32_t>{.min = 16, .max = 16'384},
               "Frames each worker thread may have waiting for the dnstap writer, rounded up "
               "to a power of two. Beyond it, while the reader is slow, frames are dropped "
               "(and counted) rather than kept."));
    add(option("rpz", Group::policy, at<&Config::rpz, &policy::RpzOptions::zones>, rpz_zones_kind(),
               "Response policy zones (RPZ, as BIND and Unbound read them), consulted in this "
               "order: owner names are triggers (a query name, `*.name`, an answer address "
               "under `rpz-ip`, a name server under `rpz-nsdname` or `rpz-nsip`, a client "
               "under `rpz-client-ip`), records are actions (`CNAME .` NXDOMAIN, `CNAME *.` "
               "NODATA, `CNAME rpz-passthru.`, `CNAME rpz-drop.`, `CNAME rpz-tcp-only.`, other "
               "records or a CNAME to another name: local data). A zone comes from a `file` "
               "(read again on reload) or from `primaries` by AXFR/IXFR, refreshed by its SOA "
               "timers and by NOTIFY; a zone that fails to load or transfer keeps its previous "
               "version. Rewritten answers carry an Extended DNS Error (`ede`). Empty "
               "(default): no policy. Example: `rpz: [{name: rpz.example, primaries: "
               "[192.0.2.53]}, {name: local.rpz, file: /etc/cairn/local.rpz, policy: "
               "nxdomain}]`.")
            .also_known_as({"response-policy"}));
    add(option("rpz-break-dnssec", Group::policy,
               at<&Config::rpz, &policy::RpzOptions::break_dnssec>, Boolean{},
               "Apply response policy to answers a DNSSEC-aware client (DO=1) gets as validated "
               "secure, as BIND's `break-dnssec yes`. Off (default): such answers pass unchanged, "
               "since the client could not tell a rewrite from an attack. "
               "Example: `rpz-break-dnssec: true`.")
            .also_known_as({"break-dnssec"}));
    add_forwarding_options(add);
    return table;
}

std::string family_gap(const Config& config) {
    const auto& sources = config.resolver.outgoing_addresses;
    if (sources.empty()) return {};
    const bool any_v4 = std::any_of(sources.begin(), sources.end(),
                                    [](const wire::IpAddress& a) { return a.is_v4(); });
    const bool any_v6 = std::any_of(sources.begin(), sources.end(),
                                    [](const wire::IpAddress& a) { return !a.is_v4(); });
    if (config.resolver.upstream_ipv4 && !any_v4) return "IPv4";
    if (config.resolver.upstream_ipv6 && !any_v6) return "IPv6";
    return {};
}

std::vector<Rule> make_rules() {
    std::vector<Rule> list;
    list.push_back({{"local-data", "local-zones"},
                    "`local-zones` and `local-data` must make a consistent set of zones.",
                    [](const Config& config) -> std::optional<std::string> {
                        auto zones = policy::LocalZones::build(config.policy);
                        if (zones) return std::nullopt;
                        return zones.error();
                    }});
    list.push_back({{"zone-policy"},
                    "`zone-policy` names each zone once.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& entries = config.resolver.zone_policy;
                        for (size_t i = 0; i < entries.size(); ++i)
                            for (size_t j = 0; j < i; ++j)
                                if (entries[i].name == entries[j].name)
                                    return "zone-policy names " + entries[i].name.to_text() +
                                           " twice";
                        return std::nullopt;
                    }});
    list.push_back({{"dns64-prefix"},
                    "`dns64-prefix` is an IPv6 prefix of 32, 40, 48, 56, 64 or 96 bits whose bits "
                    "64 to 71 are zero (RFC 6052 section 2.2).",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto problem = policy::dns64_prefix_problem(config.dns64.prefix);
                        if (!problem) return std::nullopt;
                        return "dns64-prefix " + config.dns64.prefix.to_string() + ": " + *problem;
                    }});
    list.push_back({{"dns64-exclude"},
                    "`dns64-exclude` lists IPv6 prefixes only.",
                    [](const Config& config) -> std::optional<std::string> {
                        for (const auto& prefix : config.dns64.exclude)
                            if (prefix.address().is_v4())
                                return "dns64-exclude lists " + prefix.to_string() +
                                       ", which is not an IPv6 prefix (see dns64-exclude-ipv4)";
                        return std::nullopt;
                    }});
    list.push_back({{"dns64-exclude-ipv4"},
                    "`dns64-exclude-ipv4` lists IPv4 prefixes only.",
                    [](const Config& config) -> std::optional<std::string> {
                        for (const auto& prefix : config.dns64.exclude_ipv4)
                            if (!prefix.address().is_v4())
                                return "dns64-exclude-ipv4 lists " + prefix.to_string() +
                                       ", which is not an IPv4 prefix";
                        return std::nullopt;
                    }});
    list.push_back({{"cache-min-ttl", "cache-max-ttl"},
                    "`cache-min-ttl` must not be greater than `cache-max-ttl`.",
                    [](const Config& config) -> std::optional<std::string> {
                        if (config.cache.min_ttl <= config.cache.max_ttl) return std::nullopt;
                        const Seconds kind;
                        return "cache-min-ttl (" + kind.format(config.cache.min_ttl) +
                               ") is greater than cache-max-ttl (" +
                               kind.format(config.cache.max_ttl) + ")";
                    }});
    list.push_back({{"local-root", "local-root-sources"},
                    "`local-root` needs at least one address in `local-root-sources`.",
                    [](const Config& config) -> std::optional<std::string> {
                        if (!config.local_root.enabled || !config.local_root.sources.empty())
                            return std::nullopt;
                        return std::string(
                            "local-root is on but local-root-sources is empty, so the root "
                            "zone could not be transferred from anywhere");
                    }});
    list.push_back({{"upstream-ipv4", "upstream-ipv6"},
                    "`upstream-ipv4` and `upstream-ipv6` must not both be off.",
                    [](const Config& config) -> std::optional<std::string> {
                        if (config.resolver.upstream_ipv4 || config.resolver.upstream_ipv6)
                            return std::nullopt;
                        return std::string(
                            "upstream-ipv4 and upstream-ipv6 are both off, so no authoritative "
                            "server could be queried");
                    }});
    list.push_back({{"outgoing-address", "upstream-ipv4", "upstream-ipv6"},
                    "When `outgoing-address` lists addresses, it includes an IPv4 address if "
                    "`upstream-ipv4` is on and an IPv6 address if `upstream-ipv6` is on.",
                    [](const Config& config) -> std::optional<std::string> {
                        const std::string family = family_gap(config);
                        if (family.empty()) return std::nullopt;
                        const std::string option =
                            family == "IPv4" ? "upstream-ipv4" : "upstream-ipv6";
                        return "outgoing-address has no " + family + " address, but " + option +
                               " is on (add one, or turn " + option + " off)";
                    }});
    list.push_back({{"resolution-timeout", "upstream-initial-timeout"},
                    "`resolution-timeout` must not be shorter than `upstream-initial-timeout`.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& resolver = config.resolver;
                        if (resolver.limits.resolution_timeout >= resolver.initial_timeout)
                            return std::nullopt;
                        return "resolution-timeout (" +
                               format_duration(resolver.limits.resolution_timeout) +
                               ") is shorter than upstream-initial-timeout (" +
                               format_duration(resolver.initial_timeout) + ")";
                    }});
    list.push_back({{"tcp-max-connections-per-client", "tcp-max-connections"},
                    "`tcp-max-connections-per-client` must not be greater than "
                    "`tcp-max-connections`.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& server = config.server;
                        if (server.tcp_max_connections_per_client <= server.tcp_max_connections)
                            return std::nullopt;
                        return "tcp-max-connections-per-client (" +
                               std::to_string(server.tcp_max_connections_per_client) +
                               ") is greater than tcp-max-connections (" +
                               std::to_string(server.tcp_max_connections) + ")";
                    }});
    list.push_back({{"listen-tls", "listen-https", "listen-quic", "tls-certificate", "tls-key"},
                    "`listen-tls`, `listen-https` and `listen-quic` need `tls-certificate` and "
                    "`tls-key`.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& e = config.server.encrypted;
                        if (!e.tls_certificate.empty() && !e.tls_key.empty()) return std::nullopt;
                        for (const auto& [name, list] : {std::pair{"listen-tls", &e.listen_tls},
                                                         std::pair{"listen-https", &e.listen_https},
                                                         std::pair{"listen-quic", &e.listen_quic}})
                            if (!list->empty())
                                return std::string(name) + " needs tls-certificate and tls-key";
                        return std::nullopt;
                    }});
    list.push_back({{"listen-quic", "listen"},
                    "`listen-quic` names each address and port once, none of `listen`'s (both "
                    "are UDP), and never port 53 (RFC 9250 §4.1.1).",
                    [](const Config& config) -> std::optional<std::string> {
                        auto addresses = config.server.encrypted.listen_quic;
                        for (const auto& address : addresses)
                            if (address.port == 53)
                                return "listen-quic " + address.to_string() +
                                       ": DNS over QUIC must not use port 53";
                        std::sort(addresses.begin(), addresses.end());
                        if (const auto twice =
                                std::adjacent_find(addresses.begin(), addresses.end());
                            twice != addresses.end())
                            return "listen-quic names " + twice->to_string() + " more than once";
                        for (const auto& address : config.server.listen)
                            if (std::binary_search(addresses.begin(), addresses.end(), address))
                                return address.to_string() +
                                       " is in both listen and listen-quic (both are UDP)";
                        return std::nullopt;
                    }});
    list.push_back({{"https-path"},
                    "`https-path` starts with `/` and has no `?`.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& path = config.server.encrypted.https_path;
                        if (!path.empty() && path.front() == '/' &&
                            path.find('?') == std::string::npos)
                            return std::nullopt;
                        return "https-path '" + path + "' must start with / and have no ?";
                    }});
    list.push_back({{"listen-tls", "listen-https", "listen-http", "listen"},
                    "`listen`, `listen-tls`, `listen-https` and `listen-http` name each "
                    "address and port once between them (they share TCP's ports).",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& e = config.server.encrypted;
                        // Twice in `listen` alone is the rule below's to report.
                        auto addresses = config.server.listen;
                        std::sort(addresses.begin(), addresses.end());
                        addresses.erase(std::unique(addresses.begin(), addresses.end()),
                                        addresses.end());
                        for (const auto* list : {&e.listen_tls, &e.listen_https, &e.listen_http})
                            addresses.insert(addresses.end(), list->begin(), list->end());
                        std::sort(addresses.begin(), addresses.end());
                        const auto twice = std::adjacent_find(addresses.begin(), addresses.end());
                        if (twice == addresses.end()) return std::nullopt;
                        return twice->to_string() +
                               " is named more than once in listen, "
                               "listen-tls, listen-https and listen-http";
                    }});
    list.push_back({{"max-inflight-per-client", "max-inflight"},
                    "`max-inflight-per-client` must not be greater than `max-inflight`.",
                    [](const Config& config) -> std::optional<std::string> {
                        const auto& server = config.server;
                        if (server.max_inflight_per_client <= server.max_inflight)
                            return std::nullopt;
                        return "max-inflight-per-client (" +
                               std::to_string(server.max_inflight_per_client) +
                               ") is greater than max-inflight (" +
                               std::to_string(server.max_inflight) + ")";
                    }});
    list.push_back({{"dnstap-address", "dnstap-socket"},
                    "`dnstap-socket` and `dnstap-address` are not both set.",
                    [](const Config& config) -> std::optional<std::string> {
                        if (config.dnstap.socket.empty() || !config.dnstap.address)
                            return std::nullopt;
                        return std::string(
                            "dnstap-socket and dnstap-address are both set; name one reader");
                    }});
    list.push_back({{"listen"},
                    "`listen` names each address and port once.",
                    [](const Config& config) -> std::optional<std::string> {
                        auto addresses = config.server.listen;
                        std::sort(addresses.begin(), addresses.end());
                        const auto twice = std::adjacent_find(addresses.begin(), addresses.end());
                        if (twice == addresses.end()) return std::nullopt;
                        return "listen names " + twice->to_string() + " more than once";
                    }});
    list.push_back(
        {{"forward-zones", "stub-zones"},
         "A zone is named once in `forward-zones` and `stub-zones` together, and "
         "each of its addresses once.",
         [](const Config& config) { return policy::ForwardZones::check(config.forwarding); }});
    return list;
}

}  // namespace

std::span<const Option> options() {
    static const std::vector<Option> table = make_options();
    return table;
}

const Option* find_option(std::string_view key) {
    for (const Option& entry : options())
        if (entry.key == key) return &entry;
    return nullptr;
}

std::span<const Rule> rules() {
    static const std::vector<Rule> list = make_rules();
    return list;
}

}  // namespace cairn::config
