#include "server/stats.h"

#include <unordered_map>

#include "server/json_text.h"

namespace cairn::server {

namespace {

uint64_t read(const std::atomic<uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
}

}  // namespace

void append_stats(Stats& out, const ServerMetrics& m) {
    auto add = [&](const char* name, const Counter& c, bool gauge = false) {
        out.push_back({std::string("server.") + name, read(c), gauge});
    };
    add("queries_udp", m.queries_udp);
    add("queries_tcp", m.queries_tcp);
    add("dropped", m.dropped);
    add("refused_inflight", m.refused_inflight);
    add("refused_inflight_client", m.refused_inflight_client);
    add("refused_acl", m.refused_acl);
    add("packet_cache_hits", m.packet_cache_hits);
    add("packet_cache_misses", m.packet_cache_misses);
    add("resolutions", m.resolutions);
    add("truncated", m.truncated);
    add("rate_limited_answers", m.rate_limited_answers);
    add("rate_limited_nxdomains", m.rate_limited_nxdomains);
    add("rate_limited_errors", m.rate_limited_errors);
    add("rate_limit_slips", m.rate_limit_slips);
    add("cookies_valid", m.cookies_valid);
    add("cookies_invalid", m.cookies_invalid);
    add("cookies_new", m.cookies_new);
    add("badcookie_sent", m.badcookie_sent);
    add("rcode_noerror", m.rcode_noerror);
    add("rcode_formerr", m.rcode_formerr);
    add("rcode_servfail", m.rcode_servfail);
    add("rcode_nxdomain", m.rcode_nxdomain);
    add("rcode_notimp", m.rcode_notimp);
    add("rcode_refused", m.rcode_refused);
    add("rcode_badvers", m.rcode_badvers);
    add("rcode_badcookie", m.rcode_badcookie);
    add("rcode_other", m.rcode_other);
    add("inflight", m.inflight, true);
}

void append_stats(Stats& out, const net::TransportMetrics& m) {
    auto add = [&](const char* name, const net::Counter& c, bool gauge = false) {
        out.push_back({std::string("net.") + name, read(c), gauge});
    };
    add("udp_received", m.udp_received);
    add("udp_sent", m.udp_sent);
    add("udp_send_errors", m.udp_send_errors);
    add("udp_oversize", m.udp_oversize);
    add("udp_batches", m.udp_batches);
    add("tcp_accepted", m.tcp_accepted);
    add("tcp_refused_limit", m.tcp_refused_limit);
    add("tcp_refused_acl", m.tcp_refused_acl);
    add("tcp_write_timeouts", m.tcp_write_timeouts);
    add("tcp_reads_paused", m.tcp_reads_paused);
    add("tcp_idle_closed", m.tcp_idle_closed);
    add("tcp_malformed", m.tcp_malformed);
    add("tcp_queries", m.tcp_queries);
    add("tcp_open", m.tcp_open, true);
}

void append_stats(Stats& out, const resolve::ResolverMetrics& m) {
    auto add = [&](const char* name, const resolve::ResolverMetrics::Counter& c) {
        out.push_back({std::string("resolver.") + name, read(c), false});
    };
    add("client_queries", m.client_queries);
    add("cache_answers", m.cache_answers);
    add("upstream_queries", m.upstream_queries);
    add("upstream_timeouts", m.upstream_timeouts);
    add("upstream_tcp", m.upstream_tcp);
    add("inflight_joins", m.inflight_joins);
    add("servfail", m.servfail);
    add("limit_upstream_queries", m.limit_upstream_queries);
    add("limit_referral_depth", m.limit_referral_depth);
    add("limit_cname_chain", m.limit_cname_chain);
    add("limit_glueless_ns", m.limit_glueless_ns);
    add("limit_timeout", m.limit_timeout);
    add("scrubbed_records", m.scrubbed_records);
    add("lame_servers", m.lame_servers);
    add("dnssec_secure", m.dnssec_secure);
    add("dnssec_insecure", m.dnssec_insecure);
    add("dnssec_bogus", m.dnssec_bogus);
    add("dnssec_failures", m.dnssec_failures);
    add("bogus_retries", m.bogus_retries);
    add("dnssec_verifications", m.dnssec_verifications);
    add("dnssec_verifications_saved", m.dnssec_verifications_saved);
    add("limit_dnssec_verifications", m.limit_dnssec_verifications);
    add("limit_dnssec_keys_per_tag", m.limit_dnssec_keys_per_tag);
    add("limit_nsec3_hashes", m.limit_nsec3_hashes);
    add("dnssec_limit_holds", m.dnssec_limit_holds);
    add("dnssec_held_rrsets", m.dnssec_held_rrsets);
    add("dnssec_held_lookups", m.dnssec_held_lookups);
    add("synthesised_nxdomain", m.synthesised_nxdomain);
    add("synthesised_nodata", m.synthesised_nodata);
    add("synthesised_wildcard", m.synthesised_wildcard);
    add("stale_answers", m.stale_answers);
    add("background_refused", m.background_refused);
    add("prefetches", m.prefetches);
    add("prefetch_unchanged", m.prefetch_unchanged);
}

void append_packet_cache_stats(Stats& out, const ResponseCacheFigures& figures) {
    out.push_back({"cache.packet_entries", figures.entries, true});
    out.push_back({"cache.packet_memory", figures.memory, true});
}

void append_stats(Stats& out, const cache::Caches& caches) {
    out.push_back({"cache.rrset_entries", caches.rrsets.entries(), true});
    out.push_back({"cache.rrset_memory", caches.rrsets.memory_used(), true});
    out.push_back({"cache.rrset_evictions", caches.rrsets.evictions(), false});
    out.push_back({"cache.negative_entries", caches.negatives.entries(), true});
    out.push_back({"cache.negative_memory", caches.negatives.memory_used(), true});
    out.push_back({"cache.negative_evictions", caches.negatives.evictions(), false});
    out.push_back({"cache.infra_entries", caches.infra.entries(), true});
    out.push_back({"cache.key_entries", caches.keys.entries(), true});
    out.push_back({"cache.key_memory", caches.keys.memory_used(), true});
    out.push_back({"cache.nsec_entries", caches.denials.entries(), true});
    out.push_back({"cache.nsec_memory", caches.denials.memory_used(), true});
    out.push_back({"cache.nsec_evictions", caches.denials.evictions(), false});
}

void add_stats(Stats& total, const Stats& more) {
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < total.size(); ++i)
        index.emplace(total[i].name, i);
    for (const auto& stat : more) {
        auto it = index.find(stat.name);
        if (it == index.end()) {
            index.emplace(stat.name, total.size());
            total.push_back(stat);
        } else {
            total[it->second].value += stat.value;
        }
    }
}

std::string format_stats(const Stats& stats) {
    std::string out;
    for (const auto& stat : stats) {
        out += stat.name;
        out += ' ';
        out += std::to_string(stat.value);
        out += '\n';
    }
    return out;
}

std::string format_stats_json(const Stats& stats) {
    std::string out = "{";
    for (const auto& stat : stats) {
        if (out.size() > 1) out += ',';
        append_json_string(out, stat.name);
        out += ':';
        out += std::to_string(stat.value);
    }
    return out + "}\n";
}

}  // namespace cairn::server
