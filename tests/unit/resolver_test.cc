// The iterator against scripted in-memory authoritative servers.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include "resolve/recursive_resolver.h"
#include "support/fake_authority.h"
#include "support/scripted_random.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {
namespace {

using testing::make_zone;
using testing::ScriptedUpstream;
using wire::Rcode;
using wire::RRType;

constexpr std::string_view kRoot = R"(
$ORIGIN .
$TTL 86400
@            SOA a.root-servers.test. admin.test. 1 1800 900 604800 86400
@            NS  a.root-servers.test.
test.        NS  ns1.test.
ns1.test.    A   127.0.1.1
example.     NS  ns.example-servers.test.
a.root-servers.test. A 127.0.0.1
)";

constexpr std::string_view kTest = R"(
$ORIGIN test.
$TTL 3600
@                    SOA ns1 admin 1 1800 900 604800 300
@                    NS  ns1
ns1                  A   127.0.1.1
ns.example-servers   A   127.0.2.1
sub                  NS  ns.sub
sub                  NS  dead.sub
ns.sub               A   127.0.3.1
dead.sub             A   127.0.3.9
a.root-servers       A   127.0.0.1
)";

constexpr std::string_view kExample = R"(
$ORIGIN example.
$TTL 300
@        SOA ns.example-servers.test. admin.example. 1 1800 900 604800 60
@        NS  ns.example-servers.test.
www      A   192.0.2.1
alias    CNAME www.sub.test.
loop1    CNAME loop2
loop2    CNAME loop1
old      DNAME new.example.
a.new    A   192.0.2.7
x.ent    A   192.0.2.9
y.ent    A   192.0.2.10
)";

constexpr std::string_view kSub = R"(
$ORIGIN sub.test.
$TTL 300
@        SOA ns admin 1 1800 900 604800 120
@        NS  ns
@        NS  dead
www      A   192.0.2.2
ns       A   127.0.3.1
dead     A   127.0.3.9
)";

class ResolverTest : public ::testing::Test {
protected:
    ResolverTest() {
        options_.upstream_deny.clear();
        options_.initial_timeout = std::chrono::milliseconds(400);
        hints_ = *RootHints::from_text(
            ". 3600 NS a.root-servers.test.\na.root-servers.test. 3600 A 127.0.0.1\n",
            "test hints");
        upstream_.serve("127.0.0.1", {make_zone(".", kRoot)});
        upstream_.serve("127.0.1.1", {make_zone("test.", kTest)});
        upstream_.serve("127.0.2.1", {make_zone("example.", kExample)});
        upstream_.serve("127.0.3.1", {make_zone("sub.test.", kSub)});
        upstream_.silence("127.0.3.9");
    }

    RecursiveResolver& resolver() {
        if (!resolver_)
            resolver_ = std::make_unique<RecursiveResolver>(options_, hints_, caches_, upstream_,
                                                            clock_, steady_, random_);
        return *resolver_;
    }

    Answer resolve(std::string_view name, RRType type, bool rd = true) {
        ClientQuery q{{*wire::Name::from_text(name), type, wire::RRClass::IN}, rd, false, false};
        asio::io_context io;
        auto future = asio::co_spawn(io, resolver().resolve(q), asio::use_future);
        io.run();
        return future.get();
    }

    static std::vector<std::string> texts(const std::vector<wire::Record>& records) {
        std::vector<std::string> out;
        for (const auto& r : records)
            out.push_back(r.to_text());
        return out;
    }

    ResolverOptions options_;
    RootHints hints_;
    cache::FakeClock clock_;
    cache::SteadyClock steady_;
    // Never explores: the tests below expect the best server each time.
    testing::ScriptedRandom random_;
    cache::CacheOptions cache_options_;
    cache::Caches caches_{cache_options_, clock_};
    ScriptedUpstream upstream_;
    std::unique_ptr<RecursiveResolver> resolver_;
};

