// What the operator's flushes remove from each cache (CacheSelection), and
// the copies of live entries a dump reads.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "cache/denial_index.h"
#include "cache/infra_cache.h"
#include "cache/key_cache.h"
#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"
#include "wire/zone_reader.h"

namespace cairn::cache {
namespace {

using wire::Rcode;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::Record record(std::string_view text) {
    return *wire::parse_record(text, wire::Name::root());
}

wire::RRset rrset(std::string_view text) {
    const auto r = record(text);
    return wire::RRset{r.owner, r.type, r.rclass, r.ttl, {r.rdata}};
}

CacheOptions four_shards() {
    CacheOptions options;
    options.shards = 4;
    return options;
}

class CacheFlushTest : public ::testing::Test {
protected:
    CacheFlushTest() {
        for (const char* text : {
                 "example.com. 300 IN NS ns.example.com.",
                 "www.example.com. 300 IN A 192.0.2.1",
                 "www.example.com. 300 IN AAAA 2001:db8::1",
                 "deep.www.example.com. 300 IN A 192.0.2.2",
                 "badexample.com. 300 IN A 192.0.2.3",
                 "com. 300 IN NS a.gtld.",
             })
            rrsets.insert(rrset(text), {}, Trust::kAnswerAuth, Security::kSecure);
        rrsets.insert(rrset("bad.example.com. 300 IN A 192.0.2.9"), {}, Trust::kAnswerAuth,
                      Security::kBogus);
    }

    // The (owner, type) of every live RRset, as text.
    std::set<std::string> live_rrsets() const {
        std::set<std::string> out;
        rrsets.for_each_live([&](const CachedRRset& c) {
            out.insert(c.rrset.owner.to_text() + "/" + wire::to_string(c.rrset.type));
        });
        return out;
    }

    std::set<std::string> live_negatives() const {
        std::set<std::string> out;
        negatives.for_each_live([&](const NegativeEntry& e) {
            out.insert(e.name.to_text() + "/" +
                       (e.rcode == Rcode::NXDOMAIN ? "NXDOMAIN" : wire::to_string(e.type)));
        });
        return out;
    }

    void insert_negative(Rcode rcode, std::string_view owner, RRType type,
                         Security security = Security::kSecure) {
        negatives.insert(rcode, name(owner), type,
                         {record("example.com. 300 IN SOA ns.example.com. admin.example.com. 1 "
                                 "7200 3600 1209600 300")},
                         300, security);
    }

    FakeClock clock;
    CacheOptions options = four_shards();
    RRsetCache rrsets{options, 1 << 20, clock};
    NegativeCache negatives{options, 1 << 20, clock};
};

TEST_F(CacheFlushTest, ANameTakesEveryTypeOfThatNameOnly) {
    EXPECT_EQ(rrsets.erase(CacheSelection{name("WWW.example.com."), false, {}, false}), 2u);
    EXPECT_EQ(live_rrsets(),
              (std::set<std::string>{"example.com./NS", "deep.www.example.com./A",
                                     "badexample.com./A", "com./NS", "bad.example.com./A"}));
}

TEST_F(CacheFlushTest, ATypeTakesThatRRsetOnly) {
    EXPECT_EQ(rrsets.erase(CacheSelection{name("www.example.com."), false, RRType::AAAA, false}),
              1u);
    EXPECT_TRUE(live_rrsets().contains("www.example.com./A"));
    EXPECT_FALSE(live_rrsets().contains("www.example.com./AAAA"));
}

TEST_F(CacheFlushTest, ASubtreeStopsAtLabelBoundaries) {
    EXPECT_EQ(rrsets.erase(CacheSelection{name("example.com."), true, {}, false}), 5u);
    EXPECT_EQ(live_rrsets(), (std::set<std::string>{"badexample.com./A", "com./NS"}));
}

TEST_F(CacheFlushTest, ASubtreeOfOneType) {
    EXPECT_EQ(rrsets.erase(CacheSelection{name("example.com."), true, RRType::A, false}), 3u);
    EXPECT_EQ(live_rrsets(), (std::set<std::string>{"example.com./NS", "www.example.com./AAAA",
                                                    "badexample.com./A", "com./NS"}));
}

TEST_F(CacheFlushTest, BogusOnlyTakesWhatValidationRejected) {
    EXPECT_EQ(rrsets.erase(CacheSelection{{}, false, {}, true}), 1u);
    EXPECT_FALSE(live_rrsets().contains("bad.example.com./A"));
    EXPECT_EQ(live_rrsets().size(), 6u);
}

TEST_F(CacheFlushTest, ExpiredEntriesKeptForServeStaleGoToo) {
    clock.advance(400);
    EXPECT_TRUE(rrsets.lookup_stale(name("www.example.com."), RRType::A));
    EXPECT_TRUE(live_rrsets().empty());
    rrsets.erase(CacheSelection{name("www.example.com."), false, {}, false});
    EXPECT_FALSE(rrsets.lookup_stale(name("www.example.com."), RRType::A));
    EXPECT_TRUE(rrsets.lookup_stale(name("example.com."), RRType::NS));
}

TEST_F(CacheFlushTest, LiveCopiesHaveTheirTtlDecremented) {
    clock.advance(100);
    rrsets.insert(rrset("new.example.com. 50 IN A 192.0.2.50"), {}, Trust::kAnswerAuth,
                  Security::kInsecure);
    std::map<std::string, uint32_t> ttls;
    rrsets.for_each_live(
        [&](const CachedRRset& c) { ttls[c.rrset.owner.to_text()] = c.rrset.ttl; });
    EXPECT_EQ(ttls["www.example.com."], 200u);
    EXPECT_EQ(ttls["new.example.com."], 50u);
    clock.advance(60);
    EXPECT_FALSE(live_rrsets().contains("new.example.com./A"));
}

TEST_F(CacheFlushTest, ANxdomainAnswersEveryTypeSoATypeTakesIt) {
    insert_negative(Rcode::NXDOMAIN, "nx.example.com.", RRType::A);
    insert_negative(Rcode::NOERROR, "www.example.com.", RRType::TXT);
    insert_negative(Rcode::NOERROR, "www.example.com.", RRType::MX);
    EXPECT_EQ(negatives.erase(CacheSelection{name("nx.example.com."), false, RRType::AAAA, false}),
              1u);
    EXPECT_EQ(negatives.erase(CacheSelection{name("www.example.com."), false, RRType::TXT, false}),
              1u);
    EXPECT_EQ(live_negatives(), (std::set<std::string>{"www.example.com./MX"}));
}

TEST_F(CacheFlushTest, NegativeSubtreeAndBogus) {
    insert_negative(Rcode::NXDOMAIN, "nx.example.com.", RRType::A);
    insert_negative(Rcode::NXDOMAIN, "nx.badexample.com.", RRType::A);
    insert_negative(Rcode::NOERROR, "www.example.com.", RRType::TXT, Security::kBogus);
    EXPECT_EQ(negatives.erase(CacheSelection{{}, false, {}, true}), 1u);
    EXPECT_EQ(live_negatives(),
              (std::set<std::string>{"nx.example.com./NXDOMAIN", "nx.badexample.com./NXDOMAIN"}));
    EXPECT_EQ(negatives.erase(CacheSelection{name("example.com."), true, {}, false}), 1u);
    EXPECT_EQ(live_negatives(), (std::set<std::string>{"nx.badexample.com./NXDOMAIN"}));
}

TEST_F(CacheFlushTest, NegativeCopiesCountDownTheirRecords) {
    insert_negative(Rcode::NOERROR, "www.example.com.", RRType::TXT);
    clock.advance(120);
    std::vector<NegativeEntry> seen;
    negatives.for_each_live([&](const NegativeEntry& e) { seen.push_back(e); });
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].ttl, 180u);
    ASSERT_EQ(seen[0].authority.size(), 1u);
    EXPECT_EQ(seen[0].authority[0].ttl, 180u);
}

