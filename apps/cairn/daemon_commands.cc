// The daemon's control commands (`cairnctl ...` over the control socket):
// parsing each command line and wiring it to the part that does the work.
#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <fstream>
#include <sstream>
#include <vector>

#include "cache/cache_dump.h"
#include "daemon.h"
#include "server/trace_report.h"

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "unknown"
#endif

namespace cairn::daemon {

namespace {

constexpr std::string_view kCommands =
    "stats [--json], status, reload, flush [NAME [--subtree] [--type TYPE]], flush-bogus, "
    "flush-infra, cache dump, cache load FILE, trace NAME [TYPE] [--json] [--no-cache], "
    "trust-anchors [refresh], stop";

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

net::ControlReply reply(std::string text) {
    return {std::move(text), {}, {}};
}

net::ControlReply error(const std::string& why) {
    return reply("error: " + why);
}

Result<wire::Name, TextError> name_argument(std::string_view text) {
    auto name = wire::Name::from_text(text, wire::Name::root());
    if (!name) return text_error("bad name '" + std::string(text) + "': " + name.error().message);
    return *name;
}

Result<wire::RRType, TextError> type_argument(std::string_view text) {
    auto type = wire::rrtype_from_string(text);
    if (!type) return text_error("unknown type '" + std::string(text) + "'");
    return *type;
}

// The selection `flush NAME [--subtree] [--type TYPE]` means.
Result<cache::CacheSelection, TextError> flush_selection(std::span<const std::string_view> args) {
    cache::CacheSelection which;
    auto name = name_argument(args[0]);
    if (!name) return Unexpected{name.error()};
    which.name = *name;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--subtree") {
            which.subtree = true;
        } else if (args[i] == "--type" && i + 1 < args.size()) {
            auto type = type_argument(args[++i]);
            if (!type) return Unexpected{type.error()};
            which.type = *type;
        } else {
            return text_error("flush: unexpected '" + std::string(args[i]) + "'");
        }
    }
    return which;
}

std::string plural(size_t n, std::string_view what) {
    return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

}  // namespace

net::ControlReply Daemon::on_command(std::string_view command) {
    const auto args = words(command);
    const std::string_view verb = args.empty() ? std::string_view() : args[0];
    const std::span<const std::string_view> rest =
        args.empty() ? std::span<const std::string_view>() : std::span(args).subspan(1);
    if (verb == "stats" && rest.empty()) return reply(server::format_stats(stats()));
    if (verb == "stats" && rest.size() == 1 && rest[0] == "--json")
        return reply(server::format_stats_json(stats()));
    if (verb == "status" && rest.empty()) return reply(status());
    if (verb == "reload" && rest.empty()) {
        const auto why = notified_reload();
        return reply(why.empty() ? "ok" : "error: " + why);
    }
    if (verb == "flush") return flush_command(rest);
    if (verb == "flush-bogus" && rest.empty())
        return reply(flush_selected(cache::CacheSelection{{}, false, {}, true}));
    if (verb == "flush-infra" && rest.empty()) {
        caches_->infra.clear();
        spdlog::info("flush-infra: what was learnt about the servers is forgotten");
        return reply("ok");
    }
    if (verb == "cache") return cache_command(rest);
    if (verb == "trace") return trace_command(rest);
    if (verb == "trust-anchors") return trust_anchors_command(rest);
    if (verb == "stop" && rest.empty()) {
        spdlog::info("stop requested on the control socket");
        return {"ok", [this] { asio::post(io_, [this] { request_stop(); }); }, {}};
    }
    return error("unknown command '" + std::string(command) + "' (" + std::string(kCommands) + ")");
}

net::ControlReply Daemon::flush_command(std::span<const std::string_view> args) {
    if (args.empty()) {
        flush();
        return reply("ok");
    }
    auto which = flush_selection(args);
    if (!which) return error(which.error().message);
    return reply(flush_selected(*which));
}

void Daemon::flush() {
    caches_->rrsets.clear();
    caches_->negatives.clear();
    caches_->keys.clear();
    caches_->denials.clear();
    service_->clear_packet_caches();
    spdlog::info("caches flushed");
}