TEST_F(ResolverTest, FollowsReferralsAndGluelessServers) {
    auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << (a.extended_error ? a.extended_error->extra_text : "");
    ASSERT_EQ(a.answer.size(), 1u);
    EXPECT_EQ(a.answer[0].to_text(), "www.example. 300 IN A 192.0.2.1");
    // The packet cache keeps it for 90% of the TTL, so that the last 10%
    // reaches the resolver, where prefetch sees the name is still asked.
    EXPECT_EQ(a.cache_ttl, 270u);
    // example.'s server was found by resolving its glueless name in test.
    EXPECT_GE(upstream_.count("127.0.1.1"), 1u);
    EXPECT_GE(upstream_.count("127.0.2.1"), 1u);
}

// NXNS budget: wide.test.'s five glueless name servers that do not exist
// cost one lookup each, two per request (max-glueless-ns); those already
// known not to exist cost nothing, so each request gets further and the
// sixth, real one is reached by the third.
TEST_F(ResolverTest, GluelessNamesKnownNotToExistDoNotSpendTheBudget) {
    options_.limits.max_glueless_ns = 2;
    std::string test_zone(kTest);
    for (int i = 1; i <= 5; ++i)
        test_zone += "wide NS gone" + std::to_string(i) + ".example.\n";
    test_zone += "wide NS wideserver.example.\n";
    upstream_.serve("127.0.1.1", {make_zone("test.", test_zone)});
    upstream_.serve("127.0.2.1",
                    {make_zone("example.", std::string(kExample) + "wideserver A 127.0.2.1\n"),
                     make_zone("wide.test.",
                               "$ORIGIN wide.test.\n$TTL 300\n"
                               "@ SOA wideserver.example. admin 1 1800 900 604800 60\n"
                               "@ NS wideserver.example.\n* A 192.0.2.77\n")});
    std::vector<Rcode> rcodes;
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto a = resolve("n" + std::to_string(attempt) + ".wide.test.", RRType::A);
        rcodes.push_back(a.rcode);
        if (a.rcode == Rcode::NOERROR) {
            EXPECT_EQ(texts(a.answer),
                      (std::vector<std::string>{"n" + std::to_string(attempt) +
                                                ".wide.test. 300 IN A 192.0.2.77"}));
            break;
        }
    }
    EXPECT_EQ(rcodes.back(), Rcode::NOERROR) << rcodes.size() << " attempts";
    size_t gone_lookups = 0;
    for (const auto& q : upstream_.sent())
        gone_lookups += q.question.name.to_text().starts_with("gone");
    EXPECT_LE(gone_lookups, 5u) << "a name known not to exist was asked again";
}

TEST_F(ResolverTest, SecondQueryIsAnsweredFromCache) {
    resolve("www.example.", RRType::A);
    const auto sent = upstream_.sent().size();
    clock_.advance(100);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(upstream_.sent().size(), sent);
    ASSERT_EQ(a.answer.size(), 1u);
    EXPECT_EQ(a.answer[0].ttl, 200u);  // decremented by the time that passed
    EXPECT_EQ(resolver().metrics().cache_answers.load(), 1u);
    clock_.advance(201);
    resolve("www.example.", RRType::A);
    EXPECT_GT(upstream_.sent().size(), sent);  // expired: asked again
}

TEST_F(ResolverTest, CnameChainAcrossZones) {
    auto a = resolve("alias.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(a.answer),
              (std::vector<std::string>{"alias.example. 300 IN CNAME www.sub.test.",
                                        "www.sub.test. 300 IN A 192.0.2.2"}));
}

