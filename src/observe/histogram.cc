#include "observe/histogram.h"

namespace cairn::observe {

uint64_t HistogramCounts::count() const {
    uint64_t total = 0;
    for (const uint64_t n : buckets)
        total += n;
    return total;
}

HistogramCounts& HistogramCounts::operator+=(const HistogramCounts& other) {
    for (size_t i = 0; i < buckets.size(); ++i)
        buckets[i] += other.buckets[i];
    sum_seconds += other.sum_seconds;
    return *this;
}

HistogramCounts Histogram::counts() const {
    HistogramCounts out;
    for (size_t i = 0; i < buckets_.size(); ++i)
        out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    out.sum_seconds = sum_seconds_.load(std::memory_order_relaxed);
    return out;
}

}  // namespace cairn::observe
