// Forward and stub zones in the iterator, against scripted servers: where
// questions go, with which flags, and what happens when forwarders fail.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include "resolve/recursive_resolver.h"
#include "support/fake_authority.h"
#include "support/scripted_random.h"

namespace cairn::resolve {
namespace {

using testing::FakeZone;
using testing::make_zone;
using wire::Rcode;
using wire::RRType;

constexpr std::string_view kRoot = R"(
$ORIGIN .
$TTL 86400
@            SOA a.root-servers.test. admin.test. 1 1800 900 604800 86400
@            NS  a.root-servers.test.
test.        NS  ns1.test.
ns1.test.    A   127.0.1.1
example.     NS  ns1.test.
a.root-servers.test. A 127.0.0.1
)";

constexpr std::string_view kTest = R"(
$ORIGIN test.
$TTL 3600
@         SOA ns1 admin 1 1800 900 604800 300
@         NS  ns1
ns1       A   127.0.1.1
www       A   192.0.2.50
sub       NS  ns.sub
ns.sub    A   127.0.3.1
)";

// The public example. (at 127.0.1.1) and the one the forwarders know.
constexpr std::string_view kExample = R"(
$ORIGIN example.
$TTL 300
@        SOA ns1.test. admin.example. 1 1800 900 604800 60
@        NS  ns1.test.
www      A   192.0.2.1
)";

constexpr std::string_view kPrivateExample = R"(
$ORIGIN example.
$TTL 300
@        SOA ns.corp. admin.example. 1 1800 900 604800 60
@        NS  ns.corp.
www      A   10.0.0.1
alias    CNAME www.sub.test.
deep     NS  ns.deep
ns.deep  A   127.0.9.9
)";

// Served at 127.0.3.1 (the public delegation) and by the stub server.
constexpr std::string_view kSub = R"(
$ORIGIN sub.test.
$TTL 300
@        SOA ns admin 1 1800 900 604800 120
@        NS  ns
www      A   192.0.2.2
ns       A   127.0.3.1
lab      NS  ns.lab
ns.lab   A   127.0.4.1
)";

constexpr std::string_view kLab = R"(
$ORIGIN lab.sub.test.
$TTL 300
@        SOA ns admin 1 1800 900 604800 120
@        NS  ns
www      A   192.0.2.3
ns       A   127.0.4.1
)";

// The zone of `zones` that holds `name`: the deepest.
const FakeZone* zone_of(const std::vector<FakeZone>& zones, const wire::Name& name) {
    const FakeZone* best = nullptr;
    for (const auto& z : zones)
        if (name.is_subdomain_of(z.origin) &&
            (!best || z.origin.label_count() > best->origin.label_count()))
            best = &z;
    return best;
}

// A recursive resolver's answer from `zones`: CNAMEs followed across them.
wire::Message recursive_answer(const std::vector<FakeZone>& zones, const wire::Question& q) {
    auto message = testing::authoritative_answer(*zone_of(zones, q.name), q);
    for (int hops = 0; hops < 4; ++hops) {
        const auto& last = message.answers.empty() ? nullptr : &message.answers.back();
        if (!last || last->type != RRType::CNAME || q.type == RRType::CNAME) break;
        const auto target = wire::NameData::from(last->rdata)->name;
        const auto* zone = zone_of(zones, target);
        if (!zone) break;
        auto next = testing::authoritative_answer(*zone, {target, q.type, q.rclass});
        message.answers.insert(message.answers.end(), next.answers.begin(), next.answers.end());
        message.header.rcode = next.header.rcode;
    }
    message.header.aa = false;
    message.header.ra = true;
    return message;
}

class ForwardingTest : public ::testing::Test {
protected:
    ForwardingTest() {
        options_.upstream_deny.clear();
        options_.initial_timeout = std::chrono::milliseconds(400);
        hints_ = *RootHints::from_text(
            ". 3600 NS a.root-servers.test.\na.root-servers.test. 3600 A 127.0.0.1\n",
            "test hints");
        upstream_.serve("127.0.0.1", {make_zone(".", kRoot)});
        upstream_.serve("127.0.1.1", {make_zone("test.", kTest), make_zone("example.", kExample)});
        upstream_.serve("127.0.3.1", {make_zone("sub.test.", kSub)});
        upstream_.serve("127.0.4.1", {make_zone("lab.sub.test.", kLab)});
    }

