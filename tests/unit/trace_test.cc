// What a traced resolution records (resolve/trace.h), against in-memory
// authoritative servers with zones signed in-process: the exchanges from the
// root down, answers from the cache, glueless lookups nested under the
// delegation that needed them, CNAMEs followed, and the chain of trust with
// each verdict.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <optional>

#include "resolve/recursive_resolver.h"
#include "support/fake_authority.h"
#include "support/signed_zone.h"
#include "support/zone_signer.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {
namespace {

using testing::FakeZone;
using testing::make_zone;
using testing::TestZoneSigner;
using trace::Check;
using wire::Name;
using wire::Rcode;
using wire::RRType;

constexpr int64_t kDay = 86400;

// example. is signed under the signed root; test. (which holds the address
// of far.example.'s only name server, given without glue) and far.example.
// are not.
constexpr std::string_view kRoot = R"(
$ORIGIN .
$TTL 86400
@               SOA a.root-servers. admin.root-servers. 1 1800 900 604800 86400
@               NS  a.root-servers.
a.root-servers. A   127.0.0.1
example.        NS  ns.example.
ns.example.     A   127.0.2.1
test.           NS  ns1.test.
ns1.test.       A   127.0.1.1
)";

constexpr std::string_view kExample = R"(
$ORIGIN example.
$TTL 300
@        SOA ns admin 1 1800 900 604800 60
@        NS  ns
ns       A   127.0.2.1
www      A   192.0.2.1
bad      A   192.0.2.66
alias    CNAME www
far      NS  ns.far.test.
dead     NS  ns.dead
ns.dead  A   127.0.9.9
)";

constexpr std::string_view kTest = R"(
$ORIGIN test.
$TTL 300
@          SOA ns1 admin 1 1800 900 604800 60
@          NS  ns1
ns1        A   127.0.1.1
ns.far     A   127.0.3.1
)";

constexpr std::string_view kFar = R"(
$ORIGIN far.example.
$TTL 300
@        SOA ns.far.test. admin 1 1800 900 604800 60
@        NS  ns.far.test.
www      A   192.0.2.3
)";

Name name(std::string_view text) {
    return *Name::from_text(text);
}

class TraceTest : public ::testing::Test {
protected:
    TraceTest() {
        options_.upstream_deny.clear();
        options_.initial_timeout = std::chrono::milliseconds(50);
        hints_ = *RootHints::from_text(
            ". 3600 NS a.root-servers.\na.root-servers. 3600 A 127.0.0.1\n", "test hints");
        FakeZone root = make_zone(".", kRoot);
        FakeZone example = make_zone("example.", kExample);
        const auto now = static_cast<uint32_t>(clock_.now());
        root.records.push_back(example_ksk_.ds(86400));
        testing::sign_zone(example, example_ksk_, example_zsk_, now - kDay, now + 30 * kDay);
        // bad.example.'s signature no longer verifies.
        for (auto& r : example.records) {
            auto sig = wire::RrsigData::from(r.rdata);
            if (r.type != RRType::RRSIG || r.owner != name("bad.example.") || !sig) continue;
            sig->signature[0] ^= 0xff;
            r.rdata = sig->to_rdata();
        }
        testing::sign_zone(root, root_ksk_, root_zsk_, now - kDay, now + 30 * kDay);
        options_.dnssec.anchors.add(root_ksk_.ds());
        upstream_.serve("127.0.0.1", {root});
        upstream_.serve("127.0.2.1", {example});
        upstream_.serve("127.0.1.1", {make_zone("test.", kTest)});
        upstream_.serve("127.0.3.1", {make_zone("far.example.", kFar)});
        upstream_.silence("127.0.9.9");
    }

    RecursiveResolver& resolver() {
        if (!resolver_)
            resolver_ =
                std::make_unique<RecursiveResolver>(options_, hints_, caches_, upstream_, clock_);
        return *resolver_;
    }

