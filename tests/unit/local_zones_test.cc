// Local zones and local data (policy/local_zones.h): each zone type, the
// built-in zones and their switches, CNAME chains, negative answers with
// their SOA, and the configuration errors.
#include "policy/local_zones.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/zone_reader.h"

namespace cairn::policy {
namespace {

using wire::Rcode;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::Record rr(std::string_view text) {
    auto record = wire::parse_record(text, wire::Name::root(), 3600);
    EXPECT_TRUE(record) << text;
    return *record;
}

PolicyOptions no_builtins() {
    PolicyOptions options;
    options.builtin_zones = {false, false, false, false};
    return options;
}

const LocalZones& build(const PolicyOptions& options) {
    // Kept for the whole test program: each test builds a few.
    static std::vector<std::shared_ptr<const LocalZones>> built;
    auto zones = LocalZones::build(options);
    EXPECT_TRUE(zones) << (zones ? "" : zones.error());
    built.push_back(zones ? *zones : std::make_shared<const LocalZones>());
    return *built.back();
}

std::optional<LocalAnswer> ask(const LocalZones& zones, std::string_view qname, RRType type) {
    return zones.answer({name(qname), type, wire::RRClass::IN});
}

// Answer records as zone-file lines, for compact comparison.
std::vector<std::string> lines(const std::vector<wire::Record>& records) {
    std::vector<std::string> out;
    for (const auto& record : records)
        out.push_back(record.to_text());
    return out;
}

PolicyOptions example_zone(const std::string& type) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("example."), type}};
    options.local_data = {rr("www.example. 300 IN A 192.0.2.1"),
                          rr("mail.example. IN AAAA 2001:db8::25")};
    return options;
}

TEST(LocalZones, NothingConfiguredAnswersNothing) {
    const auto& zones = build(no_builtins());
    EXPECT_TRUE(zones.empty());
    EXPECT_FALSE(ask(zones, "www.example.", RRType::A));
}

TEST(LocalZones, LocalDataAnswersItsTypeWithItsTtl) {
    for (const std::string type : {"deny", "refuse", "static", "transparent"}) {
        const auto& zones = build(example_zone(type));
        const auto a = ask(zones, "WWW.example.", RRType::A);
        ASSERT_TRUE(a) << type;
        EXPECT_FALSE(a->drop);
        EXPECT_EQ(a->rcode, Rcode::NOERROR);
        EXPECT_EQ(lines(a->answer), std::vector<std::string>{"WWW.example. 300 IN A 192.0.2.1"});
        EXPECT_TRUE(a->authority.empty());
        // No TTL in the text: an hour, as Unbound's default.
        const auto aaaa = ask(zones, "mail.example.", RRType::AAAA);
        ASSERT_TRUE(aaaa);
        EXPECT_EQ(aaaa->answer.at(0).ttl, 3600u);
    }
}

TEST(LocalZones, StaticIsNegativeWithTheSoaElsewhere) {
    const auto& zones = build(example_zone("static"));
    const auto nx = ask(zones, "nope.example.", RRType::A);
    ASSERT_TRUE(nx);
    EXPECT_EQ(nx->rcode, Rcode::NXDOMAIN);
    EXPECT_TRUE(nx->answer.empty());
    EXPECT_EQ(lines(nx->authority),
              std::vector<std::string>{
                  "example. 10800 IN SOA example. nobody.invalid. 1 3600 1200 604800 10800"});
    const auto nodata = ask(zones, "www.example.", RRType::MX);
    ASSERT_TRUE(nodata);
    EXPECT_EQ(nodata->rcode, Rcode::NOERROR);
    EXPECT_TRUE(nodata->answer.empty());
    EXPECT_EQ(nodata->authority.size(), 1u);
    // The apex exists and answers its SOA.
    const auto soa = ask(zones, "example.", RRType::SOA);
    ASSERT_TRUE(soa);
    EXPECT_EQ(soa->answer.size(), 1u);
}

TEST(LocalZones, NegativeTtlIsTheSoaMinimumWhenLower) {
    PolicyOptions options = example_zone("static");
    options.local_data.push_back(rr("example. 7200 IN SOA ns.example. host.example. 5 1 1 1 60"));
    const auto& zones = build(options);
    const auto nx = ask(zones, "nope.example.", RRType::A);
    ASSERT_TRUE(nx);
    ASSERT_EQ(nx->authority.size(), 1u);
    EXPECT_EQ(nx->authority[0].ttl, 60u);  // RFC 2308 §3
    EXPECT_EQ(nx->authority[0].to_text().substr(0, 38), "example. 60 IN SOA ns.example. host.ex");
}

