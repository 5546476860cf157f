#include "cache/denial_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dnssec/denial.h"
#include "wire/encoding.h"
#include "wire/typed_rdata.h"

namespace cairn::cache {
namespace {

using wire::Name;
using wire::Record;
using wire::RRType;

Name N(std::string_view text) {
    return *Name::from_text(text);
}

// The index trusts its caller, so any bytes do for a signature.
const std::vector<wire::RData> kSigs = {wire::RData::from_trusted_bytes({1, 2, 3, 4})};

Record nsec(std::string_view owner, std::string_view next, uint32_t ttl = 3600) {
    const std::vector<RRType> types = {RRType::A, RRType::RRSIG, RRType::NSEC};
    const wire::NsecData data{N(next), wire::TypeBitmap::from_types(types)};
    return {N(owner), RRType::NSEC, wire::RRClass::IN, ttl, data.to_rdata()};
}

Nsec3Hash hash_of(std::string_view name, std::span<const uint8_t> salt = {},
                  uint16_t iterations = 0) {
    const auto digest = dnssec::nsec3_hash(N(name), salt, iterations);
    Nsec3Hash hash;
    std::copy(digest.begin(), digest.end(), hash.begin());
    return hash;
}

Record nsec3(const Nsec3Hash& owner, const Nsec3Hash& next, std::string_view zone,
             std::vector<uint8_t> salt = {}, uint16_t iterations = 0, uint8_t flags = 0,
             uint8_t algorithm = 1) {
    wire::Nsec3Data data;
    data.hash_algorithm = algorithm;
    data.flags = flags;
    data.iterations = iterations;
    data.salt = std::move(salt);
    data.next_hashed_owner.assign(next.begin(), next.end());
    const std::string label = wire::encode_base32hex(owner, wire::Letters::kLower);
    return {N(label + "." + std::string(zone)), RRType::NSEC3, wire::RRClass::IN, 3600,
            data.to_rdata()};
}

Record soa(std::string_view zone, uint32_t ttl = 3600) {
    wire::SoaData data{N("ns.example."), N("admin.example."), 1, 7200, 900, 1209600, 300};
    return {N(zone), RRType::SOA, wire::RRClass::IN, ttl, data.to_rdata()};
}

struct DenialIndexTest : ::testing::Test {
    FakeClock clock;
    DenialIndex index{1 << 20, 4, clock};

