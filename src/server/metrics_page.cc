#include "server/metrics_page.h"

#include <array>
#include <unordered_map>

namespace cairn::server {

namespace {

using observe::MetricFamily;
using observe::MetricType;

// Stats of one cache each, named cache.<cache><suffix>.
struct CacheFamily {
    std::string_view suffix;
    std::string_view family;
    MetricType type;
    std::string_view help;
};

constexpr std::array<CacheFamily, 3> kCacheFamilies = {{
    {"_entries", "cairn_cache_entries", MetricType::kGauge, "Entries held, by cache."},
    {"_memory", "cairn_cache_bytes", MetricType::kGauge, "Bytes held, by cache."},
    {"_evictions", "cairn_cache_evictions_total", MetricType::kCounter,
     "Entries evicted to stay within cache-size, by cache."},
}};

struct Outcome {
    std::string_view stat;
    std::string_view outcome;
};

constexpr std::string_view kDnssecFamily = "cairn_dnssec_outcomes_total";
constexpr std::array<Outcome, 4> kDnssecOutcomes = {{
    {"resolver.dnssec_secure", "secure"},
    {"resolver.dnssec_insecure", "insecure"},
    {"resolver.dnssec_bogus", "bogus"},
    {"resolver.dnssec_failures", "failed"},
}};

// resolver.limit_<limit>: one family, by limit (promtool would also take
// the `ns` of limit_glueless_ns for nanoseconds).
constexpr std::string_view kLimitPrefix = "resolver.limit_";
constexpr std::string_view kLimitFamily = "cairn_resolver_limits_reached_total";

// Help of the labelled families (the others take their stat's).
std::string_view family_help(std::string_view family) {
    for (const auto& c : kCacheFamilies)
        if (c.family == family) return c.help;
    if (family == kDnssecFamily)
        return "Client answers by what DNSSEC validation concluded (a validated answer counts "
               "once, by its weakest part): secure, insecure, bogus (a proven forgery) or "
               "failed (validation could not finish: a work limit, a server not answering).";
    if (family == kLimitFamily)
        return "Work limits reached, by limit: upstream_queries (max-upstream-queries), "
               "referral_depth (max-referral-depth), cname_chain (max-cname-chain), glueless_ns "
               "(max-glueless-ns) and timeout (resolution-timeout) stop a resolution; "
               "dnssec_verifications (dnssec-max-verifications-per-rrset and -per-request), "
               "dnssec_keys_per_tag (dnssec-max-keys-per-tag) and nsec3_hashes stop a "
               "validation.";
    return {};
}

std::string join(std::string_view a, std::string_view b) {
    std::string out(a);
    out += b;
    return out;
}

// The families of client traffic, by transport.
void append_client_families(std::vector<MetricFamily>& out, const ClientFigures& clients) {
    MetricFamily queries{"cairn_queries_total",
                         "Queries received, by client transport.",
                         MetricType::kCounter,
                         {},
                         {}};
    MetricFamily answers{"cairn_answers_total",
                         "Answers sent, by client transport and rcode.",
                         MetricType::kCounter,
                         {},
                         {}};
    MetricFamily latency{"cairn_answer_latency_seconds",
                         "Time from a query read to its answer sent, by client transport.",
                         MetricType::kHistogram,
                         {},
                         {}};
    for (size_t p = 0; p < net::kProtocols; ++p) {
        const std::string transport = net::protocol_label(static_cast<net::Protocol>(p));
        queries.samples.push_back({{{"transport", transport}}, clients.queries[p]});
        for (size_t r = 0; r < kRcodeClasses; ++r)
            answers.samples.push_back({{{"transport", transport},
                                        {"rcode", rcode_class_label(static_cast<RcodeClass>(r))}},
                                       clients.answers[p][r]});
        latency.histograms.push_back({{{"transport", transport}}, clients.latency[p]});
    }
    out.push_back(std::move(queries));
    out.push_back(std::move(answers));
    out.push_back(std::move(latency));
}

// rpz.hits.<trigger>.<action>.<zone> and rpz.<figure>.<zone> (zone names
// end with a dot, trigger and action names have none).
MetricPlace rpz_place(std::string_view stat_name, bool gauge) {
    std::string_view rest = stat_name.substr(4);
    const auto figure = rest.substr(0, rest.find('.'));
    rest.remove_prefix(std::min(rest.size(), figure.size() + 1));
    const std::string family = "cairn_rpz_" + std::string(figure) + (gauge ? "" : "_total");
    const auto type = gauge ? MetricType::kGauge : MetricType::kCounter;
    if (figure != "hits") return {family, type, "zone", std::string(rest)};
    const auto trigger = rest.substr(0, rest.find('.'));
    rest.remove_prefix(std::min(rest.size(), trigger.size() + 1));
    const auto action = rest.substr(0, rest.find('.'));
    rest.remove_prefix(std::min(rest.size(), action.size() + 1));
    return {family,
            type,
            "zone",
            std::string(rest),
            {{"trigger", std::string(trigger)}, {"action", std::string(action)}}};
}

}  // namespace

MetricPlace metric_place(std::string_view stat_name, bool gauge) {
    if (stat_name.starts_with("rpz.")) return rpz_place(stat_name, gauge);
    if (stat_name == "server.queries_udp" || stat_name == "server.queries_tcp" ||
        stat_name.starts_with("server.rcode_"))
        return {};
    for (const auto& c : kCacheFamilies) {
        if (stat_name.starts_with("cache.") && stat_name.ends_with(c.suffix)) {
            std::string_view cache = stat_name.substr(6);
            cache.remove_suffix(c.suffix.size());
            return {std::string(c.family), c.type, "cache", std::string(cache)};
        }
    }
    if (stat_name.starts_with(kLimitPrefix))
        return {std::string(kLimitFamily), MetricType::kCounter, "limit",
                std::string(stat_name.substr(kLimitPrefix.size()))};
    for (const auto& o : kDnssecOutcomes)
        if (stat_name == o.stat)
            return {std::string(kDnssecFamily), MetricType::kCounter, "outcome",
                    std::string(o.outcome)};
    std::string family = "cairn_";
    for (const char c : stat_name)
        family += c == '.' ? '_' : c;
    if (gauge) return {family, MetricType::kGauge, {}, {}};
    return {family + "_total", MetricType::kCounter, {}, {}};
}

std::vector<MetricFamily> metric_families(const Figures& figures) {
    std::vector<MetricFamily> out;
    append_client_families(out, figures.clients);
    out.push_back({"cairn_upstream_rtt_seconds",
                   "Round trip of upstream queries that got an answer (from sending to the "
                   "first response).",
                   MetricType::kHistogram,
                   {},
                   {{{}, figures.upstream_rtt}}});
    std::unordered_map<std::string, size_t> index;
    for (const auto& stat : figures.stats) {
        auto place = metric_place(stat.name, stat.gauge);
        if (place.family.empty()) continue;
        auto [it, added] = index.try_emplace(place.family, out.size());
        if (added) {
            const std::string_view shared = family_help(place.family);
            std::string help(shared.empty() ? stat.help : shared);
            if (help.empty()) help = join("cairnctl stats: ", stat.name);
            out.push_back({place.family, std::move(help), place.type, {}, {}});
        }
        observe::Labels labels;
        if (!place.label.empty()) labels.push_back({place.label, place.label_value});
        for (auto& label : place.more_labels)
            labels.push_back(std::move(label));
        out[it->second].samples.push_back({std::move(labels), stat.value});
    }
    return out;
}

std::string metrics_page(const Figures& figures) {
    return observe::prometheus_text(metric_families(figures));
}

}  // namespace cairn::server
