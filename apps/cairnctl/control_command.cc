#include "cairnctl/control_command.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cairnctl/control_client.h"

namespace cairn::ctl {

namespace {

struct SimpleCommand {
    std::string_view name;
    std::string_view help;
};

// Commands without arguments: the name is the whole line.
constexpr std::array<SimpleCommand, 5> kSimpleCommands = {{
    {"status", "Print the version, uptime, configuration file, threads and listeners"},
    {"reload", "Reread the configuration file and apply it (errors leave it unchanged)"},
    {"flush-bogus", "Remove from the caches everything validation found bogus"},
    {"flush-infra",
     "Forget what was learnt about the authoritative servers (RTT, EDNS, lameness, cookies)"},
    {"stop", "Stop the daemon gracefully"},
}};

// Long enough for a reload (new workers start, old ones finish their
// answers), a trace (a whole resolution) or the dump of a large cache.
constexpr std::chrono::seconds kReplyTimeout{60};

// A subcommand with --socket; `line` makes the command line once parsing is
// done.
CLI::App* add_command(CLI::App& parent, Command& command, const std::string& name,
                      const std::string& help,
                      std::function<Result<std::string, TextError>()> line) {
    auto socket_path = std::make_shared<std::string>(kDefaultControlSocket);
    CLI::App* sub = parent.add_subcommand(name, help);
    sub->add_option("--socket", *socket_path, "The daemon's control socket (control-socket)")
        ->capture_default_str();
    sub->callback([socket_path, line = std::move(line), &command] {
        command = [socket_path, line] {
            auto text = line();
            if (!text) {
                std::fprintf(stderr, "cairnctl: %s\n", text.error().message.c_str());
                return kExitUsage;
            }
            return run_control_command(*socket_path, *text);
        };
    });
    return sub;
}

void add_stats(CLI::App& app, Command& command) {
    auto json = std::make_shared<bool>(false);
    auto* sub =
        add_command(app, command, "stats",
                    "Print the daemon's counters, one 'name value' per line, summed over workers",
                    [json]() -> Result<std::string, TextError> {
                        return std::string(*json ? "stats --json" : "stats");
                    });
    sub->add_flag("--json", *json, "One JSON object instead");
}

void add_flush(CLI::App& app, Command& command) {
    auto name = std::make_shared<std::string>();
    auto subtree = std::make_shared<bool>(false);
    auto type = std::make_shared<std::string>();
    auto* sub =
        add_command(app, command, "flush", "Empty the caches, or remove what they hold for NAME",
                    [=]() -> Result<std::string, TextError> {
                        if (name->empty() && (*subtree || !type->empty()))
                            return text_error("flush: --subtree and --type need a NAME");
                        return flush_line(*name, *subtree, *type);
                    });
    sub->add_option("name", *name, "Only this name's RRsets, negative answers and zone keys");
    sub->add_flag("--subtree", *subtree, "NAME and every name below it");
    sub->add_option("--type", *type, "Only this type (a NXDOMAIN of NAME goes too)");
}

void add_cache(CLI::App& app, Command& command) {
    CLI::App* cache = app.add_subcommand("cache", "Dump the caches as text, or load such a dump");
    cache->require_subcommand(1);
    add_command(*cache, command, "dump",
                "Print every live RRset and negative answer, one per line, with its TTL left, "
                "trust rank and DNSSEC status",
                []() -> Result<std::string, TextError> { return std::string("cache dump"); });
    auto path = std::make_shared<std::string>();
    auto* load = add_command(
        *cache, command, "load",
        "Load a dump (warm restart): entries keep the TTL they had left, less the time since "
        "the dump, and their DNSSEC status",
        [path] { return cache_load_line(*path); });
    load->add_option("file", *path, "A file `cache dump` wrote (read by the daemon)")->required();
}

void add_trace(CLI::App& app, Command& command) {
    auto name = std::make_shared<std::string>();
    auto type = std::make_shared<std::string>("A");
    auto json = std::make_shared<bool>(false);
    auto no_cache = std::make_shared<bool>(false);
    auto* sub = add_command(
        app, command, "trace",
        "Resolve NAME in the daemon and show each step: servers asked, answers from the cache, "
        "the DNSSEC chain with its verdicts",
        [=]() -> Result<std::string, TextError> {
            return trace_line(*name, *type, *json, *no_cache);
        });
    sub->add_option("name", *name, "The name to resolve")->required();
    sub->add_option("type", *type, "The type (A by default)")->capture_default_str();
    sub->add_flag("--json", *json, "One JSON object (see README.md) instead of the tree");
    sub->add_flag("--no-cache", *no_cache,
                  "Ask upstream for the answer even if cached (delegations and keys may still "
                  "come from the cache, which is not flushed)");
}

void add_trust_anchors(CLI::App& app, Command& command) {
    auto action = std::make_shared<std::string>();
    auto* sub = add_command(
        app, command, "trust-anchors",
        "Show the tracked root trust anchor (RFC 5011): each key's state, the last and next "
        "refresh, warnings; `refresh` asks the root's DNSKEY RRset now and shows the state "
        "once it is applied",
        [action]() -> Result<std::string, TextError> {
            if (action->empty()) return std::string("trust-anchors");
            if (*action != "refresh")
                return text_error("trust-anchors: unknown action '" + *action + "' (refresh)");
            return std::string("trust-anchors refresh");
        });
    sub->add_option("action", *action, "refresh: ask now");
}

}  // namespace

void add_control_commands(CLI::App& app, Command& command) {
    add_stats(app, command);
    for (const auto& c : kSimpleCommands)
        add_command(
            app, command, std::string(c.name), std::string(c.help),
            [name = c.name]() -> Result<std::string, TextError> { return std::string(name); });
    add_flush(app, command);
    add_cache(app, command);
    add_trace(app, command);
    add_trust_anchors(app, command);
}

std::string trace_line(const std::string& name, const std::string& type, bool json, bool no_cache) {
    std::string line = "trace " + name + " " + type;
    if (json) line += " --json";
    if (no_cache) line += " --no-cache";
    return line;
}

std::string flush_line(const std::string& name, bool subtree, const std::string& type) {
    std::string line = "flush";
    if (name.empty()) return line;
    line += " " + name;
    if (subtree) line += " --subtree";
    if (!type.empty()) line += " --type " + type;
    return line;
}

Result<std::string, TextError> cache_load_line(const std::string& path) {
    if (path.empty() || path.find_first_of("\r\n") != std::string::npos)
        return text_error("cache load: unusable file name");
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(path, ec);
    if (ec) return text_error("cache load: " + path + ": " + ec.message());
    return "cache load " + absolute.string();
}

int run_control_command(const std::string& socket_path, std::string_view line) {
    auto reply = control_exchange(socket_path, line, kReplyTimeout);
    if (!reply) {
        std::fprintf(stderr, "cairnctl: %s\n", reply.error().message.c_str());
        return kExitFailure;
    }
    constexpr std::string_view kError = "error: ";
    if (reply->starts_with(kError)) {
        const auto verb = line.substr(0, line.find(' '));
        std::fprintf(stderr, "cairnctl: %s: %s", std::string(verb).c_str(),
                     reply->c_str() + kError.size());
        return kExitFailure;
    }
    std::fwrite(reply->data(), 1, reply->size(), stdout);
    return kExitOk;
}

}  // namespace cairn::ctl