TEST(LocalZones, EmptyNonTerminalIsNodataNotNxdomain) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("example."), "static"}};
    options.local_data = {rr("a.b.example. A 192.0.2.7")};
    const auto& zones = build(options);
    const auto ent = ask(zones, "b.example.", RRType::A);
    ASSERT_TRUE(ent);
    EXPECT_EQ(ent->rcode, Rcode::NOERROR);
    EXPECT_TRUE(ent->answer.empty());
}

TEST(LocalZones, DenyDropsAndRefuseRefusesWithoutData) {
    const auto& deny = build(example_zone("deny"));
    const auto dropped = ask(deny, "other.example.", RRType::A);
    ASSERT_TRUE(dropped);
    EXPECT_TRUE(dropped->drop);
    // A name with data but not of that type: dropped too (as Unbound).
    EXPECT_TRUE(ask(deny, "www.example.", RRType::TXT)->drop);

    const auto& refuse = build(example_zone("refuse"));
    const auto refused = ask(refuse, "other.example.", RRType::A);
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->drop);
    EXPECT_EQ(refused->rcode, Rcode::REFUSED);
    ASSERT_TRUE(refused->extended_error);
    EXPECT_EQ(refused->extended_error->code, wire::ExtendedErrorCode::kBlocked);
}

TEST(LocalZones, TransparentResolvesWhatItHasNoDataFor) {
    const auto& zones = build(example_zone("transparent"));
    EXPECT_FALSE(ask(zones, "other.example.", RRType::A));
    EXPECT_FALSE(ask(zones, "example.", RRType::SOA));
    const auto nodata = ask(zones, "www.example.", RRType::AAAA);
    ASSERT_TRUE(nodata);
    EXPECT_EQ(nodata->rcode, Rcode::NOERROR);
    EXPECT_TRUE(nodata->answer.empty());
    EXPECT_EQ(nodata->authority.size(), 1u);
}

TEST(LocalZones, DataOutsideEveryZoneMakesATransparentZone) {
    PolicyOptions options = no_builtins();
    options.local_data = {rr("printer.corp.example. A 192.0.2.9")};
    const auto& zones = build(options);
    EXPECT_EQ(zones.zone_count(), 1u);
    EXPECT_TRUE(ask(zones, "printer.corp.example.", RRType::A));
    EXPECT_FALSE(ask(zones, "corp.example.", RRType::A));
    EXPECT_FALSE(ask(zones, "x.printer.corp.example.", RRType::A));
}

TEST(LocalZones, RedirectAnswersEveryNameWithTheApexData) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("ads.example."), "redirect"}};
    options.local_data = {rr("ads.example. 60 A 127.0.0.1")};
    const auto& zones = build(options);
    const auto a = ask(zones, "x.y.ads.example.", RRType::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(lines(a->answer), std::vector<std::string>{"x.y.ads.example. 60 IN A 127.0.0.1"});
    const auto nodata = ask(zones, "x.ads.example.", RRType::AAAA);
    ASSERT_TRUE(nodata);
    EXPECT_EQ(nodata->rcode, Rcode::NOERROR);
    EXPECT_TRUE(nodata->answer.empty());
}

TEST(LocalZones, RedirectToACnameKeepsTheNameAsked) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("video.example."), "redirect"}};
    options.local_data = {rr("video.example. 60 CNAME safe.example.net.")};
    const auto& zones = build(options);
    const auto a = ask(zones, "www.video.example.", RRType::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(lines(a->answer),
              std::vector<std::string>{"www.video.example. 60 IN CNAME safe.example.net."});
    ASSERT_TRUE(a->continue_at);
    EXPECT_EQ(a->continue_at->to_text(), "safe.example.net.");
}

TEST(LocalZones, CnameChainIsFollowedThroughLocalData) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("example."), "static"}};
    options.local_data = {rr("a.example. CNAME b.example."), rr("b.example. CNAME c.example."),
                          rr("c.example. A 192.0.2.3"), rr("d.example. CNAME gone.example.")};
    const auto& zones = build(options);
    const auto a = ask(zones, "a.example.", RRType::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->answer.size(), 3u);
    EXPECT_EQ(a->answer.back().to_text(), "c.example. 3600 IN A 192.0.2.3");
    EXPECT_FALSE(a->continue_at);
    // The CNAME itself when asked for.
    EXPECT_EQ(ask(zones, "a.example.", RRType::CNAME)->answer.size(), 1u);
    // A chain ending at a name the zone does not have: NXDOMAIN (RFC 6604).
    const auto broken = ask(zones, "d.example.", RRType::A);
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(broken->answer.size(), 1u);
    EXPECT_EQ(broken->authority.size(), 1u);
}

