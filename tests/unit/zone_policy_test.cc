// zone-policy: the closest zone with an entry decides, its unset fields are
// the global options, and the cache keeps each zone's lifetimes (signed data
// still never past its signatures).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"
#include "policy/zone_policy.h"
#include "wire/typed_rdata.h"

namespace cairn::policy {
namespace {

using std::chrono::seconds;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

ZonePolicies example_policies() {
    ZonePolicy corp;
    corp.name = name("corp.example.");
    corp.cache_max_ttl = 60;
    corp.prefetch = false;
    corp.serve_stale = false;
    ZonePolicy lab;
    lab.name = name("Lab.Corp.Example.");
    lab.cache_min_ttl = 30;
    lab.stale_max = 7200;
    lab.stale_recheck_interval = seconds(5);
    const std::vector<ZonePolicy> entries = {corp, lab};
    return ZonePolicies(entries);
}

TEST(ZonePolicy, TheClosestZoneDecidesAndUnsetFieldsAreTheGlobalOnes) {
    const ZonePolicies zones = example_policies();
    EXPECT_EQ(zones.policy_for(name("www.example.")), nullptr);
    ASSERT_NE(zones.policy_for(name("www.corp.example.")), nullptr);
    EXPECT_EQ(zones.policy_for(name("www.corp.example."))->name, name("corp.example."));
    EXPECT_EQ(zones.policy_for(name("a.b.LAB.corp.example."))->name, name("lab.corp.example."));

    EXPECT_EQ(zones.ttl_for(name("www.example.")), cache::TtlOverride{});
    EXPECT_EQ(zones.ttl_for(name("www.corp.example.")),
              (cache::TtlOverride{std::nullopt, 60, std::nullopt}));
    // The lab entry says nothing of cache-max-ttl: the global option, not
    // corp's 60, applies to it.
    EXPECT_EQ(zones.ttl_for(name("x.lab.corp.example.")),
              (cache::TtlOverride{30, std::nullopt, 7200}));

    EXPECT_TRUE(zones.prefetch_for(name("www.example."), true));
    EXPECT_FALSE(zones.prefetch_for(name("www.corp.example."), true));
    EXPECT_TRUE(zones.prefetch_for(name("x.lab.corp.example."), true));
    EXPECT_FALSE(zones.serve_stale_for(name("corp.example."), true));
    EXPECT_FALSE(zones.serve_stale_for(name("www.example."), false));
    EXPECT_EQ(zones.stale_recheck_for(name("x.lab.corp.example."), seconds(30)), seconds(5));
    EXPECT_EQ(zones.stale_recheck_for(name("www.corp.example."), seconds(30)), seconds(30));
}

TEST(ZonePolicy, NoEntriesMeansTheGlobalOptions) {
    const ZonePolicies none;
    EXPECT_TRUE(none.empty());
    EXPECT_EQ(none.policy_for(name("www.example.")), nullptr);
    EXPECT_FALSE(none.serve_stale_for(name("www.example."), false));
    EXPECT_TRUE(none.prefetch_for(name("www.example."), true));
}

wire::RRset a_rrset(std::string_view owner, uint32_t ttl) {
    wire::RRset set{name(owner), wire::RRType::A, wire::RRClass::IN, ttl, {}};
    set.add(wire::AData{{192, 0, 2, 1}}.to_rdata());
    return set;
}

wire::RData rrsig_expiring(uint32_t expiration) {
    wire::RrsigData sig;
    sig.type_covered = wire::RRType::A;
    sig.algorithm = 13;
    sig.labels = 3;
    sig.original_ttl = 300;
    sig.expiration = expiration;
    sig.inception = expiration - 86400 * 30;
    sig.key_tag = 1;
    sig.signer = name("example.com.");
    sig.signature = {1, 2, 3};
    return sig.to_rdata();
}

struct ZoneLifetimes : ::testing::Test {
    cache::FakeClock clock;
    cache::CacheOptions options = [] {
        cache::CacheOptions o;
        o.shards = 4;
        o.stale_max = 3600;
        return o;
    }();
    cache::RRsetCache rrsets{options, 1 << 20, clock};
    cache::NegativeCache negatives{options, 1 << 20, clock};
};

TEST_F(ZoneLifetimes, TtlIsClampedToTheZonesBounds) {
    EXPECT_EQ(rrsets.clamp_ttl(3600, {std::nullopt, 60, std::nullopt}), 60u);
    EXPECT_EQ(rrsets.clamp_ttl(5, {30, std::nullopt, std::nullopt}), 30u);
    EXPECT_EQ(rrsets.clamp_ttl(5), 5u);
    ASSERT_TRUE(rrsets.insert(a_rrset("www.example.com.", 3600), {}, cache::Trust::kAnswerAuth,
                              cache::Security::kInsecure, {}, {std::nullopt, 60, std::nullopt}));
    const auto hit = rrsets.lookup(name("www.example.com."), wire::RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->rrset.ttl, 60u);
}

TEST_F(ZoneLifetimes, StaleDataStaysAsLongAsTheZoneSays) {
    const cache::TtlOverride short_stale{std::nullopt, std::nullopt, 100};
    ASSERT_TRUE(rrsets.insert(a_rrset("www.example.com.", 300), {}, cache::Trust::kAnswerAuth,
                              cache::Security::kInsecure, {}, short_stale));
    ASSERT_TRUE(rrsets.insert(a_rrset("www.example.net.", 300), {}, cache::Trust::kAnswerAuth,
                              cache::Security::kInsecure));
    clock.advance(300 + 150);
    EXPECT_FALSE(rrsets.lookup_stale(name("www.example.com."), wire::RRType::A));
    EXPECT_TRUE(rrsets.lookup_stale(name("www.example.net."), wire::RRType::A))
        << "the global stale-max (3600 s) for a zone without a policy";
}

TEST_F(ZoneLifetimes, SignedDataNeverOutlivesItsSignaturesWhateverTheZoneSays) {
    const cache::TtlOverride long_stale{std::nullopt, std::nullopt, 30 * 86400};
    const auto expiry = static_cast<uint32_t>(clock.now() + 1000);
    const std::vector<wire::RData> sigs = {rrsig_expiring(expiry)};
    ASSERT_TRUE(rrsets.insert(a_rrset("www.example.com.", 300), sigs, cache::Trust::kAnswerAuth,
                              cache::Security::kSecure, {}, long_stale));
    clock.advance(900);
    EXPECT_TRUE(rrsets.lookup_stale(name("www.example.com."), wire::RRType::A));
    clock.advance(101);
    EXPECT_FALSE(rrsets.lookup_stale(name("www.example.com."), wire::RRType::A))
        << "past the RRSIG expiration, though stale-max is 30 days";
}

TEST_F(ZoneLifetimes, NegativeAnswersTakeTheZonesMaximumAndStaleMax) {
    wire::SoaData soa;
    soa.mname = name("ns.example.com.");
    soa.rname = name("hostmaster.example.com.");
    soa.minimum = 900;
    const std::vector<wire::Record> authority = {
        {name("example.com."), wire::RRType::SOA, wire::RRClass::IN, 900, soa.to_rdata()}};
    negatives.insert(wire::Rcode::NXDOMAIN, name("nx.example.com."), wire::RRType::A, authority,
                     900, cache::Security::kInsecure, {std::nullopt, 60, 10});
    const auto hit = negatives.lookup(name("nx.example.com."), wire::RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->authority.front().ttl, 60u);
    clock.advance(65);
    EXPECT_FALSE(negatives.lookup(name("nx.example.com."), wire::RRType::A));
    EXPECT_TRUE(negatives.lookup_stale(name("nx.example.com."), wire::RRType::A));
    clock.advance(10);
    EXPECT_FALSE(negatives.lookup_stale(name("nx.example.com."), wire::RRType::A));
}

}  // namespace
}  // namespace cairn::policy
