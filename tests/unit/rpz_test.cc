// Response policy zones: trigger encodings, actions, the most specific rule
// within a zone, and the order between zones and triggers (RpzSet).
#include "policy/rpz.h"

#include <gtest/gtest.h>

#include "policy/rpz_set.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::policy {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

RpzZoneSettings settings_for(std::string_view zone) {
    RpzZoneSettings settings;
    settings.name = name(zone);
    return settings;
}

RpzZone::Built build(std::string_view text, RpzZoneSettings settings = settings_for("rpz.")) {
    const std::string zone =
        "$TTL 60\n@ SOA ns.rpz. admin.rpz. 7 60 10 600 30\n@ NS ns.rpz.\n" + std::string(text);
    auto records = wire::read_zone(zone, settings.name);
    EXPECT_TRUE(records) << records.error().message;
    auto built = RpzZone::build(settings, *records);
    EXPECT_TRUE(built) << built.error().message;
    return std::move(*built);
}

const char* kRules = R"(
bad.example           CNAME .
*.bad.example         CNAME *.
ok.bad.example        CNAME rpz-passthru.
drop.example          CNAME rpz-drop.
tcp.example           CNAME rpz-tcp-only.
walled.example        CNAME garden.example.
*.wild.example        CNAME *.garden.example.
local.example         A 192.0.2.80
local.example         A 192.0.2.81
local.example         TXT "blocked"
24.0.2.0.192.rpz-ip   CNAME .
32.1.2.0.192.rpz-ip   CNAME rpz-passthru.
48.zz.db8.2001.rpz-ip CNAME *.
128.1.zz.db8.2001.rpz-client-ip CNAME rpz-drop.
32.1.0.0.127.rpz-client-ip CNAME rpz-tcp-only.
ns.evil.example.rpz-nsdname CNAME .
*.evil.example.rpz-nsdname  CNAME *.
16.0.0.51.198.rpz-nsip CNAME .
)";

TEST(RpzZone, ReadsTheSoaAndEveryTrigger) {
    const auto built = build(kRules);
    EXPECT_TRUE(built.problems.empty()) << built.problems.front();
    const RpzZone& zone = *built.zone;
    EXPECT_EQ(zone.serial(), 7u);
    EXPECT_EQ(zone.rule_count(), 16u);
    EXPECT_TRUE(zone.has_response_triggers());
    EXPECT_TRUE(zone.has_nameserver_triggers());
}

TEST(RpzZone, QnameExactBeatsWildcardWhichSkipsItsOwnName) {
    const auto built = build(kRules);
    const RpzZone& zone = *built.zone;
    ASSERT_NE(zone.match_qname(name("BAD.example.")), nullptr);
    EXPECT_EQ(zone.match_qname(name("bad.example."))->action, RpzAction::kNxdomain);
    EXPECT_EQ(zone.match_qname(name("a.b.bad.example."))->action, RpzAction::kNodata);
    EXPECT_EQ(zone.match_qname(name("ok.bad.example."))->action, RpzAction::kPassthru);
    EXPECT_EQ(zone.match_qname(name("drop.example."))->action, RpzAction::kDrop);
    EXPECT_EQ(zone.match_qname(name("tcp.example."))->action, RpzAction::kTcpOnly);
    EXPECT_EQ(zone.match_qname(name("wild.example.")), nullptr);
    EXPECT_EQ(zone.match_qname(name("example.")), nullptr);
    EXPECT_EQ(zone.match_qname(name("good.example.")), nullptr);
    EXPECT_EQ(zone.match_qname(name("bad.example.rpz.")), nullptr);
}

TEST(RpzZone, IpTriggersTakeTheLongestPrefix) {
    const auto built = build(kRules);
    const RpzZone& zone = *built.zone;
    EXPECT_EQ(zone.match_response_ip(ip("192.0.2.1"))->action, RpzAction::kPassthru);
    EXPECT_EQ(zone.match_response_ip(ip("192.0.2.2"))->action, RpzAction::kNxdomain);
    EXPECT_EQ(zone.response_ip_length(ip("192.0.2.2")), 24);
    EXPECT_EQ(zone.match_response_ip(ip("192.0.3.1")), nullptr);
    EXPECT_EQ(zone.match_response_ip(ip("2001:db8::99"))->action, RpzAction::kNodata);
    EXPECT_EQ(zone.match_response_ip(ip("2001:db9::1")), nullptr);
    EXPECT_EQ(zone.match_client_ip(ip("2001:db8::1"))->action, RpzAction::kDrop);
    EXPECT_EQ(zone.match_client_ip(ip("2001:db8::2")), nullptr);
    EXPECT_EQ(zone.match_client_ip(ip("127.0.0.1"))->action, RpzAction::kTcpOnly);
    EXPECT_EQ(zone.match_client_ip(ip("::ffff:127.0.0.1"))->action, RpzAction::kTcpOnly);
    EXPECT_EQ(zone.match_nsip(ip("198.51.7.7"))->action, RpzAction::kNxdomain);
    EXPECT_EQ(zone.match_nsdname(name("ns.evil.example."))->action, RpzAction::kNxdomain);
    EXPECT_EQ(zone.match_nsdname(name("ns2.evil.example."))->action, RpzAction::kNodata);
    EXPECT_EQ(zone.match_nsdname(name("evil.example.")), nullptr);
}