TEST(LocalZones, CnameLoopEnds) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("example."), "static"}};
    options.local_data = {rr("a.example. CNAME b.example."), rr("b.example. CNAME a.example.")};
    const auto& zones = build(options);
    const auto a = ask(zones, "a.example.", RRType::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->answer.size(), LocalZones::kMaxChain);
    EXPECT_FALSE(a->continue_at);
}

TEST(LocalZones, TopLevelLabelsAreComparedWithoutCase) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("Corp.EXAMPLE."), "static"}, {name("lan."), "static"}};
    const auto& zones = build(options);
    EXPECT_TRUE(ask(zones, "x.corp.Example.", RRType::A));
    EXPECT_TRUE(ask(zones, "X.LAN.", RRType::A));
    EXPECT_FALSE(ask(zones, "x.corp.examples.", RRType::A));
    EXPECT_FALSE(ask(zones, "x.la.", RRType::A));
    EXPECT_FALSE(ask(zones, ".", RRType::NS));
}

TEST(LocalZones, ARootZoneCoversEveryName) {
    PolicyOptions options = no_builtins();
    options.local_zones = {{name("."), "refuse"}};
    options.local_data = {rr("allowed.example. A 192.0.2.1")};
    const auto& zones = build(options);
    EXPECT_EQ(ask(zones, "www.example.com.", RRType::A)->rcode, Rcode::REFUSED);
    EXPECT_EQ(ask(zones, ".", RRType::NS)->rcode, Rcode::REFUSED);
    EXPECT_EQ(ask(zones, "allowed.example.", RRType::A)->rcode, Rcode::NOERROR);
}

TEST(LocalZones, AnyAnswersEveryRRset) {
    PolicyOptions options = example_zone("static");
    options.local_data.push_back(rr("www.example. TXT \"hello\""));
    const auto& zones = build(options);
    EXPECT_EQ(ask(zones, "www.example.", RRType::ANY)->answer.size(), 2u);
}

