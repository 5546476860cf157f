#include "observe/prometheus_text.h"

#include <array>
#include <cassert>
#include <charconv>

namespace cairn::observe {

namespace {

bool name_char(char c, bool first, bool colon) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return letter || (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, colon)) return false;
    return true;
}

const char* type_name(MetricType type) {
    switch (type) {
        case MetricType::kCounter: return "counter";
        case MetricType::kGauge: return "gauge";
        case MetricType::kHistogram: return "histogram";
    }
    return "untyped";
}

// Shortest text that reads back as the same double ("0.25", "1e-06").
std::string format_double(double value) {
    std::array<char, 32> text;
    const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
    return std::string(text.data(), end);
}

// `{a="x",b="y"}`, with `extra` (the `le` label) last; "" for no labels.
std::string label_set(const Labels& labels, const Label* extra = nullptr) {
    if (labels.empty() && !extra) return {};
    std::string out = "{";
    auto add = [&out](const Label& label) {
        assert(valid_label_name(label.name));
        if (out.size() > 1) out += ',';
        out += label.name;
        out += "=\"";
        out += escape_label_value(label.value);
        out += '"';
    };
    for (const auto& label : labels)
        add(label);
    if (extra) add(*extra);
    out += '}';
    return out;
}

void write_sample(std::string& out, std::string_view name, const std::string& labels,
                  std::string_view value) {
    out += name;
    out += labels;
    out += ' ';
    out += value;
    out += '\n';
}

void write_histogram(std::string& out, const std::string& name, const HistogramSample& sample) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < sample.counts.buckets.size(); ++i) {
        cumulative += sample.counts.buckets[i];
        const Label le{"le", bucket_bound_text(i)};
        write_sample(out, name + "_bucket", label_set(sample.labels, &le),
                     std::to_string(cumulative));
    }
    const std::string labels = label_set(sample.labels);
    write_sample(out, name + "_sum", labels, format_double(sample.counts.sum_seconds));
    write_sample(out, name + "_count", labels, std::to_string(cumulative));
}

}  // namespace

bool valid_metric_name(std::string_view name) {
    return valid_name(name, true);
}

bool valid_label_name(std::string_view name) {
    return valid_name(name, false) && !name.starts_with("__");
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string bucket_bound_text(size_t i) {
    if (i >= kHistogramBounds) return "+Inf";
    const uint64_t micros = bucket_bound_micros(i);
    std::string fraction = std::to_string(micros % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    while (fraction.size() > 1 && fraction.back() == '0')
        fraction.pop_back();
    return std::to_string(micros / 1'000'000) + "." + fraction;
}

std::string prometheus_text(std::span<const MetricFamily> families) {
    std::string out;
    for (const auto& family : families) {
        assert(valid_metric_name(family.name));
        out += "# HELP " + family.name + ' ' + escape_help(family.help) + '\n';
        out += "# TYPE " + family.name + ' ' + type_name(family.type) + '\n';
        if (family.type == MetricType::kHistogram) {
            for (const auto& sample : family.histograms)
                write_histogram(out, family.name, sample);
            continue;
        }
        for (const auto& sample : family.samples)
            write_sample(out, family.name, label_set(sample.labels), std::to_string(sample.value));
    }
    return out;
}

}  // namespace cairn::observe
