#include "server/stats.h"

#include <unordered_map>

#include "server/json_text.h"

namespace cairn::server {

namespace {

uint64_t read(const std::atomic<uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
}

// The queries or answers of every protocol but UDP: TCP and the encrypted
// ones, which all come over streams.
template <class Read>
uint64_t over_streams(Read read_protocol) {
    uint64_t total = 0;
    for (size_t p = protocol_index(net::Protocol::kTcp); p < net::kProtocols; ++p)
        total += read_protocol(p);
    return total;
}

void append_rcode_stats(Stats& out, const ServerMetrics& m) {
    static constexpr std::array<std::string_view, kRcodeClasses> kHelp = {
        "Answers sent with rcode NOERROR.",  "Answers sent with rcode FORMERR.",
        "Answers sent with rcode SERVFAIL.", "Answers sent with rcode NXDOMAIN.",
        "Answers sent with rcode NOTIMP.",   "Answers sent with rcode REFUSED.",
        "Answers sent with rcode BADVERS.",  "Answers sent with rcode BADCOOKIE.",
        "Answers sent with any other rcode."};
    for (size_t r = 0; r < kRcodeClasses; ++r) {
        uint64_t total = 0;
        for (size_t p = 0; p < net::kProtocols; ++p)
            total += read(m.answers[p][r]);
        out.push_back({std::string("server.rcode_") + rcode_class_name(static_cast<RcodeClass>(r)),
                       total, false, kHelp[r]});
    }
}

}  // namespace

void append_stats(Stats& out, const ServerMetrics& m) {
    auto add = [&](const char* name, uint64_t value, std::string_view help, bool gauge = false) {
        out.push_back({std::string("server.") + name, value, gauge, help});
    };
    add("queries_udp", read(m.queries[protocol_index(net::Protocol::kUdp)]),
        "Queries received over UDP.");
    add("queries_tcp", over_streams([&](size_t p) { return read(m.queries[p]); }),
        "Queries received over TCP, DoT, DoH and DoQ.");
    add("dropped", read(m.dropped),
        "Messages dropped unanswered: not a query (unreadable header or question, QR set, "
        "QDCOUNT not 1).");
    add("refused_inflight", read(m.refused_inflight),
        "Queries answered SERVFAIL at once: max-inflight reached on their worker.");
    add("refused_inflight_client", read(m.refused_inflight_client),
        "Queries answered SERVFAIL at once: their client's share of max-inflight reached.");
    add("refused_acl", read(m.refused_acl), "Queries refused: client not in allow.");
    add("packet_cache_hits", read(m.packet_cache_hits), "Queries answered from the packet cache.");
    add("packet_cache_misses", read(m.packet_cache_misses),
        "Queries the packet cache could not answer.");
    add("resolutions", read(m.resolutions), "Queries handed to the resolver.");
    add("local_answers", read(m.local_answers),
        "Queries answered from local zones and local data (the dropped ones included).");
    add("local_dropped", read(m.local_dropped), "Queries dropped unanswered by a deny local zone.");
    add("truncated", read(m.truncated), "Answers sent truncated (TC=1).");
    add("rate_limited_answers", read(m.rate_limited_answers),
        "UDP answers over their client prefix's rate limit (dropped or slipped).");
    add("rate_limited_nxdomains", read(m.rate_limited_nxdomains),
        "UDP NXDOMAIN answers over their client prefix's rate limit (dropped or slipped).");
    add("rate_limited_errors", read(m.rate_limited_errors),
        "UDP error answers over their client prefix's rate limit (dropped or slipped).");
    add("rate_limit_slips", read(m.rate_limit_slips),
        "Rate-limited UDP answers sent as an empty truncated answer (slip).");
    add("cookies_valid", read(m.cookies_valid), "Queries with a valid server cookie.");
    add("cookies_invalid", read(m.cookies_invalid),
        "Queries with a server cookie that is not valid (stale, or made with another secret).");
    add("cookies_new", read(m.cookies_new), "Queries with a client cookie alone.");
    add("badcookie_sent", read(m.badcookie_sent),
        "Rate-limited answers sent as BADCOOKIE with a fresh server cookie.");
    append_rcode_stats(out, m);
    add("inflight", read(m.inflight), "Resolutions running now.", true);
}

void append_stats(Stats& out, const net::TransportMetrics& m) {
    auto add = [&](const char* name, const net::Counter& c, std::string_view help,
                   bool gauge = false) {
        out.push_back({std::string("net.") + name, read(c), gauge, help});
    };
    add("udp_received", m.udp_received, "UDP datagrams read from clients.");
    add("udp_sent", m.udp_sent, "UDP datagrams sent to clients.");
    add("udp_send_errors", m.udp_send_errors, "UDP answers the kernel would not send.");
    add("udp_oversize", m.udp_oversize, "UDP datagrams dropped: larger than the receive buffer.");
    add("udp_batches", m.udp_batches, "recvmmsg calls that returned datagrams.");
    add("tcp_accepted", m.tcp_accepted, "TCP connections accepted.");
    add("tcp_refused_limit", m.tcp_refused_limit,
        "TCP connections closed at once: over a connection limit.");
    add("tcp_refused_acl", m.tcp_refused_acl,
        "TCP connections closed at once: client not in allow.");
    add("tcp_write_timeouts", m.tcp_write_timeouts,
        "TCP connections closed: the client did not read its answers.");
    add("tcp_reads_paused", m.tcp_reads_paused,
        "Times a TCP connection stopped reading: too many answers owed or unsent.");
    add("tcp_idle_closed", m.tcp_idle_closed, "TCP connections closed after tcp-idle-timeout.");
    add("tcp_malformed", m.tcp_malformed,
        "TCP connections closed for a bad length or a short read.");
    add("tcp_queries", m.tcp_queries, "DNS messages read over TCP.");
    add("tcp_open", m.tcp_open, "TCP connections open now.", true);
}

void append_stats(Stats& out, const resolve::ResolverMetrics& m) {
    auto add = [&](const char* name, const resolve::ResolverMetrics::Counter& c,
                   std::string_view help) {
        out.push_back({std::string("resolver.") + name, read(c), false, help});
    };
    add("client_queries", m.client_queries, "Resolutions started.");
    add("cache_answers", m.cache_answers,
        "Resolutions answered from the RRset and negative caches alone.");
    add("upstream_queries", m.upstream_queries, "Queries sent to authoritative servers.");
    add("upstream_timeouts", m.upstream_timeouts,
        "Queries to authoritative servers that got no answer in time.");
    add("upstream_tcp", m.upstream_tcp, "Exchanges with authoritative servers over TCP.");
    add("inflight_joins", m.inflight_joins,
        "Requests that joined an identical resolution in flight.");
    add("early_key_fetches", m.early_key_fetches,
        "DNSKEY sets fetched as a signed zone was first asked, beside the question.");
    add("early_key_fetch_joins", m.early_key_fetch_joins,
        "Validations that waited for a DNSKEY fetch already under way.");
    add("servfail", m.servfail, "Resolutions that ended in SERVFAIL.");
    add("limit_upstream_queries", m.limit_upstream_queries,
        "Resolutions stopped by max-upstream-queries.");
    add("limit_referral_depth", m.limit_referral_depth,
        "Resolutions stopped by max-referral-depth.");
    add("limit_cname_chain", m.limit_cname_chain, "Resolutions stopped by max-cname-chain.");
    add("limit_glueless_ns", m.limit_glueless_ns, "Resolutions stopped by max-glueless-ns.");
    add("limit_timeout", m.limit_timeout, "Resolutions stopped by resolution-timeout.");
    add("scrubbed_records", m.scrubbed_records,
        "Records dropped from upstream answers: out of bailiwick or off the question's chain.");
    add("lame_servers", m.lame_servers, "Servers found lame for a zone.");
    add("forward_failures", m.forward_failures,
        "Questions of a forward zone that no forwarder answered usably (with `first`, then "
        "resolved by iteration).");
    add("dnssec_secure", m.dnssec_secure, "Answers validated secure.");
    add("dnssec_insecure", m.dnssec_insecure, "Answers proven insecure.");
    add("dnssec_bogus", m.dnssec_bogus, "Answers found bogus (proven forgeries).");
    add("dnssec_failures", m.dnssec_failures,
        "Validations that could not finish (a work limit, a server not answering).");
    add("bogus_retries", m.bogus_retries,
        "Answers or keys that failed validation and were asked of another server.");
    add("dnssec_verifications", m.dnssec_verifications, "Signature verifications made.");
    add("dnssec_verifications_saved", m.dnssec_verifications_saved,
        "RRsets whose signatures the cache already held as verified.");
    add("limit_dnssec_verifications", m.limit_dnssec_verifications,
        "Signature verification budgets exhausted (KeyTrap).");
    add("limit_dnssec_keys_per_tag", m.limit_dnssec_keys_per_tag,
        "Key sets with too many keys of one tag (KeyTrap).");
    add("limit_nsec3_hashes", m.limit_nsec3_hashes, "NSEC3 hash budgets exhausted.");
    add("dnssec_limit_holds", m.dnssec_limit_holds,
        "Zones put on hold after their keys reached a DNSSEC work limit.");
    add("dnssec_held_rrsets", m.dnssec_held_rrsets, "RRsets of held zones left unproven.");
    add("dnssec_held_lookups", m.dnssec_held_lookups,
        "Lookups not sent upstream: a held zone's wildcard answers them.");
    add("synthesised_nxdomain", m.synthesised_nxdomain,
        "NXDOMAIN answers made from validated NSEC/NSEC3 records (RFC 8198).");
    add("synthesised_nodata", m.synthesised_nodata,
        "NODATA answers made from validated NSEC/NSEC3 records (RFC 8198).");
    add("synthesised_wildcard", m.synthesised_wildcard,
        "Wildcard answers made from validated NSEC/NSEC3 records (RFC 8198).");
    add("stale_answers", m.stale_answers, "Answers made from stale data (RFC 8767).");
    add("background_refused", m.background_refused,
        "Prefetches and stale refreshes not started in the background: no free slot.");
    add("prefetches", m.prefetches, "Popular records refreshed before they expired.");
    add("prefetch_unchanged", m.prefetch_unchanged, "Prefetches that found the record unchanged.");
}

void append_dns64_stats(Stats& out, const Dns64Metrics* metrics) {
    out.push_back({"server.dns64_synthesised", metrics ? read(metrics->synthesised) : 0, false,
                   "AAAA answers made from A records by DNS64 (RFC 6147)."});
    out.push_back({"server.dns64_ptr_synthesised", metrics ? read(metrics->ptr_synthesised) : 0,
                   false,
                   "PTR answers for DNS64 addresses made from the IPv4 address's in-addr.arpa "
                   "name."});
}

void append_packet_cache_stats(Stats& out, const ResponseCacheFigures& figures) {
    out.push_back({"cache.packet_entries", figures.entries, true, "Answers in the packet caches."});
    out.push_back(
        {"cache.packet_memory", figures.memory, true, "Bytes held by the packet caches."});
}

void append_dnstap_stats(Stats& out, const observe::DnstapRecorder& recorder) {
    out.push_back(
        {"dnstap.frames", recorder.frames(), false, "dnstap frames handed to the writer thread."});
    out.push_back({"dnstap.dropped", recorder.dropped(), false,
                   "dnstap frames dropped: the queue was full or no reader was connected."});
}

void append_stats(Stats& out, const cache::Caches& caches) {
    auto add = [&](const char* name, uint64_t value, bool gauge, std::string_view help) {
        out.push_back({std::string("cache.") + name, value, gauge, help});
    };
    add("rrset_entries", caches.rrsets.entries(), true, "RRsets in the RRset cache.");
    add("rrset_memory", caches.rrsets.memory_used(), true, "Bytes held by the RRset cache.");
    add("rrset_evictions", caches.rrsets.evictions(), false,
        "RRsets evicted from the RRset cache to stay within cache-size.");
    add("negative_entries", caches.negatives.entries(), true,
        "Entries in the negative cache (NXDOMAIN, NODATA).");
    add("negative_memory", caches.negatives.memory_used(), true,
        "Bytes held by the negative cache.");
    add("negative_evictions", caches.negatives.evictions(), false,
        "Entries evicted from the negative cache to stay within cache-size.");
    add("infra_entries", caches.infra.entries(), true,
        "Servers in the infrastructure cache (RTT, EDNS, lameness, cookies).");
    add("infra_memory", caches.infra.memory_used(), true,
        "Bytes held by the infrastructure cache.");
    add("key_entries", caches.keys.entries(), true, "Key sets in the DNSSEC key cache.");
    add("key_memory", caches.keys.memory_used(), true, "Bytes held by the DNSSEC key cache.");
    add("nsec_entries", caches.denials.entries(), true,
        "Records in the validated NSEC/NSEC3 index.");
    add("nsec_memory", caches.denials.memory_used(), true,
        "Bytes held by the validated NSEC/NSEC3 index.");
    add("nsec_evictions", caches.denials.evictions(), false,
        "Records evicted from the validated NSEC/NSEC3 index to stay within cache-size.");
}

ClientFigures& ClientFigures::operator+=(const ClientFigures& other) {
    for (size_t p = 0; p < net::kProtocols; ++p) {
        queries[p] += other.queries[p];
        for (size_t r = 0; r < kRcodeClasses; ++r)
            answers[p][r] += other.answers[p][r];
        latency[p] += other.latency[p];
    }
    return *this;
}

ClientFigures client_figures(const ServerMetrics& m) {
    ClientFigures out;
    for (size_t p = 0; p < net::kProtocols; ++p) {
        out.queries[p] = read(m.queries[p]);
        for (size_t r = 0; r < kRcodeClasses; ++r)
            out.answers[p][r] = read(m.answers[p][r]);
        out.latency[p] = m.answer_latency[p].counts();
    }
    return out;
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

void add_figures(Figures& total, const Figures& more) {
    add_stats(total.stats, more.stats);
    total.clients += more.clients;
    total.upstream_rtt += more.upstream_rtt;
}

Figures counters_of(const Figures& figures) {
    Figures out = figures;
    std::erase_if(out.stats, [](const Stat& stat) { return stat.gauge; });
    return out;
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
