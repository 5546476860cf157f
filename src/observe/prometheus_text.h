// The Prometheus text exposition format, version 0.0.4: what a scrape of
// /metrics reads. A page is a list of metric families, each with one
// `# HELP` and one `# TYPE` line and its samples, one per label set:
//
//   # HELP cairn_answers_total Answers sent, by client transport and rcode.
//   # TYPE cairn_answers_total counter
//   cairn_answers_total{transport="udp",rcode="NOERROR"} 42
//
// A histogram family writes, per label set, cumulative `_bucket` samples
// with an `le` label (the bucket's upper bound in seconds, then "+Inf"),
// then `_sum` (seconds) and `_count`. Names follow Prometheus's
// conventions, which the caller chooses: counters end in `_total`, units
// are in the name (`_seconds`, `_bytes`).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "observe/histogram.h"

namespace cairn::observe {

enum class MetricType { kCounter, kGauge, kHistogram };

struct Label {
    std::string name;
    std::string value;  // any text; escaped when written
};

using Labels = std::vector<Label>;

struct Sample {
    Labels labels;
    uint64_t value = 0;
};

struct HistogramSample {
    Labels labels;
    HistogramCounts counts;
};

struct MetricFamily {
    std::string name;
    std::string help;
    MetricType type = MetricType::kCounter;
    std::vector<Sample> samples;              // counters and gauges
    std::vector<HistogramSample> histograms;  // histograms
};

// The page for `families`, in their order; every line ends with "\n".
// Names must be valid (valid_metric_name, valid_label_name) and unique on
// the page; `le` is not a label name of the caller's.
std::string prometheus_text(std::span<const MetricFamily> families);

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool valid_label_name(std::string_view name);

// Backslash, double quote and line feed escaped, as label values need.
std::string escape_label_value(std::string_view value);
// Backslash and line feed escaped, as HELP text needs.
std::string escape_help(std::string_view help);
// The `le` label of bucket `i` (kHistogramBounds: "+Inf"), in seconds,
// exact: "0.000001", "0.000512", "8.388608".
std::string bucket_bound_text(size_t i);

}  // namespace cairn::observe