TEST_F(ResolverTest, NxdomainAndNodataAreCachedNegatively) {
    auto nx = resolve("missing.example.", RRType::A);
    EXPECT_EQ(nx.rcode, Rcode::NXDOMAIN);
    ASSERT_EQ(nx.authority.size(), 1u);
    EXPECT_EQ(nx.authority[0].type, RRType::SOA);
    EXPECT_EQ(nx.authority[0].ttl, 60u);  // min(SOA TTL 300, MINIMUM 60)
    const auto sent = upstream_.sent().size();
    EXPECT_EQ(resolve("missing.example.", RRType::A).rcode, Rcode::NXDOMAIN);
    // RFC 8020: names below a non-existent name do not exist either.
    EXPECT_EQ(resolve("deeper.missing.example.", RRType::AAAA).rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(upstream_.sent().size(), sent);

    auto nodata = resolve("www.example.", RRType::TXT);
    EXPECT_EQ(nodata.rcode, Rcode::NOERROR);
    EXPECT_TRUE(nodata.answer.empty());
    ASSERT_EQ(nodata.authority.size(), 1u);
    const auto sent2 = upstream_.sent().size();
    resolve("www.example.", RRType::TXT);
    EXPECT_EQ(upstream_.sent().size(), sent2);
}

TEST_F(ResolverTest, QnameMinimisationShowsOneLabelAtATime) {
    resolve("www.sub.test.", RRType::A);
    for (const auto& q : upstream_.sent()) {
        if (q.server == *wire::IpAddress::parse("127.0.0.1")) {
            EXPECT_LE(q.question.name.label_count(), 1u) << q.question.to_text();
        }
        if (q.server == *wire::IpAddress::parse("127.0.1.1")) {
            EXPECT_LE(q.question.name.label_count(), 2u) << q.question.to_text();
        }
    }
}

TEST_F(ResolverTest, MinimisationRemembersNamesThatAreNoZoneCut) {
    ASSERT_EQ(resolve("x.ent.example.", RRType::A).answer.size(), 1u);
    ASSERT_EQ(resolve("y.ent.example.", RRType::A).answer.size(), 1u);
    size_t asked_for_ent = 0;
    for (const auto& q : upstream_.sent())
        asked_for_ent += q.question.name == *wire::Name::from_text("ent.example.");
    // The empty non-terminal's NODATA was cached the first time.
    EXPECT_EQ(asked_for_ent, 1u);
}

TEST_F(ResolverTest, WithoutMinimisationServersSeeTheFullName) {
    options_.qname_minimisation = false;
    resolve("www.sub.test.", RRType::A);
    // Every query but the priming one (". NS") carries the full name.
    size_t full = 0;
    for (const auto& q : upstream_.sent()) {
        if (q.question.name.is_root()) continue;
        EXPECT_EQ(q.question.name.to_text(), "www.sub.test.");
        ++full;
    }
    EXPECT_GE(full, 3u);
}

TEST_F(ResolverTest, DeadServerIsSkippedAndThenAvoided) {
    auto a = resolve("www.sub.test.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    upstream_.clear_log();
    // Later questions to the zone go to the server that answered.
    for (int i = 0; i < 5; ++i)
        resolve("n" + std::to_string(i) + ".sub.test.", RRType::A);
    EXPECT_EQ(upstream_.count("127.0.3.9"), 0u);
    EXPECT_GE(upstream_.count("127.0.3.1"), 5u);
}

TEST_F(ResolverTest, OutOfBailiwickAdditionalDataIsNotCached) {
    // example.'s server tries to plant an address for a name in sub.test.
    upstream_.script("127.0.2.1", [zone = make_zone("example.", kExample)](const UpstreamQuery& q) {
        auto m = testing::authoritative_answer(zone, q.question);
        m.additionals.push_back(*wire::parse_record("www.sub.test. 86400 IN A 6.6.6.6", {}));
        m.additionals.push_back(*wire::parse_record("ns1.test. 86400 IN A 6.6.6.6", {}));
        return std::optional<wire::Message>(m);
    });
    resolve("www.example.", RRType::A);
    auto a = resolve("www.sub.test.", RRType::A);
    ASSERT_EQ(a.answer.size(), 1u);
    EXPECT_EQ(a.answer[0].to_text(), "www.sub.test. 300 IN A 192.0.2.2");
    EXPECT_GT(resolver().metrics().scrubbed_records.load(), 0u);
}

TEST_F(ResolverTest, CnameLoopHitsTheChainLimit) {
    options_.limits.max_cname_chain = 5;
    auto a = resolve("loop1.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    ASSERT_TRUE(a.extended_error);
    EXPECT_NE(a.extended_error->extra_text.find("max-cname-chain"), std::string::npos);
    EXPECT_EQ(resolver().metrics().limit_cname_chain.load(), 1u);
}

TEST_F(ResolverTest, DnameIsFollowedWithASynthesisedCname) {
    auto a = resolve("a.old.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(a.answer),
              (std::vector<std::string>{"old.example. 300 IN DNAME new.example.",
                                        "a.old.example. 300 IN CNAME a.new.example.",
                                        "a.new.example. 300 IN A 192.0.2.7"}));
}

TEST_F(ResolverTest, UnreachableZoneGivesServfailWithEde) {
    upstream_.silence("127.0.3.1");
    auto a = resolve("www.sub.test.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    ASSERT_TRUE(a.extended_error);
    EXPECT_EQ(a.extended_error->code, wire::ExtendedErrorCode::kNoReachableAuthority);
    EXPECT_EQ(a.cache_ttl, 0u);
}

TEST_F(ResolverTest, UpstreamQueryBudgetIsEnforced) {
    options_.limits.max_upstream_queries = 2;
    auto a = resolve("www.sub.test.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_LE(upstream_.sent().size(), 2u);
    EXPECT_EQ(resolver().metrics().limit_upstream_queries.load(), 1u);
}

TEST_F(ResolverTest, UpwardReferralIsLameAndBounded) {
    // Both servers of loop. refer back up to the root: a referral loop.
    upstream_.script("127.0.1.1", [](const UpstreamQuery& q) {
        wire::Message m;
        m.header.qr = true;
        m.questions.push_back(q.question);
        m.authorities.push_back(*wire::parse_record(". 3600 IN NS a.root-servers.test.", {}));
        return std::optional<wire::Message>(m);
    });
    auto a = resolve("www.sub.test.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    ASSERT_TRUE(a.extended_error);
    EXPECT_LE(upstream_.sent().size(), 10u);
    EXPECT_GE(resolver().metrics().lame_servers.load(), 1u);
}

TEST_F(ResolverTest, RecursionNotDesiredAnswersFromCacheOnly) {
    auto miss = resolve("www.example.", RRType::A, /*rd=*/false);
    EXPECT_EQ(miss.rcode, Rcode::REFUSED);
    EXPECT_TRUE(upstream_.sent().empty());
    resolve("www.example.", RRType::A);
    const auto sent = upstream_.sent().size();
    auto hit = resolve("www.example.", RRType::A, /*rd=*/false);
    EXPECT_EQ(hit.rcode, Rcode::NOERROR);
    EXPECT_EQ(hit.answer.size(), 1u);
    EXPECT_EQ(upstream_.sent().size(), sent);
}

TEST_F(ResolverTest, IdenticalQuestionsInFlightAreJoined) {
    ClientQuery q{
        {*wire::Name::from_text("www.example."), RRType::A, wire::RRClass::IN}, true, false, false};
    asio::io_context io;
    auto first = asio::co_spawn(io, resolver().resolve(q), asio::use_future);
    auto second = asio::co_spawn(io, resolver().resolve(q), asio::use_future);
    io.run();
    EXPECT_EQ(first.get().answer.size(), 1u);
    EXPECT_EQ(second.get().answer.size(), 1u);
    EXPECT_EQ(resolver().metrics().inflight_joins.load(), 1u);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 1u);
}

TEST_F(ResolverTest, StaleAnswerWhenTheServersFail) {
    options_.serve_stale.client_timeout = std::chrono::milliseconds(0);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    ASSERT_EQ(resolve("nx.example.", RRType::A).rcode, Rcode::NXDOMAIN);
    clock_.advance(400);
    upstream_.silence("127.0.2.1");

    auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    ASSERT_EQ(a.answer.size(), 1u);
    EXPECT_EQ(a.answer[0].to_text(), "www.example. 30 IN A 192.0.2.1");
    ASSERT_TRUE(a.extended_error);
    EXPECT_EQ(a.extended_error->code, wire::ExtendedErrorCode::kStaleAnswer);
    EXPECT_EQ(a.cache_ttl, 0u) << "a stale answer is not kept in the packet cache";

    auto nx = resolve("nx.example.", RRType::A);
    EXPECT_EQ(nx.rcode, Rcode::NXDOMAIN);
    ASSERT_TRUE(nx.extended_error);
    EXPECT_EQ(nx.extended_error->code, wire::ExtendedErrorCode::kStaleNxdomainAnswer);
    EXPECT_EQ(resolver().metrics().stale_answers.load(), 2u);

    // The failure-recheck timer: the dead zone is not asked again at once.
    upstream_.clear_log();
    auto again = resolve("www.example.", RRType::A);
    EXPECT_EQ(again.rcode, Rcode::NOERROR);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 0u);
}

TEST_F(ResolverTest, StaleAnswerWhenTheRefreshIsSlow) {
    options_.serve_stale.client_timeout = std::chrono::milliseconds(50);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(400);
    upstream_.silence("127.0.2.1");
    // The client is answered from stale data after 50 ms; the refresh
    // carries on (and fails) behind it.
    auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    ASSERT_TRUE(a.extended_error);
    EXPECT_EQ(a.extended_error->code, wire::ExtendedErrorCode::kStaleAnswer);
    EXPECT_GE(upstream_.count("127.0.2.1"), 1u);
}

TEST_F(ResolverTest, NoStaleAnswerWhenServeStaleIsOff) {
    options_.serve_stale.enabled = false;
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(400);
    upstream_.silence("127.0.2.1");
    EXPECT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_EQ(resolver().metrics().stale_answers.load(), 0u);
}

TEST_F(ResolverTest, PopularRRsetIsPrefetchedBeforeItExpires) {
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    upstream_.clear_log();
    clock_.advance(100);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u) << "90% of the TTL left: no prefetch";
    clock_.advance(180);  // 20 s of 300 left: under 10%
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 1u);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 1u) << "the refresh went upstream";
    auto refreshed = caches_.rrsets.lookup(*wire::Name::from_text("www.example."), RRType::A);
    ASSERT_TRUE(refreshed);
    EXPECT_EQ(refreshed->rrset.ttl, 300u);
}

// Prefetches take one of the worker's slots (max-inflight) while they run,
// and are not started when background work may take none.
TEST_F(ResolverTest, PrefetchTakesAWorkSlotAndWaitsWhenNoneIsLeft) {
    WorkSlots slots(4);
    resolver().share_work_slots(slots);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(100);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(slots.try_take());  // clients' requests: background may take no more
    upstream_.clear_log();
    clock_.advance(180);
    EXPECT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u);
    EXPECT_EQ(resolver().metrics().background_refused.load(), 1u);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 0u);

    slots.give_back();
    EXPECT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 1u);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 1u);
    EXPECT_EQ(slots.running(), 2u) << "the prefetch gave its slot back";
}

