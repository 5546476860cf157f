// How `cairnctl trace` shows a traced resolution: the text tree and the
// JSON, from a report built by hand with every kind of step; and the JSON
// of `stats --json`.
#include <gtest/gtest.h>

#include "server/json_text.h"
#include "server/stats.h"
#include "server/trace_report.h"
#include "wire/zone_reader.h"

namespace cairn::server {
namespace {

namespace trace = resolve::trace;
using trace::Check;
using wire::ExtendedErrorCode;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::IpAddress address(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

wire::Question question(std::string_view qname, RRType type) {
    return {name(qname), type, wire::RRClass::IN};
}

TraceReport report() {
    TraceReport r;
    r.question = question("www.example.", RRType::A);
    r.elapsed = std::chrono::microseconds(2500);
    const auto secure = cache::Security::kSecure;
    auto add = [&](uint8_t depth, trace::Event event) {
        r.steps.push_back({depth, std::move(event)});
    };
    add(0, trace::Start{wire::Name::root(), false});
    add(0,
        trace::Exchange{wire::Name::root(), address("192.0.2.1"), question("example.", RRType::A),
                        true, false, std::chrono::microseconds(1234), trace::Outcome::kReferral,
                        wire::Rcode::NOERROR, name("example.")});
    add(0, trace::Glueless{name("example."), name("ns.other."), {address("192.0.2.7")}});
    add(1, trace::Exchange{name("other."),
                           address("192.0.2.9"),
                           question("ns.other.", RRType::A),
                           false,
                           true,
                           std::chrono::microseconds(800),
                           trace::Outcome::kError,
                           wire::Rcode::REFUSED,
                           {}});
    add(1, trace::Exchange{name("other."),
                           address("192.0.2.8"),
                           question("ns.other.", RRType::A),
                           false,
                           false,
                           std::chrono::microseconds(400000),
                           trace::Outcome::kTimeout,
                           wire::Rcode::NOERROR,
                           {}});
    add(0, trace::ParentGlue{name("example."), false});
    add(0, trace::Cached{question("alias.example.", RRType::A), trace::Cached::Source::kCache,
                         trace::Found::kCname, secure});
    add(0, trace::Follow{name("alias.example."), name("www.example."), false});
    add(0, trace::Fetch{question("example.", RRType::DS), true, trace::Found::kAnswer});
    add(0, trace::Fetch{question("example.", RRType::DNSKEY), false, trace::Found::kAnswer});
    add(1, trace::Exchange{name("example."),
                           address("192.0.2.7"),
                           question("example.", RRType::DNSKEY),
                           false,
                           false,
                           std::chrono::microseconds(300),
                           trace::Outcome::kAnswer,
                           wire::Rcode::NOERROR,
                           {}});
    add(0,
        Check{
            Check::What::kDnskey, wire::Name::root(), {}, Check::Basis::kTrustAnchor, secure, {}});
    add(0, Check{Check::What::kDs, name("example."), {}, Check::Basis::kChecked, secure, {}});
    add(0, Check{Check::What::kRrset, name("example."), question("www.example.", RRType::A),
                 Check::Basis::kChecked, cache::Security::kBogus,
                 wire::ExtendedErrorOption{ExtendedErrorCode::kSignatureExpired, "expired \"x\""}});
    add(0, trace::Retry{name("example."), address("192.0.2.7"), std::nullopt});
    add(0, trace::Cached{question("nx.example.", RRType::A), trace::Cached::Source::kDenials,
                         trace::Found::kNxdomain, secure});
    r.answer.rcode = wire::Rcode::NOERROR;
    r.answer.authentic_data = true;
    r.answer.answer = {*wire::parse_record("www.example. 300 IN A 192.0.2.80", wire::Name::root())};
    return r;
}

TEST(TraceFormat, TextIsAnIndentedTree) {
    EXPECT_EQ(
        trace_text(report()),
        ";; trace of www.example. A\n"
        "  start at . (root hints)\n"
        "  . @192.0.2.1: example. A (minimised) -> referral to example., 1.23 ms\n"
        "  glueless NS ns.other. of example.: 192.0.2.7\n"
        "    other. @192.0.2.9: ns.other. A over TCP -> error REFUSED, 0.80 ms\n"
        "    other. @192.0.2.8: ns.other. A -> timeout after 400.00 ms\n"
        "  parent asked again for the glue of example.: nothing new\n"
        "  alias.example. A: CNAME from cache (secure)\n"
        "  CNAME alias.example. -> www.example.\n"
        "  fetch DS example.: answer (cached)\n"
        "  fetch DNSKEY example.: answer\n"
        "    example. @192.0.2.7: example. DNSKEY -> answer, 0.30 ms\n"
        "  DNSKEY .: secure (trust anchor)\n"
        "  DS example.: secure\n"
        "  RRSIG www.example. A by example.: bogus, EDE 7 (Signature Expired): expired \"x\"\n"
        "  data from 192.0.2.7 (example.) failed validation: asking another server\n"
        "  nx.example. A: NXDOMAIN synthesised from validated NSEC\n"
        ";; NOERROR, AD (2.50 ms, 16 steps)\n"
        "www.example. 300 IN A 192.0.2.80\n");
}

TEST(TraceFormat, TheOutcomeLineNamesTheError) {
    TraceReport r;
    r.question = question("x.example.", RRType::AAAA);
    r.answer.rcode = wire::Rcode::SERVFAIL;
    r.answer.extended_error = wire::ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, "why"};
    r.steps.push_back({0, trace::Start{name("example."), true}});
    r.dropped = 3;
    r.fresh = true;
    EXPECT_EQ(trace_text(r),
              ";; trace of x.example. AAAA (answer asked upstream even if cached)\n"
              "  start at example. (cached delegation)\n"
              ";; SERVFAIL, EDE 6 (DNSSEC Bogus): why (0.00 ms, 1 step, 3 more not recorded)\n");
}

TEST(TraceFormat, JsonHasTheSameSteps) {
    const std::string json = trace_json(report());
    EXPECT_TRUE(json.starts_with(
        R"({"question":{"name":"www.example.","type":"A"},"fresh":false,"rcode":"NOERROR",)"
        R"("ad":true,"ede":null,"answer":["www.example. 300 IN A 192.0.2.80"],"authority":[],)"
        R"("elapsed_ms":2.500,"dropped":0,"steps":[)"))
        << json;
    for (const char* member : {
             R"({"depth":0,"step":"start","zone":".","from_cache":false})",
             R"({"depth":0,"step":"exchange","zone":".","server":"192.0.2.1","qname":"example.",)"
             R"("qtype":"A","minimised":true,"tcp":false,"rtt_ms":1.234,"outcome":"referral",)"
             R"("rcode":"NOERROR","referral":"example."})",
             R"({"depth":0,"step":"glueless","zone":"example.","ns":"ns.other.",)"
             R"("addresses":["192.0.2.7"]})",
             R"({"depth":1,"step":"exchange","zone":"other.","server":"192.0.2.9",)"
             R"("qname":"ns.other.","qtype":"A","minimised":false,"tcp":true,"rtt_ms":0.800,)"
             R"("outcome":"error","rcode":"REFUSED"})",
             R"({"depth":0,"step":"parent-glue","zone":"example.","found":false})",
             R"({"depth":0,"step":"cached","qname":"alias.example.","qtype":"A","source":"cache",)"
             R"("found":"cname","security":"secure"})",
             R"({"depth":0,"step":"follow","from":"alias.example.","to":"www.example.",)"
             R"("dname":false})",
             R"({"depth":0,"step":"fetch","qname":"example.","qtype":"DS","from_cache":true,)"
             R"("found":"answer"})",
             R"({"depth":0,"step":"dnssec","check":"dnskey","zone":".","basis":"trust-anchor",)"
             R"("security":"secure","ede":null})",
             R"({"depth":0,"step":"dnssec","check":"rrsig","zone":"example.",)"
             R"("qname":"www.example.","qtype":"A","basis":"checked","security":"bogus",)"
             R"("ede":{"code":7,"name":"Signature Expired","text":"expired \"x\""}})",
             R"({"depth":0,"step":"retry","zone":"example.","server":"192.0.2.7","ede":null})",
         })
        EXPECT_NE(json.find(member), std::string::npos) << member << "\nin " << json;
    EXPECT_TRUE(json.ends_with("}]}\n")) << json;
}

TEST(JsonText, EscapesWhatJsonRequires) {
    EXPECT_EQ(json_string("plain"), R"("plain")");
    EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\u0009e\u0001")");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    // Octets that are no UTF-8 (a label may hold any) are replaced.
    EXPECT_EQ(json_string("x\xff\xc3y"), R"("x\ufffd\ufffdy")");
}

TEST(StatsJson, OneObjectInOrder) {
    const Stats stats = {{"server.queries_udp", 12, false, ""},
                         {"cache.rrset_entries", 3, true, ""}};
    EXPECT_EQ(format_stats_json(stats), "{\"server.queries_udp\":12,\"cache.rrset_entries\":3}\n");
    EXPECT_EQ(format_stats_json({}), "{}\n");
}

}  // namespace
}  // namespace cairn::server
