// Everything the resolver keeps per name, zone or server is bounded and
// counts against cache-size: each cache, flooded with distinct keys, stays
// within its budget, and the heap it really takes is no more than that
// budget (plus a small fixed part): the accounting does not flatter itself.
#include <gtest/gtest.h>
#include <malloc.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "cache/caches.h"
#include "cache/packet_cache.h"
#include "dnssec/key_set.h"
#include "wire/message.h"
#include "wire/typed_rdata.h"

namespace cairn::cache {
namespace {

using wire::Name;
using wire::RData;
using wire::Record;
using wire::RRType;

constexpr size_t kBound = 512 * 1024;
// What a cache may hold on the heap besides its entries: shard objects and
// their maps' bookkeeping.
constexpr size_t kFixedPart = 64 * 1024;
const MonotonicTime t0 = MonotonicTime{} + std::chrono::hours(1000);

// A distinct name per i, spread over a thousand parent zones, as a random
// subdomain flood makes them.
Name flood_name(size_t i, std::string_view label = "n") {
    return *Name::from_text(std::string(label) + std::to_string(i) + ".z" +
                            std::to_string(i % 1000) + ".flood.example.");
}

Name zone_name(size_t i) {
    return *Name::from_text("z" + std::to_string(i) + ".flood.example.");
}

RData bytes_rdata(size_t size, uint8_t fill) {
    return RData::from_trusted_bytes(std::vector<uint8_t>(size, fill));
}

Record soa(const Name& zone) {
    const wire::SoaData data{*Name::from_text("ns.example."),
                             *Name::from_text("admin.example."),
                             1,
                             7200,
                             900,
                             1209600,
                             300};
    return {zone, RRType::SOA, wire::RRClass::IN, 300, data.to_rdata()};
}

// Bytes malloc has handed out and not taken back (0 where an allocator of
// its own, such as AddressSanitizer's, stands in for malloc).
size_t heap_in_use() {
    return mallinfo2().uordblks;
}

struct Flood {
    size_t inserts;
    std::function<void(size_t)> insert;
    std::function<size_t()> memory_used;
    std::function<size_t()> entries;
};

// Inserts distinct keys until the budget has been filled several times,
// checking the accounted size as it goes; then checks the heap growth.
void expect_bounded(const Flood& flood, size_t bound, size_t heap_before) {
    for (size_t i = 0; i < flood.inserts; ++i) {
        flood.insert(i);
        if (i % 256 == 0) {
            ASSERT_LE(flood.memory_used(), bound) << "after " << i << " inserts";
        }
    }
    EXPECT_LE(flood.memory_used(), bound);
    // Full, and not by refusing everything: most keys were evicted.
    EXPECT_GT(flood.memory_used(), bound / 2);
    EXPECT_GT(flood.entries(), 0u);
    EXPECT_LT(flood.entries(), flood.inserts / 2);
    EXPECT_LE(heap_in_use() - std::min(heap_in_use(), heap_before), bound + kFixedPart);
}

TEST(CacheMemory, RRsetCacheFloodStaysWithinItsBudget) {
    FakeClock clock;
    const CacheOptions options;
    const size_t heap_before = heap_in_use();
    RRsetCache cache(options, kBound, clock);
    const std::vector<RData> sigs = {bytes_rdata(90, 7)};
    expect_bounded({.inserts = 8000,
                    .insert =
                        [&](size_t i) {
                            wire::RRset set{flood_name(i), RRType::A, wire::RRClass::IN, 300, {}};
                            set.add(*RData::from_wire(
                                RRType::A, std::array<uint8_t, 4>{192, 0, 2, uint8_t(i)}));
                            cache.insert(set, sigs, Trust::kAnswerAuth, Security::kInsecure);
                        },
                    .memory_used = [&] { return cache.memory_used(); },
                    .entries = [&] { return cache.entries(); }},
                   kBound, heap_before);
}

TEST(CacheMemory, NegativeCacheFloodStaysWithinItsBudget) {
    FakeClock clock;
    const CacheOptions options;
    const size_t heap_before = heap_in_use();
    NegativeCache cache(options, kBound, clock);
    expect_bounded({.inserts = 8000,
                    .insert =
                        [&](size_t i) {
                            cache.insert(wire::Rcode::NXDOMAIN, flood_name(i), RRType::A,
                                         {soa(zone_name(i % 1000))}, 300, Security::kInsecure);
                        },
                    .memory_used = [&] { return cache.memory_used(); },
                    .entries = [&] { return cache.entries(); }},
                   kBound, heap_before);
}

std::vector<uint8_t> answer_for(const Name& qname) {
    wire::Message m;
    m.header.qr = true;
    m.header.rd = true;
    m.header.ra = true;
    m.questions.push_back({qname, RRType::A});
    m.answers.push_back({qname, RRType::A, wire::RRClass::IN, 300,
                         *RData::from_wire(RRType::A, std::array<uint8_t, 4>{192, 0, 2, 1})});
    return m.to_wire();
}

TEST(CacheMemory, PacketCacheFloodStaysWithinItsBudget) {
    const size_t heap_before = heap_in_use();
    PacketCache cache(kBound);
    expect_bounded({.inserts = 8000,
                    .insert =
                        [&](size_t i) {
                            PacketKey key;
                            key.qname = flood_name(i);
                            cache.insert(key, answer_for(key.qname), 300, 1'700'000'000);
                        },
                    .memory_used = [&] { return cache.memory_used(); },
                    .entries = [&] { return cache.entries(); }},
                   kBound, heap_before);
}

Verdict secure_keys(const Name& zone) {
    wire::RRset set{zone, RRType::DNSKEY, wire::RRClass::IN, 3600, {}};
    for (uint8_t k = 0; k < 2; ++k) {
        std::vector<uint8_t> rdata = {1, 1, 3, 15};  // flags 257, protocol 3, ED25519
        rdata.resize(4 + 32, static_cast<uint8_t>(k + 1));
        set.add(RData::from_trusted_bytes(std::move(rdata)));
    }
    Verdict keys;
    keys.security = Security::kSecure;
    keys.dnskeys = dnssec::KeySet::shared(std::move(set));
    return keys;
}

TEST(CacheMemory, KeyCacheFloodStaysWithinItsBudget) {
    FakeClock clock;
    const size_t heap_before = heap_in_use();
    KeyCache cache(kBound, clock);
    expect_bounded(
        {.inserts = 4000,
         .insert = [&](size_t i) { cache.insert(zone_name(i), secure_keys(zone_name(i)), 3600); },
         .memory_used = [&] { return cache.memory_used(); },
         .entries = [&] { return cache.entries(); }},
        kBound, heap_before);
}

TEST(CacheMemory, DenialIndexFloodStaysWithinItsBudget) {
    FakeClock clock;
    const size_t heap_before = heap_in_use();
    DenialIndex index(kBound, 8, clock);
    const std::vector<RData> sigs = {bytes_rdata(90, 9)};
    const std::vector<RRType> types = {RRType::A, RRType::RRSIG, RRType::NSEC};
    expect_bounded(
        {.inserts = 8000,
         .insert =
             [&](size_t i) {
                 // Zones by the hundred, each with its SOA and a few NSEC spans.
                 const Name zone = zone_name(i / 4);
                 if (i % 4 == 0) index.insert_soa(zone, soa(zone), sigs, 3600);
                 const wire::NsecData data{flood_name(i + 1), wire::TypeBitmap::from_types(types)};
                 index.insert_denial(
                     zone,
                     {*Name::from_text("a" + std::to_string(i) + "." + zone.to_text()),
                      RRType::NSEC, wire::RRClass::IN, 3600, data.to_rdata()},
                     sigs, 3600);
             },
         .memory_used = [&] { return index.memory_used(); },
         .entries = [&] { return index.entries(); }},
        kBound, heap_before);
}

wire::IpAddress server(size_t i) {
    std::array<uint8_t, 16> bytes = {0x20, 0x01, 0x0d, 0xb8};
    bytes[12] = static_cast<uint8_t>(i >> 24);
    bytes[13] = static_cast<uint8_t>(i >> 16);
    bytes[14] = static_cast<uint8_t>(i >> 8);
    bytes[15] = static_cast<uint8_t>(i);
    return wire::IpAddress::v6(bytes);
}

TEST(CacheMemory, InfraCacheFloodStaysWithinItsBudget) {
    const size_t heap_before = heap_in_use();
    InfraCache cache(kBound);
    expect_bounded({.inserts = 20000,
                    .insert =
                        [&](size_t i) {
                            cache.record_rtt(server(i), std::chrono::milliseconds(20), t0);
                            cache.set_edns(server(i), EdnsSupport::kYes, t0);
                        },
                    .memory_used = [&] { return cache.memory_used(); },
                    .entries = [&] { return cache.entries(); }},
                   kBound, heap_before);
}

TEST(CacheMemory, LameZonesCountAgainstTheInfraBudget) {
    // A server lame for many zones costs more than one that is not; a flood
    // of lame delegations must not grow the cache past its budget.
    const size_t heap_before = heap_in_use();
    InfraCache cache(kBound);
    expect_bounded({.inserts = 3000,
                    .insert =
                        [&](size_t i) {
                            for (size_t z = 0; z < 16; ++z)
                                cache.mark_lame(server(i), zone_name(i * 16 + z), t0);
                        },
                    .memory_used = [&] { return cache.memory_used(); },
                    .entries = [&] { return cache.entries(); }},
                   kBound, heap_before);
    // The most recent server keeps its lame zones.
    EXPECT_TRUE(cache.lame(server(2999), zone_name(2999 * 16 + 15), t0));
}

TEST(CacheMemory, CacheSizeIsSharedOutWhole) {
    for (size_t max_bytes :
         {size_t{1} << 20, size_t{256} << 20, size_t{1000} << 20, (size_t{1} << 20) + 63}) {
        const auto budget = CacheBudget::of(max_bytes);
        EXPECT_LE(budget.total(), max_bytes);
        EXPECT_GT(budget.total(), max_bytes - 64);
        for (size_t share : {budget.rrsets, budget.negatives, budget.packets, budget.denials,
                             budget.infra, budget.keys})
            EXPECT_GT(share, 0u);
    }
    CacheOptions options;
    options.max_bytes = 4 << 20;
    EXPECT_EQ(packet_cache_bytes(options, 2) * 2, CacheBudget::of(options.max_bytes).packets);
}

TEST(CacheMemory, SharedCachesTogetherStayWithinCacheSize) {
    // Every shared cache flooded at once: their sum stays within what
    // cache-size leaves them after the packet caches' share.
    FakeClock clock;
    CacheOptions options;
    options.max_bytes = 2 << 20;
    Caches caches(options, clock);
    const auto budget = CacheBudget::of(options.max_bytes);
    const std::vector<RData> sigs = {bytes_rdata(90, 7)};
    for (size_t i = 0; i < 20000; ++i) {
        wire::RRset set{flood_name(i), RRType::A, wire::RRClass::IN, 300, {}};
        set.add(*RData::from_wire(RRType::A, std::array<uint8_t, 4>{192, 0, 2, 1}));
        caches.rrsets.insert(set, sigs, Trust::kAnswerAuth, Security::kInsecure);
        caches.negatives.insert(wire::Rcode::NXDOMAIN, flood_name(i, "x"), RRType::A,
                                {soa(zone_name(i % 1000))}, 300, Security::kInsecure);
        caches.infra.mark_lame(server(i), zone_name(i), t0);
        if (i % 10 == 0) caches.keys.insert(zone_name(i), secure_keys(zone_name(i)), 3600);
    }
    EXPECT_GT(caches.infra.memory_used(), budget.infra / 2);
    EXPECT_LE(caches.infra.memory_used(), budget.infra);
    EXPECT_LE(caches.memory_used(), options.max_bytes - budget.packets);
}

}  // namespace
}  // namespace cairn::cache