// A serve-stale refresh that may outlive its request takes a slot too;
// without one, the stale data is the answer at once and nothing is asked.
TEST_F(ResolverTest, StaleRefreshTakesAWorkSlotOrStaleDataIsAnsweredAtOnce) {
    options_.serve_stale.client_timeout = std::chrono::milliseconds(50);
    WorkSlots slots(4);
    resolver().share_work_slots(slots);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(400);
    upstream_.silence("127.0.2.1");
    upstream_.clear_log();
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(slots.try_take());
    auto busy = resolve("www.example.", RRType::A);
    ASSERT_TRUE(busy.extended_error);
    EXPECT_EQ(busy.extended_error->code, wire::ExtendedErrorCode::kStaleAnswer);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 0u);
    EXPECT_EQ(resolver().metrics().background_refused.load(), 1u);

    for (int i = 0; i < 3; ++i)
        slots.give_back();
    auto a = resolve("www.example.", RRType::A);
    ASSERT_TRUE(a.extended_error);
    EXPECT_EQ(a.extended_error->code, wire::ExtendedErrorCode::kStaleAnswer);
    EXPECT_GE(upstream_.count("127.0.2.1"), 1u) << "the refresh ran behind the answer";
    EXPECT_EQ(slots.running(), 0u);
}

// Only clients make an RRset popular: the resolver's own reads of the
// address of example.'s name server (each name under example. is asked
// there) do not.
TEST_F(ResolverTest, InternalReadsDoNotMakeAnRRsetPopular) {
    options_.prefetch.min_hits = 2;
    for (const char* qname : {"www.example.", "x.ent.example.", "y.ent.example."})
        ASSERT_EQ(resolve(qname, RRType::A).rcode, Rcode::NOERROR) << qname;
    clock_.advance(3300);  // the address (3600 s): under 10% left
    EXPECT_EQ(resolve("ns.example-servers.test.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u) << "asked once by a client";
}

// prefetch-min-hits: an RRset is refreshed once that many client questions
// have reached it (the question that finds it near expiry included).
TEST_F(ResolverTest, PrefetchWaitsForMinHits) {
    options_.prefetch.min_hits = 3;
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);  // stored: no hit yet
    clock_.advance(280);  // 300 s TTL: under 10% left
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u) << "two hits of three";
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 1u);
}