    Answer traced(std::string_view qname, RRType type, Trace& trace) {
        ClientQuery q{{name(qname), type, wire::RRClass::IN}, true, true, false};
        asio::io_context io;
        auto future = asio::co_spawn(io, resolver().resolve_traced(q, trace), asio::use_future);
        io.run();
        return future.get();
    }

    // The events of type T in `trace`, with their depth.
    template <class T>
    static std::vector<std::pair<uint8_t, T>> events(const Trace& trace) {
        std::vector<std::pair<uint8_t, T>> out;
        for (const auto& step : trace.steps())
            if (const auto* e = std::get_if<T>(&step.event)) out.emplace_back(step.depth, *e);
        return out;
    }

    // Index of the first step for which `match` holds, or -1.
    template <class T, class Match>
    static int find(const Trace& trace, Match match) {
        const auto& steps = trace.steps();
        for (size_t i = 0; i < steps.size(); ++i)
            if (const auto* e = std::get_if<T>(&steps[i].event); e && match(*e))
                return static_cast<int>(i);
        return -1;
    }

    static int find_check(const Trace& trace, Check::What what, std::string_view zone) {
        return find<Check>(trace,
                           [&](const Check& c) { return c.what == what && c.zone == name(zone); });
    }

    ResolverOptions options_;
    RootHints hints_;
    cache::FakeClock clock_;
    cache::CacheOptions cache_options_;
    cache::Caches caches_{cache_options_, clock_};
    testing::ScriptedUpstream upstream_;
    std::unique_ptr<RecursiveResolver> resolver_;
    TestZoneSigner root_ksk_{Name::root(), dnssec::algorithm::kEcdsaP256Sha256,
                             TestZoneSigner::kKskFlags};
    TestZoneSigner root_zsk_{Name::root(), dnssec::algorithm::kEcdsaP256Sha256,
                             TestZoneSigner::kZskFlags};
    TestZoneSigner example_ksk_{name("example."), dnssec::algorithm::kEcdsaP256Sha256,
                                TestZoneSigner::kKskFlags};
    TestZoneSigner example_zsk_{name("example."), dnssec::algorithm::kEcdsaP256Sha256,
                                TestZoneSigner::kZskFlags};
};

TEST_F(TraceTest, ASignedAnswerShowsEachServerFromTheRootAndTheChainOfTrust) {
    Trace trace;
    auto a = traced("www.example.", RRType::A, trace);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_TRUE(a.authentic_data);

    const auto exchanges = events<trace::Exchange>(trace);
    const auto referral = std::find_if(exchanges.begin(), exchanges.end(), [](const auto& e) {
        return e.second.outcome == trace::Outcome::kReferral;
    });
    ASSERT_NE(referral, exchanges.end());
    EXPECT_EQ(referral->second.zone, Name::root());
    EXPECT_EQ(referral->second.server.to_string(), "127.0.0.1");
    EXPECT_EQ(referral->second.referral, name("example."));
    EXPECT_TRUE(referral->second.minimised);
    const auto answer = std::find_if(exchanges.begin(), exchanges.end(), [](const auto& e) {
        return e.second.question.name == name("www.example.") &&
               e.second.outcome == trace::Outcome::kAnswer;
    });
    ASSERT_NE(answer, exchanges.end());
    EXPECT_EQ(answer->second.zone, name("example."));
    EXPECT_EQ(answer->second.server.to_string(), "127.0.2.1");
    EXPECT_FALSE(answer->second.minimised);

    // DNSKEY . (trust anchor) -> DS example. -> DNSKEY example. -> RRSIG.
    const int root_keys = find_check(trace, Check::What::kDnskey, ".");
    const int ds = find_check(trace, Check::What::kDs, "example.");
    const int keys = find_check(trace, Check::What::kDnskey, "example.");
    const int data = find_check(trace, Check::What::kRrset, "example.");
    ASSERT_GE(root_keys, 0);
    EXPECT_LT(root_keys, ds);
    EXPECT_LT(ds, keys);
    EXPECT_LT(keys, data);
    const auto& steps = trace.steps();
    EXPECT_EQ(std::get<Check>(steps[root_keys].event).basis, Check::Basis::kTrustAnchor);
    for (int i : {root_keys, ds, keys, data})
        EXPECT_EQ(std::get<Check>(steps[i].event).security, cache::Security::kSecure) << i;
    EXPECT_EQ(std::get<Check>(steps[data].event).subject,
              (wire::Question{name("www.example."), RRType::A, wire::RRClass::IN}));
    // The DNSKEY RRsets were fetched, their exchanges nested under the fetch.
    const int fetch = find<trace::Fetch>(trace, [](const trace::Fetch& f) {
        return f.question.name == name("example.") && f.question.type == RRType::DNSKEY;
    });
    ASSERT_GE(fetch, 0);
    EXPECT_FALSE(std::get<trace::Fetch>(steps[fetch].event).from_cache);
    EXPECT_EQ(std::get<trace::Fetch>(steps[fetch].event).found, trace::Found::kAnswer);
    ASSERT_LT(static_cast<size_t>(fetch + 1), steps.size());
    EXPECT_EQ(steps[fetch + 1].depth, steps[fetch].depth + 1);
}

