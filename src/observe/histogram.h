// A distribution of durations (answer latency, upstream round trips) in
// fixed, log-spaced buckets: bucket i holds the durations of at most 2^i
// microseconds (1 µs, 2 µs, 4 µs ... 2^23 µs ≈ 8.4 s), one more bucket
// those longer. Powers of two make finding the bucket one bit count.
//
// One writer: a Histogram belongs to one worker thread, which records with
// a plain load and store per word (no locked read-modify-write, no cache
// line shared with another writer); any thread may read counts() meanwhile.
// Readers add the counts of every worker (HistogramCounts::operator+=).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace cairn::observe {

// Buckets with a finite upper bound; one more holds what is above the last.
inline constexpr size_t kHistogramBounds = 24;

// Upper bound of bucket `i` (< kHistogramBounds), in microseconds.
constexpr uint64_t bucket_bound_micros(size_t i) {
    return uint64_t{1} << i;
}

// The bucket a duration of `nanos` falls in (kHistogramBounds: above all).
constexpr size_t bucket_of(uint64_t nanos) {
    const uint64_t micros = nanos / 1000 + (nanos % 1000 != 0);  // rounded up
    if (micros <= 1) return 0;
    return std::min<size_t>(static_cast<size_t>(std::bit_width(micros - 1)), kHistogramBounds);
}

// A histogram's figures at one moment: what the Prometheus page shows, and
// what adds up over workers and over the workers a reload retired.
struct HistogramCounts {
    // Per bucket, not cumulative; the last is above every bound.
    std::array<uint64_t, kHistogramBounds + 1> buckets{};
    double sum_seconds = 0;

    uint64_t count() const;
    HistogramCounts& operator+=(const HistogramCounts& other);
    bool operator==(const HistogramCounts&) const = default;
};

class Histogram {
public:
    // `times` observations of `duration` each (a negative one counts as 0).
    void record(std::chrono::nanoseconds duration, uint64_t times = 1) {
        const uint64_t nanos = duration.count() > 0 ? static_cast<uint64_t>(duration.count()) : 0;
        auto& bucket = buckets_[bucket_of(nanos)];
        bucket.store(bucket.load(std::memory_order_relaxed) + times, std::memory_order_relaxed);
        // A double: an integer count of nanoseconds would overflow within
        // months on a busy server.
        const double added = static_cast<double>(nanos) * 1e-9 * static_cast<double>(times);
        sum_seconds_.store(sum_seconds_.load(std::memory_order_relaxed) + added,
                           std::memory_order_relaxed);
    }

    HistogramCounts counts() const;

private:
    std::array<std::atomic<uint64_t>, kHistogramBounds + 1> buckets_{};
    std::atomic<double> sum_seconds_{0};
};

}  // namespace cairn::observe