TEST(RpzZone, PrefixEncodings) {
    EXPECT_EQ(rpz_prefix(name("32.1.2.0.192.")), wire::IpPrefix::parse("192.0.2.1/32"));
    EXPECT_EQ(rpz_prefix(name("8.0.0.0.10.")), wire::IpPrefix::parse("10.0.0.0/8"));
    EXPECT_EQ(rpz_prefix(name("128.1.zz.db8.2001.")), wire::IpPrefix::parse("2001:db8::1/128"));
    EXPECT_EQ(rpz_prefix(name("128.zz.1.")), wire::IpPrefix::parse("1::/128"));
    EXPECT_EQ(rpz_prefix(name("128.1.zz.")), wire::IpPrefix::parse("::1/128"));
    EXPECT_EQ(rpz_prefix(name("64.0.0.0.0.4.3.2.1.")), wire::IpPrefix::parse("1:2:3:4::/64"));
    EXPECT_FALSE(rpz_prefix(name("24.1.2.0.192.")));  // host bits set
    EXPECT_FALSE(rpz_prefix(name("33.1.2.0.192.")));
    EXPECT_FALSE(rpz_prefix(name("0.1.2.0.192.")));
    EXPECT_FALSE(rpz_prefix(name("32.1.2.0.300.")));
    EXPECT_FALSE(rpz_prefix(name("x.1.2.0.192.")));
    EXPECT_FALSE(rpz_prefix(name("32.")));
    EXPECT_FALSE(rpz_prefix(name("128.1.zz.g.2001.")));
}

TEST(RpzZone, BadRulesAreLeftOutAndNamed) {
    const auto built = build(R"(
24.1.2.0.192.rpz-ip CNAME .
mixed.example CNAME .
mixed.example A 192.0.2.1
rpz-nsdname CNAME .
fine.example CNAME .
)");
    ASSERT_EQ(built.problems.size(), 3u);
    std::string all;
    for (const auto& problem : built.problems)
        all += problem + "\n";
    EXPECT_NE(all.find("24.1.2.0.192.rpz-ip.rpz.: not an IP prefix"), std::string::npos) << all;
    EXPECT_NE(all.find("mixed.example.rpz.: a CNAME with other data"), std::string::npos) << all;
    EXPECT_EQ(built.zone->rule_count(), 1u);
    EXPECT_NE(built.zone->match_qname(name("fine.example.")), nullptr);
}

TEST(RpzZone, AZoneWithoutSoaIsAnError) {
    auto records = wire::read_zone("bad.example 60 CNAME .\n", name("rpz."));
    ASSERT_TRUE(records);
    auto built = RpzZone::build(settings_for("rpz."), *records);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().message.find("no SOA"), std::string::npos);
}

TEST(RpzZone, LocalDataAnswersTheQueryNameWithItsType) {
    const auto built = build(kRules);
    const RpzZone& zone = *built.zone;
    const RpzRule& local = *zone.match_qname(name("local.example."));
    EXPECT_EQ(local.action, RpzAction::kLocalData);
    auto a = zone.rewrite(local, {name("Local.Example."), RRType::A});
    ASSERT_EQ(a.answer.size(), 2u);
    EXPECT_TRUE(a.answer[0].owner.identical(name("Local.Example.")));
    EXPECT_FALSE(a.cname_target);
    EXPECT_EQ(zone.rewrite(local, {name("local.example."), RRType::TXT}).answer.size(), 1u);
    EXPECT_TRUE(zone.rewrite(local, {name("local.example."), RRType::AAAA}).answer.empty());
    EXPECT_EQ(zone.rewrite(local, {name("local.example."), RRType::ANY}).answer.size(), 3u);
}

TEST(RpzZone, CnameRewritesAndWildcardTargets) {
    const auto built = build(kRules);
    const RpzZone& zone = *built.zone;
    auto walled = zone.rewrite(*zone.match_qname(name("walled.example.")),
                               {name("walled.example."), RRType::A});
    ASSERT_EQ(walled.answer.size(), 1u);
    EXPECT_EQ(walled.answer[0].type, RRType::CNAME);
    EXPECT_EQ(walled.cname_target, name("garden.example."));
    auto wild = zone.rewrite(*zone.match_qname(name("x.wild.example.")),
                             {name("x.wild.example."), RRType::AAAA});
    EXPECT_EQ(wild.cname_target, name("x.wild.example.garden.example."));
}

