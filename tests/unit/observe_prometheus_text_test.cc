// The Prometheus text exposition format 0.0.4: HELP and TYPE lines,
// samples with escaped labels, histograms with cumulative buckets.
#include "observe/prometheus_text.h"

#include <gtest/gtest.h>

namespace cairn::observe {
namespace {

TEST(PrometheusText, MetricAndLabelNames) {
    struct Case {
        std::string_view name;
        bool metric;
        bool label;
    };
    const Case cases[] = {
        {"cairn_answers_total", true, true},
        {"_x", true, true},
        {"a:b", true, false},  // colons: metric names only
        {":a", true, false},
        {"A9", true, true},
        {"9a", false, false},  // no leading digit
        {"", false, false},
        {"a-b", false, false},
        {"a b", false, false},
        {"é", false, false},
        {"__name__", true, false},  // reserved for Prometheus itself
    };
    for (const auto& c : cases) {
        EXPECT_EQ(valid_metric_name(c.name), c.metric) << c.name;
        EXPECT_EQ(valid_label_name(c.name), c.label) << c.name;
    }
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
    struct Case {
        std::string_view raw;
        std::string_view label;
        std::string_view help;
    };
    const Case cases[] = {
        {"plain", "plain", "plain"},
        {R"(back\slash)", R"(back\\slash)", R"(back\\slash)"},
        {R"(say "hi")", R"(say \"hi\")", R"(say "hi")"},
        {"two\nlines", R"(two\nlines)", R"(two\nlines)"},
        {"tab\tstays", "tab\tstays", "tab\tstays"},
        {"", "", ""},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(escape_label_value(c.raw), c.label) << c.raw;
        EXPECT_EQ(escape_help(c.raw), c.help) << c.raw;
    }
}

TEST(PrometheusText, BucketBoundsInSeconds) {
    struct Case {
        size_t bucket;
        std::string_view text;
    };
    const Case cases[] = {
        {0, "0.000001"},  {1, "0.000002"},  {9, "0.000512"},  {10, "0.001024"},
        {19, "0.524288"}, {20, "1.048576"}, {23, "8.388608"}, {kHistogramBounds, "+Inf"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(bucket_bound_text(c.bucket), c.text) << c.bucket;
}

TEST(PrometheusText, CountersAndGauges) {
    const std::vector<MetricFamily> page = {
        {"cairn_answers_total",
         "Answers sent.",
         MetricType::kCounter,
         {{{{"transport", "udp"}, {"rcode", "NOERROR"}}, 42}, {{{"transport", "tcp"}}, 0}},
         {}},
        {"cairn_cache_bytes",
         "Bytes held by a \\ cache\nper cache.",
         MetricType::kGauge,
         {{{{"cache", "say \"x\"\n"}}, 18446744073709551615u}},
         {}},
        {"cairn_process_workers", "Workers.", MetricType::kGauge, {{{}, 2}}, {}},
    };
    EXPECT_EQ(prometheus_text(page),
              "# HELP cairn_answers_total Answers sent.\n"
              "# TYPE cairn_answers_total counter\n"
              "cairn_answers_total{transport=\"udp\",rcode=\"NOERROR\"} 42\n"
              "cairn_answers_total{transport=\"tcp\"} 0\n"
              "# HELP cairn_cache_bytes Bytes held by a \\\\ cache\\nper cache.\n"
              "# TYPE cairn_cache_bytes gauge\n"
              "cairn_cache_bytes{cache=\"say \\\"x\\\"\\n\"} 18446744073709551615\n"
              "# HELP cairn_process_workers Workers.\n"
              "# TYPE cairn_process_workers gauge\n"
              "cairn_process_workers 2\n");
}

TEST(PrometheusText, HistogramBucketsAreCumulative) {
    HistogramCounts counts;
    counts.buckets[0] = 1;
    counts.buckets[2] = 3;
    counts.buckets[kHistogramBounds] = 2;
    counts.sum_seconds = 20.5;
    const std::vector<MetricFamily> page = {{"cairn_latency_seconds",
                                             "Latency.",
                                             MetricType::kHistogram,
                                             {},
                                             {{{{"transport", "udp"}}, counts}}}};
    const std::string text = prometheus_text(page);
    std::string expected =
        "# HELP cairn_latency_seconds Latency.\n"
        "# TYPE cairn_latency_seconds histogram\n"
        "cairn_latency_seconds_bucket{transport=\"udp\",le=\"0.000001\"} 1\n"
        "cairn_latency_seconds_bucket{transport=\"udp\",le=\"0.000002\"} 1\n"
        "cairn_latency_seconds_bucket{transport=\"udp\",le=\"0.000004\"} 4\n";
    for (size_t i = 3; i < kHistogramBounds; ++i)
        expected += "cairn_latency_seconds_bucket{transport=\"udp\",le=\"" + bucket_bound_text(i) +
                    "\"} 4\n";
    expected +=
        "cairn_latency_seconds_bucket{transport=\"udp\",le=\"+Inf\"} 6\n"
        "cairn_latency_seconds_sum{transport=\"udp\"} 20.5\n"
        "cairn_latency_seconds_count{transport=\"udp\"} 6\n";
    EXPECT_EQ(text, expected);
}

TEST(PrometheusText, HistogramWithoutLabels) {
    HistogramCounts counts;
    counts.buckets[1] = 1;
    counts.sum_seconds = 0.0000015;
    const std::vector<MetricFamily> page = {
        {"rtt_seconds", "RTT.", MetricType::kHistogram, {}, {{{}, counts}}}};
    const std::string text = prometheus_text(page);
    EXPECT_NE(text.find("rtt_seconds_bucket{le=\"0.000001\"} 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("rtt_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("rtt_seconds_sum 1.5e-06\n"), std::string::npos) << text;
    EXPECT_NE(text.find("rtt_seconds_count 1\n"), std::string::npos) << text;
}

TEST(PrometheusText, EmptyPageAndEmptyFamily) {
    EXPECT_EQ(prometheus_text({}), "");
    const std::vector<MetricFamily> page = {{"x_total", "X.", MetricType::kCounter, {}, {}}};
    EXPECT_EQ(prometheus_text(page), "# HELP x_total X.\n# TYPE x_total counter\n");
}

}  // namespace
}  // namespace cairn::observe
