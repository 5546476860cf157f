// The figures of `cairnctl stats` under Prometheus names (/metrics).
#include "server/metrics_page.h"

#include <gtest/gtest.h>

#include <set>

#include "cache/clock.h"
#include "server/encrypted_listeners.h"

namespace cairn::server {
namespace {

using observe::MetricType;

TEST(MetricsPage, WhereEachStatGoes) {
    struct Case {
        std::string_view stat;
        bool gauge;
        std::string_view family;
        MetricType type;
        std::string_view label = {};
        std::string_view value = {};
    };
    const Case cases[] = {
        {"server.dropped", false, "cairn_server_dropped_total", MetricType::kCounter},
        {"server.inflight", true, "cairn_server_inflight", MetricType::kGauge},
        {"net.udp_received", false, "cairn_net_udp_received_total", MetricType::kCounter},
        {"net.doq_open", true, "cairn_net_doq_open", MetricType::kGauge},
        {"resolver.upstream_queries", false, "cairn_resolver_upstream_queries_total",
         MetricType::kCounter},
        {"upstream.near_misses", false, "cairn_upstream_near_misses_total", MetricType::kCounter},
        {"process.uptime_seconds", true, "cairn_process_uptime_seconds", MetricType::kGauge},
        {"process.reloads", false, "cairn_process_reloads_total", MetricType::kCounter},
        {"cache.rrset_entries", true, "cairn_cache_entries", MetricType::kGauge, "cache", "rrset"},
        {"cache.packet_memory", true, "cairn_cache_bytes", MetricType::kGauge, "cache", "packet"},
        {"cache.infra_memory", true, "cairn_cache_bytes", MetricType::kGauge, "cache", "infra"},
        {"cache.nsec_evictions", false, "cairn_cache_evictions_total", MetricType::kCounter,
         "cache", "nsec"},
        {"resolver.dnssec_secure", false, "cairn_dnssec_outcomes_total", MetricType::kCounter,
         "outcome", "secure"},
        {"resolver.dnssec_bogus", false, "cairn_dnssec_outcomes_total", MetricType::kCounter,
         "outcome", "bogus"},
        {"resolver.dnssec_failures", false, "cairn_dnssec_outcomes_total", MetricType::kCounter,
         "outcome", "failed"},
        {"resolver.dnssec_verifications", false, "cairn_resolver_dnssec_verifications_total",
         MetricType::kCounter},
        {"resolver.limit_glueless_ns", false, "cairn_resolver_limits_reached_total",
         MetricType::kCounter, "limit", "glueless_ns"},
        {"resolver.limit_nsec3_hashes", false, "cairn_resolver_limits_reached_total",
         MetricType::kCounter, "limit", "nsec3_hashes"},
        // Shown by transport in cairn_queries_total and cairn_answers_total.
        {"server.queries_udp", false, "", MetricType::kCounter},
        {"server.queries_tcp", false, "", MetricType::kCounter},
        {"server.rcode_noerror", false, "", MetricType::kCounter},
        {"server.rcode_other", false, "", MetricType::kCounter},
    };
    for (const auto& c : cases) {
        const auto place = metric_place(c.stat, c.gauge);
        EXPECT_EQ(place.family, c.family) << c.stat;
        if (c.family.empty()) continue;
        EXPECT_EQ(place.type, c.type) << c.stat;
        EXPECT_EQ(place.label, c.label) << c.stat;
        EXPECT_EQ(place.label_value, c.value) << c.stat;
    }
}

const observe::MetricFamily& family(const std::vector<observe::MetricFamily>& families,
                                    std::string_view name) {
    for (const auto& f : families)
        if (f.name == name) return f;
    throw std::runtime_error("no family " + std::string(name));
}

uint64_t sample(const observe::MetricFamily& f, const observe::Labels& labels) {
    for (const auto& s : f.samples) {
        if (s.labels.size() != labels.size()) continue;
        bool same = true;
        for (size_t i = 0; i < labels.size(); ++i)
            same =
                same && s.labels[i].name == labels[i].name && s.labels[i].value == labels[i].value;
        if (same) return s.value;
    }
    throw std::runtime_error("no such sample in " + f.name);
}

TEST(MetricsPage, ClientFamiliesByTransportAndRcode) {
    ServerMetrics metrics;
    net::count(metrics.queries[protocol_index(net::Protocol::kUdp)], 5);
    net::count(metrics.queries[protocol_index(net::Protocol::kDoh)], 2);
    net::count(metrics.answers[protocol_index(net::Protocol::kUdp)][0], 4);
    net::count(metrics.answers[protocol_index(net::Protocol::kDoh)]
                              [static_cast<size_t>(RcodeClass::kServfail)]);
    metrics.answer_latency[protocol_index(net::Protocol::kUdp)].record(std::chrono::microseconds(3),
                                                                       4);
    Figures figures;
    append_stats(figures.stats, metrics);
    figures.clients = client_figures(metrics);
    figures.upstream_rtt.buckets[10] = 3;

    const auto families = metric_families(figures);
    const auto& queries = family(families, "cairn_queries_total");
    EXPECT_EQ(sample(queries, {{"transport", "udp"}}), 5u);
    EXPECT_EQ(sample(queries, {{"transport", "doh"}}), 2u);
    EXPECT_EQ(sample(queries, {{"transport", "doq"}}), 0u);
    const auto& answers = family(families, "cairn_answers_total");
    EXPECT_EQ(answers.samples.size(), net::kProtocols * kRcodeClasses);
    EXPECT_EQ(sample(answers, {{"transport", "udp"}, {"rcode", "NOERROR"}}), 4u);
    EXPECT_EQ(sample(answers, {{"transport", "doh"}, {"rcode", "SERVFAIL"}}), 1u);
    EXPECT_EQ(sample(answers, {{"transport", "tcp"}, {"rcode", "OTHER"}}), 0u);
    const auto& latency = family(families, "cairn_answer_latency_seconds");
    EXPECT_EQ(latency.type, MetricType::kHistogram);
    ASSERT_EQ(latency.histograms.size(), net::kProtocols);
    EXPECT_EQ(latency.histograms[0].labels[0].value, "udp");
    EXPECT_EQ(latency.histograms[0].counts.count(), 4u);
    EXPECT_EQ(family(families, "cairn_upstream_rtt_seconds").histograms[0].counts.count(), 3u);

    // The control command's figures are the sums over transports.
    Stats stats;
    append_stats(stats, metrics);
    auto stat = [&stats](std::string_view name) {
        for (const auto& s : stats)
            if (s.name == name) return s.value;
        throw std::runtime_error("no stat");
    };
    EXPECT_EQ(stat("server.queries_udp"), 5u);
    EXPECT_EQ(stat("server.queries_tcp"), 2u);
    EXPECT_EQ(stat("server.rcode_noerror"), 4u);
    EXPECT_EQ(stat("server.rcode_servfail"), 1u);
}

// Every figure the daemon shows, as the daemon gathers them.
Figures every_figure() {
    Figures figures;
    ServerMetrics server;
    net::TransportMetrics transport;
    resolve::ResolverMetrics resolver;
    EncryptedListeners encrypted;
    cache::FakeClock clock;
    cache::Caches caches(cache::CacheOptions{}, clock);
    append_stats(figures.stats, server);
    append_stats(figures.stats, transport);
    encrypted.append_stats(figures.stats);
    append_stats(figures.stats, resolver);
    append_packet_cache_stats(figures.stats, {});
    append_stats(figures.stats, caches);
    return figures;
}

TEST(MetricsPage, EveryFigureHasAValidUniqueNameAndHelp) {
    const Figures figures = every_figure();
    for (const auto& stat : figures.stats)
        EXPECT_FALSE(stat.help.empty()) << stat.name << " has no help";
    const auto families = metric_families(figures);
    std::set<std::string> names;
    for (const auto& f : families) {
        EXPECT_TRUE(observe::valid_metric_name(f.name)) << f.name;
        EXPECT_TRUE(names.insert(f.name).second) << f.name << " twice";
        EXPECT_FALSE(f.help.empty()) << f.name;
        EXPECT_EQ(f.type == MetricType::kCounter, f.name.ends_with("_total")) << f.name;
        for (const auto& s : f.samples)
            for (const auto& label : s.labels)
                EXPECT_TRUE(observe::valid_label_name(label.name)) << f.name;
    }
    // Histograms' series must not collide with another family's name.
    for (const auto& f : families) {
        if (f.type != MetricType::kHistogram) continue;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            EXPECT_FALSE(names.contains(f.name + suffix)) << f.name;
        }
    }
    EXPECT_EQ(family(families, "cairn_cache_bytes").samples.size(), 6u)
        << "rrset, negative, infra, key, nsec and packet";
}

}  // namespace
}  // namespace cairn::server