TEST(KeyCacheFlush, ByZoneSubtreeOrVerdict) {
    FakeClock clock;
    KeyCache keys(1 << 20, clock);
    keys.insert(name("example.com."), Verdict::of(Security::kInsecure), 300);
    keys.insert(name("sub.example.com."), Verdict::of(Security::kInsecure), 300);
    keys.insert(name("bad.com."), Verdict::of(Security::kBogus), 300);
    keys.insert(name("com."), Verdict::of(Security::kInsecure), 300);
    EXPECT_EQ(keys.erase(CacheSelection{{}, false, {}, true}), 1u);
    EXPECT_FALSE(keys.lookup(name("bad.com.")));
    EXPECT_EQ(keys.erase(CacheSelection{name("example.com."), false, {}, false}), 1u);
    EXPECT_TRUE(keys.lookup(name("sub.example.com.")));
    EXPECT_EQ(keys.erase(CacheSelection{name("com."), true, {}, false}), 2u);
    EXPECT_EQ(keys.entries(), 0u);
}

TEST(DenialIndexFlush, ErasesAZoneOrASubtreeOfZones) {
    FakeClock clock;
    DenialIndex index(1 << 20, 4, clock);
    auto add = [&](std::string_view zone, std::string_view owner, std::string_view next) {
        return index.insert_denial(
            name(zone),
            record(std::string(owner) + " 300 IN NSEC " + std::string(next) + " A RRSIG NSEC"), {},
            300);
    };
    ASSERT_TRUE(add("example.com.", "a.example.com.", "c.example.com."));
    ASSERT_TRUE(add("sub.example.com.", "a.sub.example.com.", "c.sub.example.com."));
    ASSERT_TRUE(add("other.com.", "a.other.com.", "c.other.com."));
    EXPECT_EQ(index.erase_zones(name("nothing.com."), false), 0u);
    EXPECT_EQ(index.erase_zones(name("example.com."), false), 1u);
    EXPECT_FALSE(index.nsec_at_or_before(name("example.com."), name("b.example.com.")));
    EXPECT_TRUE(index.nsec_at_or_before(name("sub.example.com."), name("b.sub.example.com.")));
    EXPECT_EQ(index.erase_zones(name("com."), true), 2u);
    EXPECT_EQ(index.entries(), 0u);
    EXPECT_EQ(index.memory_used(), 0u);
}

TEST(InfraCacheFlush, ClearForgetsEveryServer) {
    InfraCache infra;
    const auto server = *wire::IpAddress::parse("192.0.2.53");
    const auto now = std::chrono::steady_clock::now();
    infra.record_rtt(server, std::chrono::milliseconds(30), now);
    infra.mark_lame(server, name("example.com."), now);
    ASSERT_EQ(infra.entries(), 1u);
    infra.clear();
    EXPECT_EQ(infra.entries(), 0u);
    EXPECT_EQ(infra.memory_used(), 0u);
    EXPECT_FALSE(infra.lame(server, name("example.com."), now));
}

}  // namespace
}  // namespace cairn::cache