TEST_F(TraceTest, ACachedAnswerIsOneStepUnlessAskedFresh) {
    Trace first;
    traced("www.example.", RRType::A, first);
    const size_t sent = upstream_.sent().size();

    Trace second;
    auto a = traced("www.example.", RRType::A, second);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(upstream_.sent().size(), sent);
    ASSERT_EQ(second.steps().size(), 1u);
    const auto& cached = std::get<trace::Cached>(second.steps()[0].event);
    EXPECT_EQ(cached.source, trace::Cached::Source::kCache);
    EXPECT_EQ(cached.found, trace::Found::kAnswer);
    EXPECT_EQ(cached.security, cache::Security::kSecure);

    const size_t asked = upstream_.count("127.0.2.1");
    Trace fresh(/*fresh=*/true);
    auto again = traced("www.example.", RRType::A, fresh);
    EXPECT_TRUE(again.authentic_data);
    EXPECT_EQ(upstream_.count("127.0.2.1"), asked + 1);
    EXPECT_TRUE(events<trace::Cached>(fresh).empty());
    // Delegations and keys still come from the cache.
    EXPECT_EQ(events<trace::Start>(fresh).front().second.from_cache, true);
    EXPECT_GE(find<Check>(fresh, [](const Check& c) { return c.basis == Check::Basis::kCache; }),
              0);
}

TEST_F(TraceTest, AGluelessLookupNestsItsOwnSteps) {
    Trace trace;
    auto a = traced("www.far.example.", RRType::A, trace);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    const int glueless = find<trace::Glueless>(trace, [](const auto&) { return true; });
    ASSERT_GE(glueless, 0);
    const auto& steps = trace.steps();
    const auto& g = std::get<trace::Glueless>(steps[glueless].event);
    EXPECT_EQ(g.zone, name("far.example."));
    EXPECT_EQ(g.server, name("ns.far.test."));
    ASSERT_EQ(g.found.size(), 1u);
    EXPECT_EQ(g.found[0].to_string(), "127.0.3.1");
    // Its lookup (test.'s server asked) nests under it; the question asked
    // of the server found does not.
    const int nested = find<trace::Exchange>(
        trace, [](const trace::Exchange& e) { return e.server.to_string() == "127.0.1.1"; });
    const int far = find<trace::Exchange>(
        trace, [](const trace::Exchange& e) { return e.server.to_string() == "127.0.3.1"; });
    ASSERT_GT(nested, glueless);
    ASSERT_GT(far, nested);
    EXPECT_EQ(steps[nested].depth, steps[glueless].depth + 1);
    EXPECT_EQ(steps[far].depth, steps[glueless].depth);
    // far.example. has no DS: proven by example.'s NSEC, so insecure.
    const int no_ds = find_check(trace, Check::What::kDs, "far.example.");
    ASSERT_GE(no_ds, 0);
    EXPECT_EQ(std::get<Check>(steps[no_ds].event).basis, Check::Basis::kNoDs);
    EXPECT_EQ(std::get<Check>(steps[no_ds].event).security, cache::Security::kInsecure);
}