TEST(RpzZone, OverridesReplaceEveryAction) {
    RpzZoneSettings settings = settings_for("rpz.");
    settings.override = RpzOverride::kCname;
    settings.override_cname = name("blocked.example.");
    const auto built = build(kRules, settings);
    const RpzZone& zone = *built.zone;
    const RpzRule& rule = *zone.match_qname(name("bad.example."));
    EXPECT_EQ(zone.action_of(rule), RpzAction::kLocalData);
    EXPECT_EQ(zone.rewrite(rule, {name("bad.example."), RRType::A}).cname_target,
              name("blocked.example."));
    settings.override = RpzOverride::kDrop;
    const auto dropped = build(kRules, settings);
    EXPECT_EQ(dropped.zone->action_of(*dropped.zone->match_qname(name("bad.example."))),
              RpzAction::kDrop);
}

TEST(RpzSet, FirstZoneWinsAndClientIpBeforeQname) {
    auto first = build("bad.example CNAME *.\n", settings_for("one."));
    auto second = build(
        "bad.example CNAME .\nother.example CNAME .\n32.1.0.0.127.rpz-client-ip CNAME rpz-drop.\n",
        settings_for("two."));
    RpzSet set({first.zone, second.zone});
    auto hit = set.check_query(ip("192.0.2.9"), name("bad.example."));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->zone_index, 0u);
    EXPECT_EQ(hit->action, RpzAction::kNodata);
    hit = set.check_query(ip("127.0.0.1"), name("other.example."));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trigger, RpzTrigger::kClientIp);
    EXPECT_EQ(hit->action, RpzAction::kDrop);
    hit = set.check_query(ip("192.0.2.9"), name("bad.example."), 1);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->zone_index, 1u);
    EXPECT_FALSE(set.check_query(ip("192.0.2.9"), name("good.example.")));
}

TEST(RpzSet, ResponseTriggersInOrderAndMostSpecificAddress) {
    auto qnames = build("bad.example CNAME .\n", settings_for("one."));
    auto ips = build(R"(
16.0.0.2.192.rpz-ip CNAME *.
32.7.2.0.192.rpz-ip CNAME .
ns.evil.example.rpz-nsdname CNAME rpz-drop.
32.9.9.51.198.rpz-nsip CNAME rpz-tcp-only.
)",
                     settings_for("two."));
    RpzSet set({qnames.zone, ips.zone});
    EXPECT_FALSE(set.response_triggers_before(0));
    EXPECT_FALSE(set.response_triggers_before(1));
    EXPECT_TRUE(set.response_triggers_before(2));
    EXPECT_TRUE(set.has_nameserver_triggers());
    const std::vector<wire::IpAddress> addresses = {ip("192.0.9.9"), ip("192.0.2.7")};
    const std::vector<wire::Name> ns = {name("ns.evil.example.")};
    const std::vector<wire::IpAddress> ns_addresses = {ip("198.51.9.9")};
    auto hit = set.check_response({addresses, ns, ns_addresses}, 0, 2);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trigger, RpzTrigger::kResponseIp);
    EXPECT_EQ(hit->action, RpzAction::kNxdomain);
    EXPECT_FALSE(set.check_response({addresses, ns, ns_addresses}, 0, 1));
    hit = set.check_response({{}, ns, ns_addresses}, 0, 2);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trigger, RpzTrigger::kNsdname);
    hit = set.check_response({{}, {}, ns_addresses}, 0, 2);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trigger, RpzTrigger::kNsip);
    EXPECT_EQ(hit->action, RpzAction::kTcpOnly);
}

TEST(RpzSet, CheckNameLooksAtQnameRulesOfTheZonesBefore) {
    auto first =
        build("hop.example CNAME .\n32.1.0.0.127.rpz-client-ip CNAME .\n", settings_for("one."));
    auto second = build("next.example CNAME *.\n", settings_for("two."));
    RpzSet set({first.zone, second.zone});
    auto hit = set.check_name(name("hop.example."), 0, 2);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->trigger, RpzTrigger::kQname);
    EXPECT_EQ(hit->action, RpzAction::kNxdomain);
    EXPECT_TRUE(set.check_name(name("next.example."), 0, 2));
    EXPECT_FALSE(set.check_name(name("next.example."), 0, 1));
    EXPECT_FALSE(set.check_name(name("other.example."), 0, 2));
}

TEST(RpzSet, DisabledZonesReportTheirHits) {
    RpzZoneSettings settings = settings_for("one.");
    settings.override = RpzOverride::kDisabled;
    auto disabled = build("bad.example CNAME .\n", settings);
    auto second = build("bad.example CNAME *.\n", settings_for("two."));
    RpzSet set({disabled.zone, second.zone});
    auto hit = set.check_query(ip("192.0.2.9"), name("bad.example."));
    ASSERT_TRUE(hit);
    EXPECT_TRUE(hit->disabled);
    hit = set.check_query(ip("192.0.2.9"), name("bad.example."), hit->zone_index + 1);
    ASSERT_TRUE(hit);
    EXPECT_FALSE(hit->disabled);
    EXPECT_EQ(hit->action, RpzAction::kNodata);
}

}  // namespace
}  // namespace cairn::policy