TEST_F(ResolverTest, OneQuestionNearExpiryPrefetchesByDefault) {
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(280);
    upstream_.clear_log();
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 1u);
    EXPECT_EQ(upstream_.count("127.0.2.1"), 1u);
}

TEST(PrefetchWindow, AShareOfTheTtlButAtLeastTwoSeconds) {
    PrefetchOptions prefetch;  // 10%
    EXPECT_EQ(prefetch.window(3600), 360u);
    EXPECT_EQ(prefetch.window(300), 30u);
    EXPECT_EQ(prefetch.window(25), 3u);  // rounded up
    EXPECT_EQ(prefetch.window(10), 2u);
    EXPECT_EQ(prefetch.window(4), 2u);
    EXPECT_EQ(prefetch.window(2), 1u);
    EXPECT_EQ(prefetch.window(1), 1u);
    prefetch.threshold_percent = 50;
    EXPECT_EQ(prefetch.window(10), 5u);
}

TEST_F(ResolverTest, NoPrefetchWhenOff) {
    options_.prefetch.enabled = false;
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(100);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    clock_.advance(180);
    ASSERT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u);
}

// zone-policy: each zone's entry applies to its own names only.
policy::ZonePolicy zone_policy(std::string_view zone) {
    policy::ZonePolicy entry;
    entry.name = *wire::Name::from_text(zone);
    return entry;
}