    // A recursive resolver at `address` that knows the private example.
    void forwarder(std::string_view address) {
        std::vector<FakeZone> zones = {make_zone("example.", kPrivateExample),
                                       make_zone("sub.test.", kSub)};
        upstream_.script(address, [this, zones](const UpstreamQuery& q) {
            seen_.push_back(q);
            return recursive_answer(zones, q.question);
        });
    }

    void failing_forwarder(std::string_view address, Rcode rcode) {
        upstream_.script(address, [this, rcode](const UpstreamQuery& q) {
            seen_.push_back(q);
            wire::Message m;
            m.header.qr = true;
            m.header.ra = true;
            m.questions.push_back(q.question);
            m.set_rcode(rcode);
            return m;
        });
    }

    void configure(policy::ForwardingOptions forwarding) {
        options_.forward_zones = std::make_shared<const policy::ForwardZones>(forwarding);
    }

    static policy::ForwardZoneOptions forward_zone(std::string_view zone,
                                                   std::vector<std::string_view> addresses,
                                                   bool first = false) {
        policy::ForwardZoneOptions f;
        f.name = *wire::Name::from_text(zone);
        for (auto a : addresses)
            f.addresses.push_back(*wire::SocketAddress::parse(a, 0));
        f.first = first;
        return f;
    }

    Answer resolve(std::string_view name, RRType type) {
        if (!resolver_)
            resolver_ = std::make_unique<RecursiveResolver>(options_, hints_, caches_, upstream_,
                                                            clock_, steady_, random_);
        ClientQuery q{{*wire::Name::from_text(name), type, wire::RRClass::IN}, true, false, false};
        asio::io_context io;
        auto future = asio::co_spawn(io, resolver_->resolve(q), asio::use_future);
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
    testing::ScriptedRandom random_;
    cache::CacheOptions cache_options_;
    cache::Caches caches_{cache_options_, clock_};
    testing::ScriptedUpstream upstream_;
    std::vector<UpstreamQuery> seen_;
    std::unique_ptr<RecursiveResolver> resolver_;
};

TEST_F(ForwardingTest, AForwardZoneIsAskedOfItsForwardersWithRdAndCd) {
    forwarder("127.0.8.1");
    configure({{forward_zone("example.", {"127.0.8.1"})}, {}, {}});
    const auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << (a.extended_error ? a.extended_error->extra_text : "");
    EXPECT_EQ(texts(a.answer), std::vector<std::string>{"www.example. 300 IN A 10.0.0.1"});
    ASSERT_FALSE(seen_.empty());
    // The full name, not a minimised step; RD for recursion, CD and DO so
    // that Cairn gets what it needs to validate by itself.
    EXPECT_EQ(seen_[0].question.name.to_text(), "www.example.");
    EXPECT_TRUE(seen_[0].recursion_desired);
    EXPECT_TRUE(seen_[0].checking_disabled);
    EXPECT_TRUE(seen_[0].dnssec_ok);
    EXPECT_EQ(seen_[0].server.port, 53);
    EXPECT_EQ(upstream_.count("127.0.0.1"), 0u);  // the root was never asked
    EXPECT_EQ(upstream_.count("127.0.1.1"), 0u);  // nor the public servers of example.
}

TEST_F(ForwardingTest, TheChainAForwarderFollowedIsTakenWhole) {
    forwarder("127.0.8.1");
    configure({{forward_zone("example.", {"127.0.8.1"})}, {}, {}});
    const auto a = resolve("alias.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(a.answer),
              (std::vector<std::string>{"alias.example. 300 IN CNAME www.sub.test.",
                                        "www.sub.test. 300 IN A 192.0.2.2"}));
    EXPECT_EQ(upstream_.count("127.0.3.1"), 0u);
    // Names outside the forward zone still go their own way.
    upstream_.clear_log();
    const auto other = resolve("www.test.", RRType::A);
    ASSERT_EQ(other.rcode, Rcode::NOERROR);
    EXPECT_EQ(upstream_.count("127.0.8.1"), 0u);
    EXPECT_GE(upstream_.count("127.0.1.1"), 1u);
}

TEST_F(ForwardingTest, AForwarderThatFailsIsReplacedByTheNext) {
    failing_forwarder("127.0.8.1", Rcode::SERVFAIL);
    failing_forwarder("127.0.8.2", Rcode::REFUSED);
    forwarder("127.0.8.3");
    // In this order, the scripted choice takes 127.0.8.1, then .2, then .3.
    configure({{forward_zone("example.", {"127.0.8.3", "127.0.8.1", "127.0.8.2"})}, {}, {}});
    const auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(a.answer), std::vector<std::string>{"www.example. 300 IN A 10.0.0.1"});
    EXPECT_EQ(upstream_.count("127.0.8.1"), 1u);
    EXPECT_EQ(upstream_.count("127.0.8.2"), 1u);
    // Refusing one question does not make a forwarder lame for the zone.
    upstream_.clear_log();
    failing_forwarder("127.0.8.3", Rcode::SERVFAIL);
    forwarder("127.0.8.2");
    const auto b = resolve("www2.example.", RRType::A);
    EXPECT_EQ(b.rcode, Rcode::NXDOMAIN);
    EXPECT_GE(upstream_.count("127.0.8.2"), 1u);
}

