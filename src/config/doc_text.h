// The words of the configuration reference, shared by its two renderings
// from the option table: docs/configuration.md (config_doc.cc) and the
// cairn.yaml(5) manual page (config_man.cc). Prose here and in the table's
// help texts is Markdown with `code` spans and nothing else, which each
// rendering turns into its own markup.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "config/option.h"

namespace cairn::config::doc {

struct GroupText {
    Group group;
    std::string_view title;
    std::string_view intro;
};

inline constexpr std::array<GroupText, 9> kGroups = {{
    {Group::server, "Server", "Where cairn listens and whom it answers."},
    {Group::clients, "Client limits",
     "What one client may take of cairn, so that none can crowd out the others or use cairn "
     "against a third party: response rate limits, DNS cookies, TCP connections and "
     "resolutions in flight. A client is a network, not an address: its address with the host "
     "bits cleared to `client-prefix-ipv4` or `client-prefix-ipv6`."},
    {Group::upstream, "Upstream", "How cairn finds and asks the authoritative servers."},
    {Group::dnssec, "DNSSEC",
     "How cairn proves answers (RFC 4033-4035, RFC 5155): it validates by default, from the "
     "root zone's trust anchors, and answers SERVFAIL with an Extended DNS Error for data that "
     "fails."},
    {Group::limits, "Work limits",
     "Budgets of one client request. A request that exceeds one ends with SERVFAIL and an "
     "Extended DNS Error, never with unbounded work: the limits stop known attacks by "
     "construction. The defaults suit nearly everyone; raise one only for a reason."},
    {Group::policy, "Local policy",
     "What the operator decides about names, before and instead of asking the DNS: "
     "answers given locally, zones sent to other servers, names blocked or rewritten, and "
     "cache behaviour per zone. The closest enclosing zone of a name decides."},
    {Group::cache, "Cache", "How much cairn remembers, and for how long."},
    {Group::control, "Control and logging", "How cairn is operated and what it reports."},
    {Group::dnstap, "dnstap",
     "What cairn records of the messages it receives and sends, as dnstap (dnstap.info) "
     "frames over Frame Streams, for a reader such as `fstrm_capture`, `dnstap-ldns` or a "
     "collector. Off until `dnstap-socket` or `dnstap-address` names the reader. Recording "
     "never delays an answer: each worker thread queues its frames for a writer thread, and "
     "a frame that finds the queue full, or no reader connected, is dropped and counted "
     "(`dnstap.dropped` in `cairnctl stats`; `dnstap.connected` tells whether a reader is "
     "connected). A reader that goes away is reconnected to every second. Client addresses "
     "appear as `client-address-privacy` says."},
}};

// How values of each type are written. Every option type is listed here, as a
// unit test checks.
struct TypeSyntax {
    std::string_view type;
    std::string_view syntax;
};

inline constexpr std::array<TypeSyntax, 15> kTypeSyntax = {{
    {"boolean", "`true` or `false`; `yes`/`no` and `on`/`off` work too"},
    {"integer", "decimal digits: `4096`"},
    {"size",
     "bytes, or a number with `k`, `m`, `g` (powers of 1024): `4096`, `512k`, `256m`, "
     "`1g`"},
    {"duration",
     "a number with a unit `ms`, `s`, `m`, `h` or `d`, alone or combined: `800ms`, `10s`, "
     "`1h30m`; a plain number is seconds. TTL options take whole seconds"},
    {"string",
     "text; quote it if it contains `: ` or ` #`, or starts with a YAML special "
     "character"},
    {"file path",
     "relative paths are taken from the directory of the configuration file; empty (`\"\"`) "
     "means what the option says"},
    {"keyword", "one of the words the option lists"},
    {"hex key",
     "32 hexadecimal digits, as `openssl rand -hex 16` prints them; quote it if it could read as "
     "a number; empty (`\"\"`) means what the option says"},
    {"socket address",
     "`ADDRESS` or `ADDRESS:PORT`, port 53 unless given: `192.0.2.1`, `192.0.2.1:5353`, `::1`, "
     "`\"[::1]:5353\"`. YAML reads a leading `[` as a list, so quote an IPv6 address with a "
     "port"},
    {"IP prefix",
     "`ADDRESS/LENGTH`: `192.0.2.0/24`, `2001:db8::/32`; a single address stands "
     "for itself alone"},
    {"IP address", "`192.0.2.1`, `2001:db8::1`"},
    {"domain name", "`example.com` or `example.com.`; always taken as absolute"},
    {"record",
     "one resource record in zone-file syntax, `OWNER [TTL] [CLASS] TYPE RDATA`, quoted: "
     "`\"www.example. 300 IN A 192.0.2.1\"`; names are absolute, TTL and class optional"},
    {"mapping",
     "a list item with named fields, one `field: value` per line under its `- `, or in flow "
     "style `{name: corp.example, addresses: [192.0.2.1]}`; each option lists its fields, and "
     "a field takes a value of its own type (or a list, if its type is a list)"},
    {"list",
     "a YAML list in either style (`[a, b]`, or one `- item` per line), or a single "
     "value for a list of one (`allow: 192.0.2.0/24`); `[]` is the empty list"},
}};

inline constexpr std::string_view kExample =
    R"(# /etc/cairn/cairn.yaml: a resolver for an office network.
listen:
  - 127.0.0.1
  - "::1"
  - 192.0.2.53
allow:
  - 127.0.0.0/8
  - "::1"
  - 192.0.2.0/24
  - 2001:db8:1::/48
threads: 4
cache-size: 1g
cache-max-ttl: 1d
upstream-ipv6: off
control-socket: /run/cairn/control.sock
log-level: warn
)";

inline constexpr std::string_view kIntro =
    "Cairn reads its configuration from one YAML file, named on the command line "
    "(`cairn --config /etc/cairn/cairn.yaml`). Every option has a safe default, so an empty "
    "file works: cairn then listens on 127.0.0.1 and ::1, port 53, answers only clients on "
    "the same host (never an open resolver by default), and finds the root servers from "
    "the built-in IANA root hints.";

inline constexpr std::string_view kMapping = "The file is a mapping from option names to values:";

inline constexpr std::string_view kChecks =
    "Cairn checks the whole file before it starts and refuses to run on any mistake: an "
    "unknown or misspelt option, a value of the wrong type or out of range, an option given "
    "twice, or options that contradict each other. It reports every mistake at once, each "
    "with the file, the line and the option:";

inline constexpr std::string_view kRulesIntro = "Checked once every option is read:";

// What cairn says about a file with deliberate mistakes: real error
// messages, for both renderings.
std::string error_examples();

}  // namespace cairn::config::doc