    bool add(const Record& r, std::string_view zone = "example.", uint32_t cap = UINT32_MAX) {
        return index.insert_denial(N(zone), r, kSigs, cap);
    }
    std::string before(std::string_view name, std::string_view zone = "example.") {
        IndexedRef r = index.nsec_at_or_before(N(zone), N(name));
        return r ? r->record.owner.to_text() : "none";
    }
};

TEST_F(DenialIndexTest, OrdersNsecRecordsCanonically) {
    // RFC 4034 §6.1's example order, inserted out of order; each span ends
    // at an owner, so none contradicts another.
    const std::vector<std::string> owners = {
        "example.",         "a.example.",      "yljkjljk.a.example.",
        "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
        "\\001.z.example.", "*.z.example.",    "\\200.z.example.",
    };
    for (size_t i : {4u, 0u, 7u, 2u, 8u, 1u, 5u, 3u, 6u})
        ASSERT_TRUE(add(nsec(owners[i], owners[(i + 1) % owners.size()])));
    EXPECT_EQ(index.entries(), owners.size());
    EXPECT_EQ(before("zz.a.example."), "zABC.a.EXAMPLE.");
    EXPECT_EQ(before("b.a.example."), "a.example.");
    EXPECT_EQ(before("yljkjljk.a.example."), "yljkjljk.a.example.");
    EXPECT_EQ(before("YLJKJLJK.A.example."), "yljkjljk.a.example.");
    EXPECT_EQ(before("a.z.example."), "*.z.example.");
    EXPECT_EQ(before("zz.example."), "\\200.z.example.");
}

TEST_F(DenialIndexTest, WrapsToTheLastRecordBeforeTheFirst) {
    add(nsec("b.example.", "c.example."));
    add(nsec("m.example.", "example."));
    EXPECT_EQ(before("a.example."), "m.example.");
    EXPECT_EQ(before("example."), "m.example.");
    EXPECT_EQ(before("c.example."), "b.example.");
    EXPECT_EQ(before("a.other.", "other."), "none") << "no such zone";
}

TEST_F(DenialIndexTest, OrdersNsec3RecordsByHash) {
    std::vector<Nsec3Hash> hashes;
    for (const char* name : {"example.", "a.example.", "b.example.", "c.example.", "d.example."})
        hashes.push_back(hash_of(name));
    std::sort(hashes.begin(), hashes.end());
    for (size_t i = 0; i < hashes.size(); ++i)
        ASSERT_TRUE(add(nsec3(hashes[i], hashes[(i + 1) % hashes.size()], "example.")));
    EXPECT_EQ(index.nsec3_params(N("example.")), (Nsec3Params{0, {}}));

    for (size_t i = 0; i < hashes.size(); ++i) {
        Nsec3Hash just_after = hashes[i];
        ++just_after.back();
        for (const Nsec3Hash& probe : {hashes[i], just_after}) {
            auto found = index.nsec3_at_or_before(N("example."), probe);
            ASSERT_TRUE(found);
            EXPECT_EQ(found->owner, hashes[i]);
            EXPECT_EQ(found->next, hashes[(i + 1) % hashes.size()]);
            EXPECT_FALSE(found->opt_out);
            EXPECT_EQ(found->entry->record.type, RRType::NSEC3);
        }
    }
    auto wrapped = index.nsec3_at_or_before(N("example."), Nsec3Hash{});
    ASSERT_TRUE(wrapped);
    EXPECT_EQ(wrapped->owner, hashes.back());
}

TEST_F(DenialIndexTest, KeepsSignaturesAndCapsTheTtl) {
    ASSERT_TRUE(add(nsec("a.example.", "b.example.", 3600), "example.", 60));
    IndexedRef r = index.nsec_at_or_before(N("example."), N("a.example."));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->signatures, kSigs);
    EXPECT_EQ(r->record.ttl, 60u);
    EXPECT_EQ(r->expires, clock.now() + 60);
    clock.advance(59);
    EXPECT_TRUE(index.nsec_at_or_before(N("example."), N("a.example.")));
    clock.advance(1);
    EXPECT_FALSE(index.nsec_at_or_before(N("example."), N("a.example.")));
}

TEST_F(DenialIndexTest, IgnoresExpiredRecords) {
    add(nsec("a.example.", "c.example.", 100));
    add(nsec("c.example.", "e.example.", 300));
    ASSERT_TRUE(index.insert_soa(N("example."), soa("example.", 200), kSigs, UINT32_MAX));
    clock.advance(150);
    // The record at or before b is expired: no older one stands in for it.
    EXPECT_EQ(before("b.example."), "none");
    EXPECT_EQ(before("d.example."), "c.example.");
    EXPECT_TRUE(index.soa(N("example.")));
    clock.advance(100);
    EXPECT_FALSE(index.soa(N("example.")));
}

TEST_F(DenialIndexTest, RefusesRecordsProofsCannotUse) {
    const Nsec3Hash h = hash_of("a.example.");
    EXPECT_FALSE(add(nsec("a.other.", "b.other.")));
    EXPECT_FALSE(add(nsec("a.example.", "b.other.")));
    EXPECT_FALSE(add(nsec("a.example.", "b.example.", 0)));
    EXPECT_FALSE(add(nsec("a.example.", "b.example.", 0x80000000)));
    Record chaos = nsec("a.example.", "b.example.");
    chaos.rclass = wire::RRClass::CH;
    EXPECT_FALSE(add(chaos));
    EXPECT_FALSE(add(nsec3(h, h, "sub.example."), "example.")) << "two labels below the apex";
    EXPECT_FALSE(add(nsec3(h, h, "example.", {}, 0, 0, 2))) << "not SHA-1";
    EXPECT_FALSE(add(nsec3(h, h, "example.", {}, 0, 2))) << "unknown flag";
    Record not_hash = nsec3(h, h, "example.");
    not_hash.owner = N("www.example.");
    EXPECT_FALSE(add(not_hash));
    Record a{N("a.example."), RRType::A, wire::RRClass::IN, 300,
             wire::RData::from_trusted_bytes({192, 0, 2, 1})};
    EXPECT_FALSE(add(a));
    EXPECT_FALSE(index.insert_soa(N("example."), soa("www.example."), kSigs, UINT32_MAX));
    EXPECT_EQ(index.entries(), 0u);
    EXPECT_EQ(index.memory_used(), 0u);
}

TEST_F(DenialIndexTest, FindsTheDeepestZone) {
    add(nsec("example.", "a.example."));
    add(nsec("sub.example.", "a.sub.example."), "sub.example.");
    EXPECT_EQ(index.zone_for(N("x.sub.example.")), N("sub.example."));
    EXPECT_EQ(index.zone_for(N("a.b.c.d.e.f.SUB.example.")), N("sub.example."));
    EXPECT_EQ(index.zone_for(N("sub.example.")), N("sub.example."));
    EXPECT_EQ(index.zone_for(N("x.example.")), N("example."));
    EXPECT_EQ(index.zone_for(N("example.")), N("example."));
    EXPECT_EQ(index.zone_for(N("com.")), std::nullopt);
    EXPECT_EQ(index.zone_for(N(".")), std::nullopt);
}

TEST_F(DenialIndexTest, NewerSpansReplaceContradictedRecords) {
    add(nsec("b.example.", "c.example."));
    add(nsec("d.example.", "e.example."));
    // The zone changed: nothing between a and f exists any more.
    add(nsec("a.example.", "f.example."));
    EXPECT_EQ(index.entries(), 1u);
    EXPECT_EQ(before("d.example."), "a.example.");
    // The record at the owner is replaced, not duplicated.
    add(nsec("a.example.", "g.example."));
    EXPECT_EQ(index.entries(), 1u);
}

TEST_F(DenialIndexTest, ANewNsec3ChainReplacesTheOld) {
    const std::vector<uint8_t> salt_a = {0xaa};
    const std::vector<uint8_t> salt_b = {0xbb, 0xcc};
    const Nsec3Hash a1 = hash_of("example.", salt_a), a2 = hash_of("a.example.", salt_a);
    add(nsec3(std::min(a1, a2), std::max(a1, a2), "example.", salt_a));
    add(nsec3(std::max(a1, a2), std::min(a1, a2), "example.", salt_a));
    EXPECT_EQ(index.entries(), 2u);
    const Nsec3Hash b1 = hash_of("example.", salt_b);
    add(nsec3(b1, b1, "example.", salt_b, 5));
    EXPECT_EQ(index.entries(), 1u);
    EXPECT_EQ(index.nsec3_params(N("example.")), (Nsec3Params{5, salt_b}));
    auto found = index.nsec3_at_or_before(N("example."), a1);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->owner, b1);
}

