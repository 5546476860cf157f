// The cache's text dump and its loading back (warm restart): TTLs count the
// time since the dump, trust ranks and verdicts survive, bad input loads
// nothing and says where.
#include "cache/cache_dump.h"

#include <gtest/gtest.h>

#include <string>

#include "wire/zone_reader.h"

namespace cairn::cache {
namespace {

using wire::ExtendedErrorCode;
using wire::Rcode;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::Record record(std::string_view text) {
    return *wire::parse_record(text, wire::Name::root());
}

wire::RRset rrset(std::initializer_list<std::string_view> texts) {
    wire::RRset set;
    for (auto text : texts) {
        const auto r = record(text);
        set.owner = r.owner;
        set.type = r.type;
        set.ttl = r.ttl;
        set.add(r.rdata);
    }
    return set;
}

constexpr std::string_view kSig =
    "www.example. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 12345 example. "
    "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==";
constexpr std::string_view kSoa =
    "example. 300 IN SOA ns.example. admin.example. 1 7200 3600 1209600 300";

CacheOptions four_shards() {
    CacheOptions options;
    options.shards = 4;
    return options;
}

struct Caches {
    explicit Caches(const Clock& clock)
        : rrsets(four_shards(), 1 << 20, clock), negatives(four_shards(), 1 << 20, clock) {}
    RRsetCache rrsets;
    NegativeCache negatives;
};

class CacheDumpTest : public ::testing::Test {
protected:
    CacheDumpTest() {
        from.rrsets.insert(
            rrset({"www.example. 300 IN A 192.0.2.1", "www.example. 300 IN A 192.0.2.2"}),
            std::vector<wire::RData>{record(kSig).rdata}, Trust::kValidated, Security::kSecure);
        from.rrsets.insert(rrset({"ns.example. 3600 IN A 192.0.2.53"}), {}, Trust::kAdditional,
                           Security::kIndeterminate);
        const auto bad = rrset({"bad.example. 300 IN TXT \"a | b\" \"c\""});
        from.rrsets.insert(bad, {}, Trust::kAnswerAuth, Security::kIndeterminate);
        from.rrsets.set_security(bad, {}, Security::kBogus, ExtendedErrorCode::kRrsigsMissing, 60);
        from.negatives.insert(Rcode::NXDOMAIN, name("nx.example."), RRType::AAAA, {record(kSoa)},
                              300, Security::kSecure);
        from.negatives.insert(Rcode::NOERROR, name("www.example."), RRType::MX, {record(kSoa)}, 120,
                              Security::kInsecure);
    }

