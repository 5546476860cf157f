// Local answers in the request pipeline (query_pipeline.h): answered at once
// with AA and never resolved, dropped for deny zones, refused with EDE 15,
// a local CNAME's target resolved and the chain put first, counted.
#include <gtest/gtest.h>

#include "policy/local_zones.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::Rcode;
using wire::RRType;

std::shared_ptr<const policy::LocalZones> zones(const policy::PolicyOptions& options) {
    auto built = policy::LocalZones::build(options);
    if (!built) throw std::runtime_error(built.error());
    return *built;
}

policy::PolicyOptions configured() {
    policy::PolicyOptions options;
    options.local_zones = {{name("blocked.example."), "refuse"},
                           {name("silent.example."), "deny"},
                           {name("video.example."), "redirect"}};
    options.local_data = {record("printer.home.arpa. 120 IN A 192.168.1.5"),
                          record("video.example. 60 IN CNAME safe.example.net.")};
    return options;
}

TEST(ServerLocalAnswers, AnsweredAtOnceWithAaAndNeverResolved) {
    TestServer server({}, PacketCacheKind::kFake, 1, zones(configured()));
    QuerySpec spec;
    spec.qname = "Printer.Home.Arpa.";
    const auto m = udp_ask(server, spec);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_TRUE(m.header.aa);
    EXPECT_TRUE(m.header.ra);
    EXPECT_FALSE(m.header.ad);
    EXPECT_TRUE(m.questions.at(0).name.identical(name("Printer.Home.Arpa.")));
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].ttl, 120u);
    ASSERT_TRUE(m.edns);

    spec.qname = "1.1.168.192.in-addr.arpa.";
    spec.qtype = RRType::PTR;
    const auto nx = udp_ask(server, spec);
    EXPECT_EQ(nx.rcode(), Rcode::NXDOMAIN);
    EXPECT_TRUE(nx.header.aa);
    ASSERT_EQ(nx.authorities.size(), 1u);
    EXPECT_EQ(nx.authorities[0].type, RRType::SOA);

    EXPECT_EQ(server.script->call_count(), 0u);
    EXPECT_EQ(server.stat("server.local_answers"), 2u);
    EXPECT_EQ(server.stat("server.resolutions"), 0u);
    EXPECT_EQ(server.stat("server.rcode_nxdomain"), 1u);
}

TEST(ServerLocalAnswers, RefuseAndDeny) {
    TestServer server({}, PacketCacheKind::kFake, 1, zones(configured()));
    QuerySpec spec;
    spec.qname = "www.blocked.example.";
    const auto refused = udp_ask(server, spec);
    EXPECT_EQ(refused.rcode(), Rcode::REFUSED);
    EXPECT_TRUE(refused.header.aa);
    const auto* ede = extended_error(refused);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(ede->code, wire::ExtendedErrorCode::kBlocked);

    spec.qname = "www.silent.example.";
    EXPECT_FALSE(udp_exchange(server.address, query_bytes(spec), 300ms));
    EXPECT_EQ(server.stat("server.local_dropped"), 1u);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerLocalAnswers, ALocalCnameLeavingLocalDataIsResolvedOnward) {
    TestServer server({}, PacketCacheKind::kFake, 1, zones(configured()));
    QuerySpec spec;
    spec.qname = "www.video.example.";
    const auto m = udp_ask(server, spec);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    ASSERT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(server.script->call(0).question.name.to_text(), "safe.example.net.");
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_EQ(m.answers[0].to_text(), "www.video.example. 60 IN CNAME safe.example.net.");
    EXPECT_EQ(m.answers[1].to_text(), "safe.example.net. 300 IN A 192.0.2.1");
    EXPECT_FALSE(m.header.aa);
    // Not replayed from the packet cache: the local chain is asked again.
    (void)udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 2u);
}

TEST(ServerLocalAnswers, OtherNamesAreResolved) {
    TestServer server({}, PacketCacheKind::kFake, 1, zones(configured()));
    const auto m = udp_ask(server, QuerySpec{});
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_FALSE(m.header.aa);
    EXPECT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(server.stat("server.local_answers"), 0u);
}

}  // namespace
}  // namespace cairn::server::testing