TEST_F(DenialIndexTest, ClearForgetsEverything) {
    add(nsec("a.example.", "b.example."));
    index.insert_soa(N("example."), soa("example."), kSigs, UINT32_MAX);
    EXPECT_EQ(index.entries(), 2u);
    EXPECT_GT(index.memory_used(), 0u);
    index.clear();
    EXPECT_EQ(index.entries(), 0u);
    EXPECT_EQ(index.memory_used(), 0u);
    EXPECT_EQ(index.zone_for(N("a.example.")), std::nullopt);
}

std::string label(int i) {
    std::string s = "n000.example.";
    s[1] = static_cast<char>('0' + i / 100);
    s[2] = static_cast<char>('0' + i / 10 % 10);
    s[3] = static_cast<char>('0' + i % 10);
    return s;
}

TEST(DenialIndexEviction, StaysWithinBudgetAndKeepsWhatIsUsed) {
    FakeClock clock;
    constexpr size_t kBudget = 16 * 1024;
    DenialIndex index(kBudget, 4, clock);
    const Name zone = N("example.");
    constexpr int kRecords = 200;
    for (int i = 0; i < kRecords; ++i) {
        ASSERT_TRUE(index.insert_denial(zone, nsec(label(i), label(i + 1)), kSigs, UINT32_MAX));
        EXPECT_LE(index.memory_used(), kBudget);
        // Record 0 is in use all along; CLOCK spares it each time round.
        IndexedRef hot = index.nsec_at_or_before(zone, N(label(0)));
        ASSERT_TRUE(hot) << i;
        EXPECT_EQ(hot->record.owner, N(label(0)));
    }
    EXPECT_GT(index.evictions(), 0u);
    EXPECT_LT(index.entries(), static_cast<size_t>(kRecords));
    EXPECT_GT(index.entries(), 10u);
    EXPECT_EQ(index.nsec_at_or_before(zone, N(label(1)))->record.owner, N(label(0)))
        << "record 1 was never used: evicted";
}

TEST(DenialIndexEviction, DropsExpiredRecordsAndEmptiedZones) {
    FakeClock clock;
    constexpr size_t kBudget = 8 * 1024;
    DenialIndex index(kBudget, 1, clock);
    ASSERT_TRUE(index.insert_denial(N("old."), nsec("a.old.", "b.old.", 10), kSigs, UINT32_MAX));
    ASSERT_TRUE(index.insert_soa(N("old."), soa("old.", 10), kSigs, UINT32_MAX));
    clock.advance(20);
    // Far more than fits: the sweep goes round every zone.
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(
            index.insert_denial(N("example."), nsec(label(i), label(i + 1)), kSigs, UINT32_MAX));
    EXPECT_EQ(index.zone_for(N("x.old.")), std::nullopt);
    EXPECT_LE(index.memory_used(), kBudget);
}

TEST(DenialIndexThreads, ReadersAndAWriterAtOnce) {
    SystemClock clock;
    DenialIndex index(64 * 1024, 4, clock);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> hits{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&, t] {
            const Name zones[] = {N("example."), N("example.org.")};
            while (!stop.load()) {
                for (int i = t; i < 300; i += 7) {
                    const Name& zone = zones[i % 2];
                    auto found = index.zone_for(N("x." + label(i)));
                    if (found && index.nsec_at_or_before(zone, N(label(i)))) ++hits;
                    index.soa(zone);
                    index.nsec3_at_or_before(zone, Nsec3Hash{});
                }
            }
        });
    for (int round = 0; round < 10; ++round) {
        for (int i = 0; i < 300; ++i) {
            index.insert_denial(N("example."), nsec(label(i), label(i + 1)), kSigs, UINT32_MAX);
            index.insert_soa(N("example."), soa("example."), kSigs, UINT32_MAX);
        }
        if (round % 5 == 4) index.clear();
    }
    stop = true;
    for (auto& t : readers)
        t.join();
    EXPECT_LE(index.memory_used(), 64u * 1024);
    EXPECT_GT(hits.load(), 0u);
}

}  // namespace
}  // namespace cairn::cache