    FakeClock clock;
    Caches from{clock};
    Caches to{clock};
};

TEST_F(CacheDumpTest, AnRRsetIsOneLineInZoneFileOrder) {
    auto hit = from.rrsets.peek(name("www.example."), RRType::A);
    ASSERT_TRUE(hit);
    EXPECT_EQ(dump_line(*hit),
              "www.example. 300 IN A rrset validated secure | www.example. 300 IN A 192.0.2.1 | "
              "www.example. 300 IN A 192.0.2.2 | " +
                  std::string(kSig));
    auto bogus = from.rrsets.peek(name("bad.example."), RRType::TXT);
    ASSERT_TRUE(bogus);
    EXPECT_EQ(
        dump_line(*bogus),
        "bad.example. 60 IN TXT rrset answer-auth bogus/10 | bad.example. 60 IN TXT \"a | b\" "
        "\"c\"");
}

TEST_F(CacheDumpTest, NegativeEntriesCarryTheirProof) {
    auto nx = from.negatives.lookup(name("nx.example."), RRType::A);
    ASSERT_TRUE(nx);
    EXPECT_EQ(dump_line(*nx), "nx.example. 300 IN AAAA nxdomain - secure | " + std::string(kSoa));
}

TEST_F(CacheDumpTest, LoadingCountsTheTimeSinceTheDump) {
    const std::string text = dump_caches(from.rrsets, from.negatives, clock.now());
    clock.advance(100);
    auto loaded = load_caches(to.rrsets, to.negatives, text, clock.now(), "dump");
    ASSERT_TRUE(loaded) << loaded.error().message;
    // bad.example. had 60 s left: gone.
    EXPECT_EQ(loaded->rrsets, 2u);
    EXPECT_EQ(loaded->negatives, 2u);
    EXPECT_EQ(loaded->expired, 1u);

    auto www = to.rrsets.peek(name("www.example."), RRType::A);
    ASSERT_TRUE(www);
    EXPECT_EQ(www->rrset.ttl, 200u);
    EXPECT_EQ(www->rrset.rdatas.size(), 2u);
    EXPECT_EQ(www->trust, Trust::kValidated);
    EXPECT_EQ(www->security, Security::kSecure);
    EXPECT_EQ(www->signatures, std::vector<wire::RData>{record(kSig).rdata});

    auto glue = to.rrsets.peek(name("ns.example."), RRType::A);
    ASSERT_TRUE(glue);
    EXPECT_EQ(glue->rrset.ttl, 3500u);
    EXPECT_EQ(glue->trust, Trust::kAdditional);
    EXPECT_EQ(glue->security, Security::kIndeterminate);
    EXPECT_FALSE(to.rrsets.peek(name("bad.example."), RRType::TXT));

    auto nx = to.negatives.lookup(name("nx.example."), RRType::A);
    ASSERT_TRUE(nx);
    EXPECT_EQ(nx->rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(nx->ttl, 200u);
    EXPECT_EQ(nx->security, Security::kSecure);
    ASSERT_EQ(nx->authority.size(), 1u);
    EXPECT_LE(nx->authority[0].ttl, 200u);
    auto nodata = to.negatives.lookup(name("www.example."), RRType::MX);
    ASSERT_TRUE(nodata);
    EXPECT_EQ(nodata->rcode, Rcode::NOERROR);
    EXPECT_EQ(nodata->ttl, 20u);
    EXPECT_EQ(nodata->security, Security::kInsecure);
}

TEST_F(CacheDumpTest, BogusVerdictsAndTheirReasonSurvive) {
    const std::string text = dump_caches(from.rrsets, from.negatives, clock.now());
    auto loaded = load_caches(to.rrsets, to.negatives, text, clock.now(), "dump");
    ASSERT_TRUE(loaded) << loaded.error().message;
    auto bad = to.rrsets.peek(name("bad.example."), RRType::TXT);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->security, Security::kBogus);
    EXPECT_EQ(bad->reason, ExtendedErrorCode::kRrsigsMissing);
    EXPECT_EQ(bad->rrset.ttl, 60u);
    ASSERT_EQ(bad->rrset.rdatas.size(), 1u);
    EXPECT_EQ(bad->rrset.rdatas[0].to_text(RRType::TXT), "\"a | b\" \"c\"");
}

TEST_F(CacheDumpTest, DataOfHigherRankAlreadyCachedIsKept) {
    const std::string text = dump_caches(from.rrsets, from.negatives, clock.now());
    to.rrsets.insert(rrset({"ns.example. 3600 IN A 192.0.2.99"}), {}, Trust::kAnswerAuth,
                     Security::kInsecure);
    auto loaded = load_caches(to.rrsets, to.negatives, text, clock.now(), "dump");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->kept, 1u);
    EXPECT_EQ(to.rrsets.peek(name("ns.example."), RRType::A)->rrset.rdatas[0].to_text(RRType::A),
              "192.0.2.99");
}

TEST_F(CacheDumpTest, ABadLineLoadsNothingAndIsNamed) {
    const std::string text = "; time " + std::to_string(clock.now()) +
                             "\nwww.example. 300 IN A rrset answer-auth secure | www.example. 300 "
                             "IN A 192.0.2.1\n\nx.example. 300 IN A rrset answer-auth bright | "
                             "x.example. 300 IN A 192.0.2.1\n";
    auto loaded = load_caches(to.rrsets, to.negatives, text, clock.now(), "cache.txt");
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().message, "cache.txt:4: bad security 'bright'");
    EXPECT_EQ(to.rrsets.entries(), 0u);
}

TEST_F(CacheDumpTest, MalformedInputIsRefusedWithAReason) {
    const std::string time = "; time " + std::to_string(clock.now()) + "\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {time + "www.example. 300 IN A rrset answer-auth secure\n", "without a record of its own"},
        {time + "www.example. 300 IN A rrset | www.example. 300 IN A 192.0.2.1\n", "expected"},
        {time + "www.example. 3x0 IN A rrset answer-auth secure | www.example. 300 IN A 1.2.3.4\n",
         "bad TTL"},
        {time + "www.example. 300 IN A rrset gold secure | www.example. 300 IN A 1.2.3.4\n",
         "bad trust"},
        {time + "www.example. 300 IN A rrset answer-auth secure | www.example. 300 IN A x\n",
         "record 1"},
        {time + "www.example. 300 IN A maybe - secure | www.example. 300 IN A 1.2.3.4\n",
         "bad kind"},
        {time + "www.example. 300 IN A rrset answer-auth bogus/x | www.example. 300 IN A 1.2.3.4\n",
         "bad security"},
        {"; time soon\n", "bad time"},
        {"just text\n", "before the `; time` line"},
        {"", "not a cache dump"},
    };
    for (const auto& [text, expected] : cases) {
        auto loaded = load_caches(to.rrsets, to.negatives, text, clock.now(), "f");
        ASSERT_FALSE(loaded) << text;
        EXPECT_NE(loaded.error().message.find(expected), std::string::npos)
            << text << " -> " << loaded.error().message;
    }
    EXPECT_EQ(to.rrsets.entries(), 0u);
}

}  // namespace
}  // namespace cairn::cache