TEST_F(ForwardingTest, WithoutFirstFailedForwardersMeanServfail) {
    failing_forwarder("127.0.8.1", Rcode::SERVFAIL);
    upstream_.silence("127.0.8.2");
    configure({{forward_zone("example.", {"127.0.8.1", "127.0.8.2"})}, {}, {}});
    const auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    ASSERT_TRUE(a.extended_error);
    EXPECT_EQ(upstream_.count("127.0.0.1"), 0u);
    EXPECT_EQ(upstream_.count("127.0.1.1"), 0u);
}

TEST_F(ForwardingTest, WithFirstFailedForwardersLeaveItToIteration) {
    failing_forwarder("127.0.8.1", Rcode::SERVFAIL);
    configure({{forward_zone("example.", {"127.0.8.1"}, true)}, {}, {}});
    const auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(a.answer), std::vector<std::string>{"www.example. 300 IN A 192.0.2.1"});
    EXPECT_EQ(upstream_.count("127.0.8.1"), 1u);
    EXPECT_GE(upstream_.count("127.0.1.1"), 1u);
}

TEST_F(ForwardingTest, AReferralFromAForwarderIsAFailure) {
    forwarder("127.0.8.1");
    configure({{forward_zone("example.", {"127.0.8.1"})}, {}, {}});
    const auto a = resolve("www.deep.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(upstream_.count("127.0.9.9"), 0u);
}

TEST_F(ForwardingTest, AStubZoneStartsAtItsServersWithoutRd) {
    // The stub server is not the public one of sub.test., and is asked
    // whatever upstream-deny says.
    upstream_.serve("127.0.7.1", {make_zone("sub.test.", kSub)});
    upstream_.script("127.0.7.1", [this](const UpstreamQuery& q) {
        seen_.push_back(q);
        return testing::authoritative_answer(make_zone("sub.test.", kSub), q.question);
    });
    options_.upstream_deny = {*wire::IpPrefix::parse("127.0.7.0/24")};
    policy::StubZoneOptions stub{*wire::Name::from_text("sub.test."),
                                 {*wire::SocketAddress::parse("127.0.7.1:5300")}};
    configure({{}, {stub}, {}});
    const auto a = resolve("www.sub.test.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << (a.extended_error ? a.extended_error->extra_text : "");
    EXPECT_EQ(texts(a.answer), std::vector<std::string>{"www.sub.test. 300 IN A 192.0.2.2"});
    ASSERT_FALSE(seen_.empty());
    EXPECT_FALSE(seen_[0].recursion_desired);
    EXPECT_EQ(seen_[0].server.port, 5300);
    EXPECT_EQ(upstream_.count("127.0.0.1"), 0u);
    EXPECT_EQ(upstream_.count("127.0.1.1"), 0u);
    EXPECT_EQ(upstream_.count("127.0.3.1"), 0u);
    // Delegations below the stub zone are followed as usual.
    const auto lab = resolve("www.lab.sub.test.", RRType::A);
    ASSERT_EQ(lab.rcode, Rcode::NOERROR);
    EXPECT_EQ(texts(lab.answer), std::vector<std::string>{"www.lab.sub.test. 300 IN A 192.0.2.3"});
    EXPECT_GE(upstream_.count("127.0.4.1"), 1u);
    EXPECT_EQ(upstream_.count("127.0.3.1"), 0u);
}

TEST_F(ForwardingTest, AStubZoneWhoseServersFailIsNotResolvedFromTheRoot) {
    upstream_.silence("127.0.7.1");
    policy::StubZoneOptions stub{*wire::Name::from_text("sub.test."),
                                 {*wire::SocketAddress::parse("127.0.7.1")}};
    configure({{}, {stub}, {}});
    const auto a = resolve("www.sub.test.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(upstream_.count("127.0.3.1"), 0u);
}

}  // namespace
}  // namespace cairn::resolve