TEST_F(TraceTest, ABogusSignatureShowsItsVerdictAndWhy) {
    Trace trace;
    auto a = traced("bad.example.", RRType::A, trace);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    const int data = find_check(trace, Check::What::kRrset, "example.");
    ASSERT_GE(data, 0);
    const auto& check = std::get<Check>(trace.steps()[data].event);
    EXPECT_EQ(check.security, cache::Security::kBogus);
    ASSERT_TRUE(check.why);
    EXPECT_EQ(check.why->code, wire::ExtendedErrorCode::kDnssecBogus);
    EXPECT_NE(check.why->extra_text.find("bad.example."), std::string::npos);
}

TEST_F(TraceTest, ACnameIsFollowedToItsTarget) {
    Trace trace;
    auto a = traced("alias.example.", RRType::A, trace);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    const auto follows = events<trace::Follow>(trace);
    ASSERT_EQ(follows.size(), 1u);
    EXPECT_EQ(follows[0].second.from, name("alias.example."));
    EXPECT_EQ(follows[0].second.to, name("www.example."));
    EXPECT_FALSE(follows[0].second.dname);
}

TEST_F(TraceTest, ServersThatDoNotAnswerShowAsTimeouts) {
    Trace trace;
    auto a = traced("www.dead.example.", RRType::A, trace);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    const auto exchanges = events<trace::Exchange>(trace);
    const auto timeouts = std::count_if(exchanges.begin(), exchanges.end(), [](const auto& e) {
        return e.second.outcome == trace::Outcome::kTimeout &&
               e.second.server.to_string() == "127.0.9.9" && e.second.zone == name("dead.example.");
    });
    EXPECT_GE(timeouts, 1);
}

TEST_F(TraceTest, AnUntracedRequestBuildsNoEvent) {
    bool built = false;
    note(nullptr, [&] {
        built = true;
        return trace::Start{};
    });
    {
        TraceScope scope(nullptr, [&] {
            built = true;
            return trace::Start{};
        });
        EXPECT_EQ(scope.event<trace::Start>(), nullptr);
    }
    EXPECT_FALSE(built);
}

TEST(TraceRecorder, NestsAndStopsAtItsBound) {
    Trace trace;
    trace.add(trace::Start{});
    {
        TraceScope outer(&trace, [] { return trace::Glueless{}; });
        trace.add(trace::Start{});
        {
            TraceScope inner(&trace, [] { return trace::ParentGlue{}; });
            trace.add(trace::Start{});
            inner.event<trace::ParentGlue>()->found = true;
        }
        trace.add(trace::Start{});
    }
    trace.add(trace::Start{});
    std::vector<int> depths;
    for (const auto& step : trace.steps())
        depths.push_back(step.depth);
    EXPECT_EQ(depths, (std::vector<int>{0, 0, 1, 1, 2, 1, 0}));
    EXPECT_TRUE(std::get<trace::ParentGlue>(trace.steps()[3].event).found);

    for (size_t i = 0; i < Trace::kMaxSteps; ++i)
        trace.add(trace::Start{});
    EXPECT_EQ(trace.steps().size(), Trace::kMaxSteps);
    EXPECT_EQ(trace.dropped(), 7u);
    TraceScope beyond(&trace, [] { return trace::Glueless{}; });
    EXPECT_EQ(beyond.event<trace::Glueless>(), nullptr);
}

}  // namespace
}  // namespace cairn::resolve