std::string Daemon::flush_selected(const cache::CacheSelection& which) {
    auto& c = *caches_;
    const size_t rrsets = c.rrsets.erase(which);
    const size_t negatives = c.negatives.erase(which);
    // A zone's keys go with its name, its DNSKEY or its DS; its validated
    // NSEC/NSEC3 records with its name (they would deny names afresh).
    const bool key_types =
        !which.type || *which.type == wire::RRType::DNSKEY || *which.type == wire::RRType::DS;
    const size_t keys = key_types ? c.keys.erase(which) : 0;
    const size_t zones =
        which.name && !which.type ? c.denials.erase_zones(*which.name, which.subtree) : 0;
    // The packet caches hold whole answers under many names: all go.
    service_->clear_packet_caches();
    const std::string what = "removed " + plural(rrsets, "RRset") + ", " +
                             plural(negatives, "negative answer") + ", " +
                             plural(keys, "zone key set") + ", " + plural(zones, "NSEC zone");
    spdlog::info("flush {}{}{}{}: {}", which.name ? which.name->to_text() : "(bogus)",
                 which.subtree ? " and below" : "",
                 which.type ? " type " + wire::to_string(*which.type) : "",
                 which.bogus_only ? " (bogus only)" : "", what);
    return "ok: " + what;
}

std::string Daemon::status() const {
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started_);
    std::string out = "version " CAIRN_VERSION "\n";
    out += "uptime " + std::to_string(uptime.count()) + "s\n";
    out += "config " + (config_path_.empty() ? std::string("(built-in defaults)") : config_path_);
    out += "\nthreads " + std::to_string(service_->worker_count()) + "\n";
    out += "reloads " + std::to_string(reloads_) + "\n";
    for (const auto& address : service_->listening())
        out += "listen " + address.to_string() + " udp tcp\n";
    for (const auto& where : service_->listening_encrypted())
        out += "listen " + where.address.to_string() + " " +
               std::string(net::protocol_name(where.protocol)) + "\n";
    if (control_) out += "control-socket " + control_->path() + "\n";
    return out;
}

net::ControlReply Daemon::cache_command(std::span<const std::string_view> args) {
    if (args.size() == 1 && args[0] == "dump")
        return reply(cache::dump_caches(caches_->rrsets, caches_->negatives, clock_.now()));
    if (args.size() != 2 || args[0] != "load") return error("usage: cache dump | cache load FILE");
    const std::string path(args[1]);
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    if (file) text << file.rdbuf();
    if (!file || file.bad()) return error("cannot read " + path);
    auto loaded =
        cache::load_caches(caches_->rrsets, caches_->negatives, text.str(), clock_.now(), path);
    if (!loaded) return error(loaded.error().message);
    const std::string what = plural(loaded->rrsets, "RRset") + " and " +
                             plural(loaded->negatives, "negative answer") + " loaded, " +
                             std::to_string(loaded->expired) + " expired since the dump, " +
                             std::to_string(loaded->kept) + " kept out by fresher data";
    spdlog::info("cache load {}: {}", path, what);
    return reply("ok: " + what);
}

net::ControlReply Daemon::trace_command(std::span<const std::string_view> args) {
    std::vector<std::string_view> positional;
    bool json = false;
    bool fresh = false;
    for (auto arg : args) {
        if (arg == "--json")
            json = true;
        else if (arg == "--no-cache")
            fresh = true;
        else if (arg.starts_with("--"))
            return error("trace: unknown option '" + std::string(arg) + "'");
        else
            positional.push_back(arg);
    }
    if (positional.empty() || positional.size() > 2)
        return error("usage: trace NAME [TYPE] [--json] [--no-cache]");
    auto name = name_argument(positional[0]);
    if (!name) return error(name.error().message);
    auto type = positional.size() == 2 ? type_argument(positional[1]) : wire::RRType::A;
    if (!type) return error(type.error().message);
    resolve::ClientQuery query{{*name, *type, wire::RRClass::IN}, true, true, false};
    net::ControlReply late;
    late.later = [this, query, fresh, json](net::LateReply answer) {
        service_->trace(query, fresh, [answer, json](server::TraceReport report) {
            answer(json ? server::trace_json(report) : server::trace_text(report));
        });
    };
    return late;
}

}  // namespace cairn::daemon
