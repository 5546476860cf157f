// Durations into log-spaced buckets (powers of two microseconds), and
// counts that add up over workers.
#include "observe/histogram.h"

#include <gtest/gtest.h>

#include <thread>

namespace cairn::observe {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(Histogram, BucketOfADuration) {
    struct Case {
        uint64_t nanos;
        size_t bucket;
    };
    const Case cases[] = {
        {0, 0},
        {1, 0},
        {1'000, 0},  // 1 µs: the first bound, inclusive
        {1'001, 1},
        {2'000, 1},
        {2'001, 2},
        {3'000, 2},
        {4'000, 2},
        {4'001, 3},
        {100'000, 7},             // 100 µs <= 128 µs
        {1'000'000, 10},          // 1 ms <= 1024 µs
        {8'388'608'000, 23},      // the last finite bound, 2^23 µs
        {8'388'608'001, 24},      // above every bound
        {3'600'000'000'000, 24},  // an hour
        {UINT64_MAX, 24},
    };
    for (const auto& c : cases)
        EXPECT_EQ(bucket_of(c.nanos), c.bucket) << c.nanos << " ns";
}

TEST(Histogram, BoundsArePowersOfTwoMicroseconds) {
    EXPECT_EQ(bucket_bound_micros(0), 1u);
    EXPECT_EQ(bucket_bound_micros(10), 1024u);
    EXPECT_EQ(bucket_bound_micros(kHistogramBounds - 1), 8'388'608u);
    for (size_t i = 0; i < kHistogramBounds; ++i) {
        EXPECT_EQ(bucket_of(bucket_bound_micros(i) * 1000), i) << "a bound is in its bucket";
        EXPECT_EQ(bucket_of(bucket_bound_micros(i) * 1000 + 1), i + 1) << "and no more";
    }
}

TEST(Histogram, RecordsCountsAndSum) {
    Histogram h;
    h.record(microseconds(3));
    h.record(microseconds(3));
    h.record(microseconds(100), 4);
    h.record(nanoseconds(-5));  // a clock oddity counts as 0
    const auto counts = h.counts();
    EXPECT_EQ(counts.count(), 7u);
    EXPECT_EQ(counts.buckets[0], 1u);
    EXPECT_EQ(counts.buckets[2], 2u);
    EXPECT_EQ(counts.buckets[7], 4u);
    EXPECT_DOUBLE_EQ(counts.sum_seconds, 406e-6);
}

TEST(Histogram, CountsAddUpOverWorkers) {
    Histogram a;
    Histogram b;
    a.record(microseconds(1));
    b.record(microseconds(1));
    b.record(std::chrono::seconds(10));
    HistogramCounts total = a.counts();
    total += b.counts();
    EXPECT_EQ(total.count(), 3u);
    EXPECT_EQ(total.buckets[0], 2u);
    EXPECT_EQ(total.buckets[kHistogramBounds], 1u);
    EXPECT_DOUBLE_EQ(total.sum_seconds, 10.000002);
}

TEST(Histogram, AnotherThreadReadsWhileTheWorkerRecords) {
    Histogram h;
    std::thread worker([&h] {
        for (int i = 0; i < 100'000; ++i)
            h.record(microseconds(i % 50));
    });
    uint64_t last = 0;
    while (last < 100'000) {
        const uint64_t now = h.counts().count();
        ASSERT_GE(now, last) << "counts only grow";
        last = now;
        if (now == 100'000) break;
        std::this_thread::yield();
    }
    worker.join();
    EXPECT_EQ(h.counts().count(), 100'000u);
}

}  // namespace
}  // namespace cairn::observe