TEST_F(ResolverTest, ZonePolicyBoundsTheTtlOfItsZoneOnly) {
    auto example = zone_policy("example.");
    example.cache_max_ttl = 60;
    auto sub = zone_policy("sub.test.");
    sub.cache_min_ttl = 1000;
    options_.zone_policy = {example, sub};
    const auto capped = resolve("www.example.", RRType::A);
    ASSERT_EQ(capped.answer.size(), 1u);
    EXPECT_EQ(capped.answer[0].ttl, 60u);
    const auto raised = resolve("www.sub.test.", RRType::A);
    ASSERT_EQ(raised.answer.size(), 1u);
    EXPECT_EQ(raised.answer[0].ttl, 1000u);
    clock_.advance(61);
    EXPECT_FALSE(caches_.rrsets.lookup(*wire::Name::from_text("www.example."), RRType::A));
    EXPECT_TRUE(caches_.rrsets.lookup(*wire::Name::from_text("www.sub.test."), RRType::A));
}

TEST_F(ResolverTest, ZonePolicyTurnsPrefetchOffForItsZone) {
    auto example = zone_policy("example.");
    example.prefetch = false;
    options_.zone_policy = {example};
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_EQ(resolve(qname, RRType::A).rcode, Rcode::NOERROR) << qname;
    clock_.advance(100);
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_EQ(resolve(qname, RRType::A).rcode, Rcode::NOERROR) << qname;
    clock_.advance(180);
    upstream_.clear_log();
    const auto answer = resolve("www.example.", RRType::A);
    EXPECT_EQ(answer.cache_ttl, answer.answer.at(0).ttl) << "no share kept back for prefetch";
    EXPECT_EQ(resolver().metrics().prefetches.load(), 0u);
    ASSERT_EQ(resolve("www.sub.test.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolver().metrics().prefetches.load(), 1u) << "sub.test. has no policy";
    EXPECT_EQ(upstream_.count("127.0.2.1"), 0u);
    EXPECT_GE(upstream_.count("127.0.3.1"), 1u);
}

TEST_F(ResolverTest, ZonePolicyServeStalePerZone) {
    options_.serve_stale.client_timeout = std::chrono::milliseconds(0);
    options_.serve_stale.enabled = false;
    auto example = zone_policy("example.");
    example.serve_stale = true;
    auto sub = zone_policy("sub.test.");
    sub.stale_max = 200;
    sub.serve_stale = true;
    options_.zone_policy = {example, sub};
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_EQ(resolve(qname, RRType::A).rcode, Rcode::NOERROR) << qname;
    clock_.advance(300 + 250);
    upstream_.silence("127.0.2.1");
    upstream_.silence("127.0.3.1");
    const auto stale = resolve("www.example.", RRType::A);
    ASSERT_TRUE(stale.extended_error);
    EXPECT_EQ(stale.extended_error->code, wire::ExtendedErrorCode::kStaleAnswer)
        << "serve-stale on for example. though off globally";
    EXPECT_EQ(resolve("www.sub.test.", RRType::A).rcode, Rcode::SERVFAIL)
        << "sub.test.'s stale-max (200 s) is over";
}

TEST_F(ResolverTest, ZonePolicyStaleRecheckIntervalPerZone) {
    cache::FakeMonotonicClock monotonic;
    options_.serve_stale.client_timeout = std::chrono::milliseconds(0);
    auto example = zone_policy("example.");
    example.stale_recheck_interval = std::chrono::seconds(5);
    options_.zone_policy = {example};
    resolver_ = std::make_unique<RecursiveResolver>(options_, hints_, caches_, upstream_, clock_,
                                                    monotonic, random_);
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_EQ(resolve(qname, RRType::A).rcode, Rcode::NOERROR) << qname;
    clock_.advance(400);
    upstream_.silence("127.0.2.1");
    upstream_.silence("127.0.3.1");
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_TRUE(resolve(qname, RRType::A).extended_error) << qname;
    monotonic.advance(std::chrono::seconds(6));
    upstream_.clear_log();
    for (const char* qname : {"www.example.", "www.sub.test."})
        ASSERT_TRUE(resolve(qname, RRType::A).extended_error) << qname;
    EXPECT_GE(upstream_.count("127.0.2.1"), 1u) << "example.'s 5 s recheck interval is over";
    EXPECT_EQ(upstream_.count("127.0.3.1"), 0u) << "the global 30 s one is not";
}

}  // namespace
}  // namespace cairn::resolve
