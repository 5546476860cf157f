// The shared caches under concurrent use. Build once with
// -fsanitize=thread to check for data races; here it checks that
// concurrent inserts and lookups keep every invariant.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "cache/infra_cache.h"
#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"

namespace cairn::cache {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::RRset a_rrset(const wire::Name& owner, uint8_t last) {
    wire::RRset set{owner, RRType::A, wire::RRClass::IN, 300, {}};
    set.add(*wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{192, 0, 2, last}));
    return set;
}

template <class F>
void run_threads(int threads, F&& body) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&body, t] { body(t); });
    for (auto& th : pool)
        th.join();
}

TEST(CacheThreads, SharedCachesUnderConcurrentUse) {
    FakeClock clock;  // only read while the threads run
    CacheOptions options;
    options.shards = 16;
    const size_t bound = 1 << 20;
    RRsetCache rrsets(options, bound, clock);
    NegativeCache negatives(options, bound, clock);
    InfraCache infra(bound);
    const MonotonicTime t0 = MonotonicTime{} + std::chrono::hours(1);
    std::atomic<size_t> hits{0};

    const int kThreads = 4;
    const int kOps = 5000;
    run_threads(kThreads, [&](int t) {
        for (int i = 0; i < kOps; ++i) {
            // Threads share half of their names with each other.
            const int id = i % 2 == 0 ? i % 500 : 1000 * (t + 1) + i;
            const auto owner = name("h" + std::to_string(id) + ".example.");
            rrsets.insert(a_rrset(owner, static_cast<uint8_t>(t)), {}, static_cast<Trust>(i % 6),
                          Security::kInsecure);
            if (auto hit = rrsets.lookup(owner, RRType::A)) {
                EXPECT_EQ(hit->rrset.rdatas.size(), 1u);
                EXPECT_LE(hit->rrset.ttl, 300u);
                ++hits;
            }
            negatives.insert(i % 3 == 0 ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR, owner,
                             RRType::AAAA, {}, 60, Security::kInsecure);
            negatives.lookup(name("below." + owner.to_text()), RRType::AAAA);
            const auto server =
                wire::IpAddress::v4({10, 0, static_cast<uint8_t>(t), static_cast<uint8_t>(i % 50)});
            infra.record_rtt(server, std::chrono::milliseconds(i % 100), t0);
            infra.record_timeout(server, t0);
            infra.srtt(server, std::chrono::milliseconds(100));
            infra.backed_off(server, t0);
            if (i % 100 == 0) {
                EXPECT_LE(rrsets.memory_used(), bound);
                EXPECT_LE(negatives.memory_used(), bound);
            }
        }
    });
    EXPECT_GT(hits.load(), 0u);
    EXPECT_LE(rrsets.memory_used(), bound);
    EXPECT_LE(negatives.memory_used(), bound);
    EXPECT_GT(rrsets.entries(), 0u);
    EXPECT_LE(infra.memory_used(), bound);
}

TEST(CacheThreads, BoundHoldsWhileThreadsFlood) {
    FakeClock clock;
    CacheOptions options;
    options.shards = 8;
    const size_t bound = 256 * 1024;
    RRsetCache rrsets(options, bound, clock);
    run_threads(4, [&](int t) {
        for (int i = 0; i < 5000; ++i) {
            rrsets.insert(
                a_rrset(name("t" + std::to_string(t) + "-" + std::to_string(i) + ".x."), 1), {},
                Trust::kAnswerAuth, Security::kInsecure);
            if (i % 200 == 0) {
                EXPECT_LE(rrsets.memory_used(), bound);
            }
        }
    });
    EXPECT_LE(rrsets.memory_used(), bound);
    EXPECT_EQ(rrsets.entries() + rrsets.evictions(), 4u * 5000u);
}

}  // namespace
}  // namespace cairn::cache
