#include "cairnctl/query_options.h"

#include <gtest/gtest.h>

#include "cairnctl/query_command.h"
#include "wire/message.h"

namespace cairn::ctl {
namespace {

QueryArgs words(std::vector<std::string> w) {
    QueryArgs args;
    args.words = std::move(w);
    return args;
}

std::string error_of(const QueryArgs& args) {
    auto options = make_query_options(args);
    return options ? "<accepted>" : options.error().message;
}

TEST(QueryOptions, Defaults) {
    auto o = make_query_options(words({"example.com", "@127.0.0.1"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->question.name.to_text(), "example.com.");
    EXPECT_EQ(o->question.type, wire::RRType::A);
    EXPECT_EQ(o->question.rclass, wire::RRClass::IN);
    EXPECT_EQ(o->server.to_text(), "127.0.0.1#53");
    EXPECT_TRUE(o->edns);
    EXPECT_EQ(o->udp_size, 1232);
    EXPECT_TRUE(o->recursion_desired);
    EXPECT_FALSE(o->dnssec_ok);
    EXPECT_FALSE(o->checking_disabled);
    EXPECT_EQ(o->transport, Transport::kUdp);
    EXPECT_EQ(o->timeout, std::chrono::milliseconds(3000));
}

TEST(QueryOptions, TypeAndServerInAnyOrder) {
    auto o = make_query_options(words({"@[::1]:5353", "example.com.", "aaaa"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->question.type, wire::RRType::AAAA);
    EXPECT_EQ(o->server.to_text(), "::1#5353");
    o = make_query_options(words({"example.com", "@::1", "TYPE65000"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(static_cast<uint16_t>(o->question.type), 65000);
}

TEST(QueryOptions, DashedOptions) {
    QueryArgs args = words({"example.com", "@127.0.0.1:5353"});
    args.dnssec = args.cd = args.norec = args.tcp = true;
    args.timeout_seconds = 0.25;
    args.bufsize = 4096;
    auto o = make_query_options(args);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_TRUE(o->dnssec_ok);
    EXPECT_TRUE(o->checking_disabled);
    EXPECT_FALSE(o->recursion_desired);
    EXPECT_EQ(o->transport, Transport::kTcp);
    EXPECT_EQ(o->timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(o->udp_size, 4096);
}

TEST(QueryOptions, DigStyleOptions) {
    auto o = make_query_options(words({"+dnssec", "example.com", "+cd", "+norec", "+tcp",
                                       "+timeout=1.5", "+bufsize=512", "@127.0.0.1"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_TRUE(o->dnssec_ok);
    EXPECT_TRUE(o->checking_disabled);
    EXPECT_FALSE(o->recursion_desired);
    EXPECT_EQ(o->transport, Transport::kTcp);
    EXPECT_EQ(o->timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(o->udp_size, 512);
    o = make_query_options(words({"example.com", "+noedns", "@127.0.0.1"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_FALSE(o->edns);
}

TEST(QueryOptions, BadArguments) {
    EXPECT_EQ(error_of(words({"@127.0.0.1"})), "missing NAME to query");
    EXPECT_NE(error_of(words({"example.com"})).find("missing @SERVER"), std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "@1.2.3.4", "@::1"})).find("more than one server"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "A", "IN", "@::1"})).find("unexpected argument 'IN'"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "BOGUS", "@::1"})).find("unknown TYPE 'BOGUS'"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "AXFR", "@::1"})).find("zone transfers"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example..com", "@::1"})).find("bad NAME"), std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "@localhost"})).find("bad server '@localhost'"),
              std::string::npos);
    EXPECT_EQ(error_of(words({"example.com", "@::1", "+frobnicate"})),
              "unknown option '+frobnicate'");
    EXPECT_NE(error_of(words({"example.com", "@::1", "+timeout=x"})).find("not a number"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "@::1", "+timeout=0"})).find("timeout"),
              std::string::npos);
    EXPECT_NE(error_of(words({"example.com", "@::1", "+bufsize=70000"})).find("buffer size"),
              std::string::npos);
    QueryArgs args = words({"example.com", "@::1"});
    args.no_edns = args.dnssec = true;
    EXPECT_NE(error_of(args).find("needs EDNS"), std::string::npos);
}

TEST(QueryOptions, BuildQueryCarriesTheOptions) {
    QueryArgs args = words({"Example.COM", "MX", "@127.0.0.1"});
    args.dnssec = args.cd = true;
    args.bufsize = 4000;
    auto o = make_query_options(args);
    ASSERT_TRUE(o.ok()) << o.error().message;
    auto m = wire::Message::parse(build_query(*o, 0xBEEF));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->header.id, 0xBEEF);
    EXPECT_FALSE(m->header.qr);
    EXPECT_TRUE(m->header.rd);
    EXPECT_TRUE(m->header.cd);
    ASSERT_EQ(m->questions.size(), 1u);
    EXPECT_TRUE(m->questions[0].name.identical(*wire::Name::from_text("Example.COM.")));
    EXPECT_EQ(m->questions[0].type, wire::RRType::MX);
    ASSERT_TRUE(m->edns.has_value());
    EXPECT_TRUE(m->edns->dnssec_ok);
    EXPECT_EQ(m->edns->udp_size, 4000);
    EXPECT_TRUE(m->answers.empty() && m->authorities.empty() && m->additionals.empty());

    o->edns = false;
    o->recursion_desired = false;
    m = wire::Message::parse(build_query(*o, 1));
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->edns.has_value());
    EXPECT_FALSE(m->header.rd);
}

TEST(QueryOptions, QuicTakesPort853AndTheCertificateOptions) {
    QueryArgs args = words({"example.com", "@127.0.0.1"});
    args.quic = true;
    args.ca_file = "/etc/ca.pem";
    args.tls_name = "dns.example";
    auto o = make_query_options(args);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kQuic);
    EXPECT_EQ(o->tls.ca_file, "/etc/ca.pem");
    EXPECT_EQ(o->tls.name, "dns.example");
    EXPECT_FALSE(o->tls.insecure);
    EXPECT_EQ(o->server.to_text(), "127.0.0.1#853");
    o = make_query_options(words({"example.com", "@[::1]:8853", "+quic"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kQuic);
    EXPECT_EQ(o->server.to_text(), "::1#8853");

    args.insecure = true;
    EXPECT_NE(error_of(args).find("give one"), std::string::npos);
    args.ca_file.clear();
    args.tcp = true;
    EXPECT_EQ(error_of(args), "choose one transport: --tcp, --tls, --https or --quic");
    args.tcp = false;
    args.tls = true;
    EXPECT_EQ(error_of(args), "choose one transport: --tcp, --tls, --https or --quic");
    args.tls = false;
    args.get = true;
    EXPECT_EQ(error_of(args), "--get and --path are for --https");
    QueryArgs plain = words({"example.com", "@127.0.0.1"});
    plain.insecure = true;
    EXPECT_EQ(error_of(plain), "--ca, --insecure and --tls-name are for --tls, --https and --quic");
}

TEST(QueryOptions, DoqQueriesHaveIdZeroAndArePaddedTo128) {
    for (const char* name :
         {"a.", "example.com.", "a-rather-longer-name.with.several.labels.example."}) {
        QueryArgs args = words({name, "@127.0.0.1"});
        args.quic = true;
        auto o = make_query_options(args);
        ASSERT_TRUE(o.ok()) << o.error().message;
        const auto query = build_query(*o, query_id(o->transport));
        EXPECT_EQ(query.size() % kQueryPaddingBlock, 0u) << name;
        auto parsed = wire::Message::parse(query);
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(parsed->header.id, 0);
        EXPECT_EQ(parsed->questions.at(0).name.to_text(), name);
        ASSERT_TRUE(parsed->edns.has_value());
        EXPECT_NE(parsed->edns->find<wire::PaddingOption>(), nullptr) << name;
    }
    // without EDNS there is nowhere to put padding
    QueryArgs args = words({"example.com", "@127.0.0.1", "+noedns"});
    args.quic = true;
    auto o = make_query_options(args);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->padding_block, 0u);
    const auto query = build_query(*o, query_id(o->transport));
    auto parsed = wire::Message::parse(query);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->header.id, 0);
    EXPECT_FALSE(parsed->edns.has_value());
}

TEST(QueryOptions, EncryptedTransportsAndTheirDefaultPorts) {
    QueryArgs args = words({"example.com", "@127.0.0.1"});
    args.tls = true;
    auto o = make_query_options(args);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kTls);
    EXPECT_EQ(o->server.to_text(), "127.0.0.1#853");
    EXPECT_EQ(o->padding_block, kQueryPaddingBlock);

    args = words({"example.com", "@[::1]"});
    args.https = args.get = true;
    args.path = "/q?x=1";
    args.ca_file = "/etc/ca.pem";
    args.tls_name = "dns.example";
    o = make_query_options(args);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kHttps);
    EXPECT_EQ(o->server.to_text(), "::1#443");
    EXPECT_TRUE(o->doh.get);
    EXPECT_EQ(o->doh.path, "/q?x=1");
    EXPECT_EQ(o->tls.ca_file, "/etc/ca.pem");
    EXPECT_EQ(o->tls.name, "dns.example");
    EXPECT_FALSE(o->tls.insecure);

    // A port given wins; dig-style +tls and +https work too.
    o = make_query_options(words({"example.com", "@127.0.0.1:8853", "+tls"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kTls);
    EXPECT_EQ(o->server.port(), 8853);
    o = make_query_options(words({"example.com", "@127.0.0.1", "+https"}));
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->transport, Transport::kHttps);
    EXPECT_FALSE(o->doh.get);
    EXPECT_EQ(o->doh.path, "/dns-query");
}

TEST(QueryOptions, OnlyEncryptedQueriesWithEdnsArePadded) {
    EXPECT_EQ(make_query_options(words({"example.com", "@::1"}))->padding_block, 0u);
    EXPECT_EQ(make_query_options(words({"example.com", "@::1", "+tcp"}))->padding_block, 0u);
    EXPECT_EQ(make_query_options(words({"example.com", "@::1", "+https"}))->padding_block, 128u);
    // Padding is an EDNS option: without EDNS there is nothing to pad with.
    EXPECT_EQ(make_query_options(words({"example.com", "@::1", "+tls", "+noedns"}))->padding_block,
              0u);
}

TEST(QueryOptions, TransportOptionsThatDoNotGoTogether) {
    QueryArgs args = words({"example.com", "@::1"});
    args.tcp = args.tls = true;
    EXPECT_NE(error_of(args).find("choose one transport"), std::string::npos);
    args = words({"example.com", "@::1"});
    args.tls = args.https = true;
    EXPECT_NE(error_of(args).find("choose one transport"), std::string::npos);
    args = words({"example.com", "@::1"});
    args.insecure = true;
    EXPECT_NE(error_of(args).find("are for --tls, --https and --quic"), std::string::npos);
    args = words({"example.com", "@::1"});
    args.ca_file = "ca.pem";
    EXPECT_NE(error_of(args).find("are for --tls, --https and --quic"), std::string::npos);
    args = words({"example.com", "@::1", "+tls"});
    args.get = true;
    EXPECT_NE(error_of(args).find("--get and --path are for --https"), std::string::npos);
    args = words({"example.com", "@::1", "+tls"});
    args.path = "/other";
    EXPECT_NE(error_of(args).find("--get and --path are for --https"), std::string::npos);
    args = words({"example.com", "@::1", "+https"});
    args.ca_file = "ca.pem";
    args.insecure = true;
    EXPECT_NE(error_of(args).find("give one"), std::string::npos);
    args = words({"example.com", "@::1", "+https"});
    args.path = "dns-query";
    EXPECT_NE(error_of(args).find("must start with '/'"), std::string::npos);
}

// RFC 8467 §4.1: the whole query, padding option included, is a multiple of
// the block; RFC 7830 §3: the padding is zeros.
TEST(QueryOptions, PaddedQueriesFillWholeBlocks) {
    for (const char* name : {"a.example", "a-much-longer-name.with.several.labels.example",
                             "x23456789012345678901234567890123456789012345678901234567890123."
                             "x23456789012345678901234567890123456789012345678901234567890123"}) {
        auto o = make_query_options(words({name, "@127.0.0.1", "+tls"}));
        ASSERT_TRUE(o.ok()) << o.error().message;
        const std::vector<uint8_t> query = build_query(*o, 7);
        EXPECT_EQ(query.size() % kQueryPaddingBlock, 0u) << name << ": " << query.size();
        auto m = wire::Message::parse(query);
        ASSERT_TRUE(m.ok());
        ASSERT_TRUE(m->edns.has_value());
        const auto* padding = m->edns->find<wire::PaddingOption>();
        ASSERT_NE(padding, nullptr) << name;
        EXPECT_LT(padding->length, kQueryPaddingBlock);
        EXPECT_EQ(m->questions[0].name.to_text(), std::string(name) + ".");
    }
    auto plain = make_query_options(words({"a.example", "@127.0.0.1"}));
    auto m = wire::Message::parse(build_query(*plain, 7));
    ASSERT_TRUE(m.ok() && m->edns.has_value());
    EXPECT_EQ(m->edns->find<wire::PaddingOption>(), nullptr);
}

}  // namespace
}  // namespace cairn::ctl