TEST(LocalZones, BuiltinSpecialUseNames) {
    PolicyOptions options;
    const auto& zones = build(options);
    const auto a = ask(zones, "localhost.", RRType::A);
    ASSERT_TRUE(a);
    EXPECT_EQ(lines(a->answer), std::vector<std::string>{"localhost. 10800 IN A 127.0.0.1"});
    EXPECT_EQ(lines(ask(zones, "foo.localhost.", RRType::AAAA)->answer),
              std::vector<std::string>{"foo.localhost. 10800 IN AAAA ::1"});
    for (const char* qname : {"x.test.", "x.invalid.", "duckduckgo.onion.", "printer.home.arpa.",
                              "5.1.168.192.in-addr.arpa.", "9.20.172.in-addr.arpa.",
                              "1.2.3.10.in-addr.arpa.", "4.3.2.1.d.f.ip6.arpa.",
                              "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "1.2.64.100.in-addr.arpa."}) {
        const auto nx = ask(zones, qname, RRType::PTR);
        ASSERT_TRUE(nx) << qname;
        EXPECT_EQ(nx->rcode, Rcode::NXDOMAIN) << qname;
        ASSERT_EQ(nx->authority.size(), 1u) << qname;
        EXPECT_EQ(nx->authority[0].ttl, 10800u);
        EXPECT_NE(nx->authority[0].to_text().find("nobody.invalid. 1 3600 1200 604800 10800"),
                  std::string::npos);
    }
    EXPECT_EQ(lines(ask(zones, "1.0.0.127.in-addr.arpa.", RRType::PTR)->answer),
              std::vector<std::string>{"1.0.0.127.in-addr.arpa. 10800 IN PTR localhost."});
    const std::string ip6_loopback =
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.";
    EXPECT_EQ(ask(zones, ip6_loopback, RRType::PTR)->answer.size(), 1u);
    // Neighbours of the built-in zones are resolved.
    for (const char* qname : {"1.0.32.172.in-addr.arpa.", "1.0.128.100.in-addr.arpa.",
                              "1.0.0.0.c.e.f.ip6.arpa.", "example.arpa.", "example.com."})
        EXPECT_FALSE(ask(zones, qname, RRType::PTR)) << qname;
}

TEST(LocalZones, EachBuiltinGroupSwitchesOff) {
    const std::vector<std::pair<bool BuiltinZoneSwitches::*, const char*>> groups = {
        {&BuiltinZoneSwitches::special_use, "x.test."},
        {&BuiltinZoneSwitches::private_reverse, "1.1.168.192.in-addr.arpa."},
        {&BuiltinZoneSwitches::home_arpa, "printer.home.arpa."},
        {&BuiltinZoneSwitches::onion, "x.onion."}};
    for (const auto& [member, qname] : groups) {
        PolicyOptions options;
        EXPECT_TRUE(ask(build(options), qname, RRType::A)) << qname;
        options.builtin_zones.*member = false;
        EXPECT_FALSE(ask(build(options), qname, RRType::A)) << qname;
    }
}

TEST(LocalZones, NodefaultSwitchesOffOneBuiltinZone) {
    PolicyOptions options;
    options.local_zones = {{name("10.in-addr.arpa"), "nodefault"}};
    const auto& zones = build(options);
    EXPECT_FALSE(ask(zones, "1.0.0.10.in-addr.arpa.", RRType::PTR));
    EXPECT_TRUE(ask(zones, "1.1.168.192.in-addr.arpa.", RRType::PTR));
}

TEST(LocalZones, AConfiguredZoneReplacesTheBuiltinOfItsName) {
    PolicyOptions options;
    options.local_zones = {{name("onion."), "refuse"}};
    const auto& zones = build(options);
    EXPECT_EQ(ask(zones, "x.onion.", RRType::A)->rcode, Rcode::REFUSED);
}

TEST(LocalZones, LocalDataUnderABuiltinZoneIsAnswered) {
    PolicyOptions options;
    options.local_data = {rr("1.1.168.192.in-addr.arpa. PTR router.home.arpa."),
                          rr("router.home.arpa. 600 A 192.168.1.1"), rr("localhost. A 127.0.0.2")};
    const auto& zones = build(options);
    EXPECT_EQ(lines(ask(zones, "1.1.168.192.in-addr.arpa.", RRType::PTR)->answer),
              std::vector<std::string>{"1.1.168.192.in-addr.arpa. 3600 IN PTR router.home.arpa."});
    EXPECT_EQ(ask(zones, "2.1.168.192.in-addr.arpa.", RRType::PTR)->rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(ask(zones, "router.home.arpa.", RRType::A)->answer.at(0).ttl, 600u);
    EXPECT_EQ(ask(zones, "other.home.arpa.", RRType::A)->rcode, Rcode::NXDOMAIN);
    // Configured data at a built-in name replaces the built-in data there.
    EXPECT_EQ(lines(ask(zones, "localhost.", RRType::A)->answer),
              std::vector<std::string>{"localhost. 3600 IN A 127.0.0.2"});
}

TEST(LocalZones, ConfigurationErrorsNameTheCulprit) {
    struct Case {
        PolicyOptions options;
        std::string message;
    };
    std::vector<Case> cases;
    {
        PolicyOptions o = no_builtins();
        o.local_data = {rr("www.example. CNAME other.example."), rr("www.example. A 192.0.2.1")};
        cases.push_back({o, "local data at www.example.: a CNAME and other data"});
    }
    {
        PolicyOptions o = no_builtins();
        o.local_data = {rr("*.example. A 192.0.2.1")};
        cases.push_back({o, "local data '*.example. 3600 IN A 192.0.2.1': wildcard owners"});
    }
    {
        PolicyOptions o = no_builtins();
        o.local_zones = {{name("example."), "static"}, {name("EXAMPLE."), "deny"}};
        cases.push_back({o, "local zone EXAMPLE. is given twice"});
    }
    {
        PolicyOptions o = no_builtins();
        o.local_zones = {{name("example."), "nodefault"}};
        cases.push_back({o, "local zone example.: nodefault names no built-in zone"});
    }
    {
        PolicyOptions o = no_builtins();
        o.local_zones = {{name("example."), "always_nxdomain"}};
        cases.push_back({o, "local zone example.: unknown type 'always_nxdomain'"});
    }
    for (const Case& c : cases) {
        const auto built = LocalZones::build(c.options);
        ASSERT_FALSE(built) << c.message;
        EXPECT_EQ(built.error().substr(0, c.message.size()), c.message);
    }
}

}  // namespace
}  // namespace cairn::policy
