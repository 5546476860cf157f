// The request pipeline end to end over UDP on 127.0.0.1: real datagrams to a
// one-worker Service whose resolver is scripted.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::ExtendedErrorCode;
using wire::Rcode;
using wire::RRType;

size_t count_type(const std::vector<wire::Record>& records, RRType type) {
    size_t n = 0;
    for (const auto& r : records)
        n += r.type == type;
    return n;
}

resolve::Answer signed_answer(const resolve::ClientQuery& q, bool authentic) {
    resolve::Answer a;
    const auto owner = q.question.name.to_text();
    a.answer.push_back(record(owner + " 300 IN A 192.0.2.1"));
    a.answer.push_back(record(owner +
                              " 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 12345 "
                              "example. AAECAwQFBgcICQoLDA0ODw=="));
    a.authority.push_back(record("example. 300 IN NSEC z.example. A RRSIG NSEC"));
    a.authentic_data = authentic;
    a.cache_ttl = 300;
    return a;
}

TEST(ServerPipeline, AnswersFromTheResolver) {
    TestServer server;
    QuerySpec spec;
    spec.qname = "WwW.ExAmPlE.";
    const auto m = udp_ask(server, spec);
    EXPECT_TRUE(m.header.qr);
    EXPECT_TRUE(m.header.ra);
    EXPECT_TRUE(m.header.rd);
    EXPECT_EQ(m.header.id, spec.id);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    ASSERT_EQ(m.questions.size(), 1u);
    // The question comes back spelt as the client spelt it.
    EXPECT_TRUE(m.questions[0].name.identical(name("WwW.ExAmPlE.")));
    ASSERT_EQ(m.answers.size(), 1u);
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.edns->udp_size, 1232);
    EXPECT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(server.stat("server.queries_udp"), 1u);
    EXPECT_EQ(server.stat("server.rcode_noerror"), 1u);
}

TEST(ServerPipeline, NoOptInTheAnswerWithoutOptInTheQuery) {
    TestServer server;
    QuerySpec spec;
    spec.edns = false;
    const auto m = udp_ask(server, spec);
    EXPECT_FALSE(m.edns);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
}

TEST(ServerPipeline, RefusesClientsOutsideTheAccessList) {
    TestServer server([](ServerOptions& o) { o.allow = {*wire::IpPrefix::parse("10.0.0.0/8")}; });
    const auto m = udp_ask(server, QuerySpec{});
    EXPECT_EQ(m.rcode(), Rcode::REFUSED);
    ASSERT_EQ(m.questions.size(), 1u);
    const auto* ede = extended_error(m);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(ede->code, ExtendedErrorCode::kProhibited);
    EXPECT_EQ(server.script->call_count(), 0u);
    EXPECT_EQ(server.stat("server.refused_acl"), 1u);
}

TEST(ServerPipeline, RefusesNothingThatIsNotAQuery) {
    // Outside the access list, a packet that is no query still gets nothing
    // (not even REFUSED): the check for a query comes first.
    TestServer server([](ServerOptions& o) { o.allow = {*wire::IpPrefix::parse("10.0.0.0/8")}; });
    auto cut = query_bytes(QuerySpec{.edns = false});
    cut.resize(20);
    EXPECT_FALSE(udp_exchange(server.address, cut, 300ms));
    EXPECT_EQ(server.stat("server.dropped"), 1u);
    EXPECT_EQ(server.stat("server.refused_acl"), 0u);
}

TEST(ServerPipeline, OtherOpcodesAreNotImplemented) {
    TestServer server;
    auto bytes = query_bytes(QuerySpec{});
    bytes[2] = static_cast<uint8_t>((bytes[2] & 0x87) | (4 << 3));  // NOTIFY
    const auto m = parse(*udp_exchange(server.address, bytes));
    EXPECT_EQ(m.rcode(), Rcode::NOTIMP);
    EXPECT_EQ(m.header.opcode, wire::Opcode::NOTIFY);
    ASSERT_EQ(m.questions.size(), 1u);

    // Without a question that parses, another opcode is no query either.
    auto cut = bytes;
    cut.resize(20);
    EXPECT_FALSE(udp_exchange(server.address, cut, 300ms));
    EXPECT_EQ(server.stat("server.dropped"), 1u);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerPipeline, MalformedAfterTheQuestionGetsFormerr) {
    TestServer server;
    // Trailing garbage after the question.
    auto trailing = query_bytes(QuerySpec{.edns = false});
    trailing.push_back(0);
    auto m = parse(*udp_exchange(server.address, trailing));
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);
    EXPECT_EQ(m.header.id, 0x1234);
    ASSERT_EQ(m.questions.size(), 1u);  // the question is echoed

    // An answer record announced but missing.
    auto missing = query_bytes(QuerySpec{.edns = false});
    missing[7] = 1;  // ANCOUNT
    m = parse(*udp_exchange(server.address, missing));
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);

    EXPECT_EQ(server.script->call_count(), 0u);
    EXPECT_EQ(server.stat("server.rcode_formerr"), 2u);
    EXPECT_EQ(server.stat("server.dropped"), 0u);
}

TEST(ServerPipeline, MalformedOptGetsFormerr) {
    TestServer server;
    // A cookie option of 5 octets (RFC 7873 allows 8 or 16..40).
    wire::Message q;
    q.header.id = 9;
    q.questions = {{name("www.example."), RRType::A}};
    q.edns = wire::Edns{};
    q.edns->options.push_back(wire::UnknownOption{10, {1, 2, 3, 4, 5}});
    auto m = parse(*udp_exchange(server.address, q.to_wire()));
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);

    // An option length running past RDATA.
    auto bytes = query_bytes(QuerySpec{});
    const uint8_t option[] = {0, 99, 0, 10, 1};
    bytes.insert(bytes.end(), std::begin(option), std::end(option));
    bytes[bytes.size() - sizeof(option) - 1] = sizeof(option);  // RDLENGTH low octet
    m = parse(*udp_exchange(server.address, bytes));
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);

    // Two OPT records (the full parse judges this shape).
    auto twice = query_bytes(QuerySpec{});
    const std::vector<uint8_t> opt(twice.end() - 11, twice.end());
    twice.insert(twice.end(), opt.begin(), opt.end());
    twice[11] = 2;  // ARCOUNT
    m = parse(*udp_exchange(server.address, twice));
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerPipeline, WellFormedOptionsAreAccepted) {
    TestServer server;
    wire::Message q;
    q.header.id = 9;
    q.header.rd = true;
    q.questions = {{name("www.example."), RRType::A}};
    q.edns = wire::Edns{};
    wire::CookieOption cookie;
    cookie.client.fill(3);
    q.edns->options.push_back(cookie);
    q.edns->options.push_back(wire::PaddingOption{20});
    const auto m = parse(*udp_exchange(server.address, q.to_wire()));
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_EQ(server.script->call_count(), 1u);
}

TEST(ServerPipeline, DropsWhatIsNotAQuery) {
    TestServer server;
    std::vector<std::vector<uint8_t>> not_queries;
    not_queries.push_back({0x12, 0x34, 0x01, 0x00, 0x00});  // shorter than a header
    auto response = query_bytes(QuerySpec{});
    response[2] |= 0x80;  // QR=1
    not_queries.push_back(response);
    auto cut = query_bytes(QuerySpec{.edns = false});
    cut.resize(20);  // the question name runs past the end
    not_queries.push_back(cut);
    auto garbage = query_bytes(QuerySpec{.edns = false});
    garbage.resize(12);
    for (uint8_t b : {0x3f, 0x01, 0x02, 0x03, 0x04, 0x05})
        garbage.push_back(b);
    not_queries.push_back(garbage);
    wire::Message two;  // two questions
    two.header.id = 7;
    two.questions = {{name("a.example."), RRType::A}, {name("b.example."), RRType::A}};
    not_queries.push_back(two.to_wire());
    wire::Message none;  // no question at all
    none.header.id = 8;
    not_queries.push_back(none.to_wire());
    auto bad_label = query_bytes(QuerySpec{});
    bad_label[12] = 0x40;  // a label type that does not exist (RFC 6891 §5)
    not_queries.push_back(bad_label);

    for (const auto& packet : not_queries)
        EXPECT_FALSE(udp_exchange(server.address, packet, 300ms));
    EXPECT_EQ(server.stat("server.dropped"), not_queries.size());
    EXPECT_EQ(server.stat("server.rcode_formerr"), 0u);
    EXPECT_EQ(server.script->call_count(), 0u);
    // Still serving.
    EXPECT_EQ(udp_ask(server, QuerySpec{}).rcode(), Rcode::NOERROR);
}

TEST(ServerPipeline, RandomPacketsAreAlmostNeverAnswered) {
    TestServer server;
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = loopback(server.address.port);
    // Seeded: the same 1,000 packets every run. Half are random bytes, half
    // a real query damaged in one way (bits flipped in the header, cut
    // short, or its question overwritten).
    std::mt19937 random(20240514);
    const auto good = query_bytes(QuerySpec{});
    constexpr int kPackets = 1000;
    for (int i = 0; i < kPackets; ++i) {
        std::vector<uint8_t> packet;
        if (i % 2 == 0) {
            packet.resize(random() % 600);
            for (auto& b : packet)
                b = static_cast<uint8_t>(random());
        } else {
            packet = good;
            switch (i % 3) {
                case 0:
                    for (size_t k = 0; k < 12; ++k)
                        packet[k] ^= static_cast<uint8_t>(random());
                    break;
                case 1: packet.resize(random() % (good.size() - 11)); break;
                default:
                    for (size_t k = 12; k < packet.size(); ++k)
                        packet[k] = static_cast<uint8_t>(random());
                    break;
            }
        }
        ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof(to));
    }
    // A good query last, with an ID no damaged packet has: once its answer
    // is in, every answer to the packets before it is too (one worker, and
    // error answers go out as their batch is read).
    QuerySpec spec;
    spec.id = 0xBEEF;
    spec.qname = "after.example.";
    const auto last = query_bytes(spec);
    ::sendto(fd, last.data(), last.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    int answers = 0;
    bool good_answered = false;
    std::vector<uint8_t> buffer(2048);
    pollfd p{fd, POLLIN, 0};
    while (!good_answered && ::poll(&p, 1, 5000) == 1) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        ASSERT_GE(n, 12);
        if (buffer[0] == 0xBE && buffer[1] == 0xEF)
            good_answered = true;
        else
            ++answers;
    }
    ::close(fd);
    EXPECT_TRUE(good_answered);
    EXPECT_LT(answers, kPackets / 20) << answers << " of " << kPackets << " answered";
    EXPECT_GT(server.stat("server.dropped"), uint64_t{kPackets * 9 / 10});
}

TEST(ServerPipeline, EdnsVersionAboveZeroGetsBadvers) {
    TestServer server;
    wire::Message q;
    q.header.id = 10;
    q.questions = {{name("www.example."), RRType::A}};
    q.edns = wire::Edns{};
    q.edns->version = 1;
    const auto m = parse(*udp_exchange(server.address, q.to_wire()));
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.rcode(), Rcode::BADVERS);
    EXPECT_EQ(m.edns->version, 0);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerPipeline, ChaosIdentity) {
    TestServer server([](ServerOptions& o) {
        o.version_string = "cairn 0.1.0";
        o.identity = "resolver-1";
    });
    QuerySpec spec;
    spec.qname = "VERSION.bind.";
    spec.qtype = RRType::TXT;
    spec.qclass = wire::RRClass::CH;
    auto m = udp_ask(server, spec);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].rclass, wire::RRClass::CH);
    EXPECT_EQ(m.answers[0].rdata.to_text(RRType::TXT), "\"cairn 0.1.0\"");

    spec.qname = "id.server.";
    m = udp_ask(server, spec);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].rdata.to_text(RRType::TXT), "\"resolver-1\"");

    spec.qname = "something.else.";
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::REFUSED);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerPipeline, ChaosIdentityRefusedWhenNotConfigured) {
    TestServer server;
    QuerySpec spec;
    spec.qname = "version.bind.";
    spec.qtype = RRType::TXT;
    spec.qclass = wire::RRClass::CH;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::REFUSED);
}

TEST(ServerPipeline, OtherClassesAndZoneTransfersAreRefused) {
    TestServer server;
    QuerySpec spec;
    spec.qclass = wire::RRClass::HS;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::REFUSED);
    spec.qclass = wire::RRClass::IN;
    spec.qtype = RRType::AXFR;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::REFUSED);
    spec.qtype = RRType::IXFR;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::REFUSED);
    spec.qtype = RRType::MAILB;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::FORMERR);
    spec.qtype = RRType::OPT;
    EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::FORMERR);
    EXPECT_EQ(server.script->call_count(), 0u);
}

TEST(ServerPipeline, RecursionDesiredIsPassedOn) {
    TestServer server;
    QuerySpec spec;
    spec.rd = false;
    const auto m = udp_ask(server, spec);
    EXPECT_FALSE(m.header.rd);
    ASSERT_EQ(server.script->call_count(), 1u);
    EXPECT_FALSE(server.script->call(0).recursion_desired);
    spec.rd = true;
    spec.qname = "other.example.";
    EXPECT_TRUE(udp_ask(server, spec).header.rd);
    EXPECT_TRUE(server.script->call(1).recursion_desired);
}

TEST(ServerPipeline, AuthenticDataOnlyForClientsThatAsk) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery& q) { return signed_answer(q, true); };
    QuerySpec spec;
    spec.qname = "plain.example.";
    EXPECT_FALSE(udp_ask(server, spec).header.ad);  // neither DO nor AD
    spec.qname = "ad.example.";
    spec.ad = true;
    EXPECT_TRUE(udp_ask(server, spec).header.ad);  // RFC 6840 §5.8
    spec.qname = "do.example.";
    spec.ad = false;
    spec.dnssec_ok = true;
    const auto m = udp_ask(server, spec);
    EXPECT_TRUE(m.header.ad);
    ASSERT_TRUE(m.edns);
    EXPECT_TRUE(m.edns->dnssec_ok);
    EXPECT_TRUE(server.script->call(2).dnssec_ok);
    EXPECT_FALSE(server.script->call(0).dnssec_ok);

    // Not authentic: no AD whatever the client set.
    server.script->answer = [](const resolve::ClientQuery& q) { return signed_answer(q, false); };
    spec.qname = "insecure.example.";
    spec.ad = true;
    EXPECT_FALSE(udp_ask(server, spec).header.ad);
}

TEST(ServerPipeline, CheckingDisabledIsCopiedAndPassedOn) {
    TestServer server;
    QuerySpec spec;
    spec.cd = true;
    EXPECT_TRUE(udp_ask(server, spec).header.cd);
    EXPECT_TRUE(server.script->call(0).checking_disabled);
    spec.cd = false;
    spec.qname = "other.example.";
    EXPECT_FALSE(udp_ask(server, spec).header.cd);
    EXPECT_FALSE(server.script->call(1).checking_disabled);
}

TEST(ServerPipeline, DnssecRecordsOnlyWithDo) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery& q) { return signed_answer(q, true); };
    QuerySpec spec;
    auto m = udp_ask(server, spec);
    EXPECT_EQ(count_type(m.answers, RRType::A), 1u);
    EXPECT_EQ(count_type(m.answers, RRType::RRSIG), 0u);
    EXPECT_EQ(count_type(m.authorities, RRType::NSEC), 0u);

    spec.dnssec_ok = true;
    m = udp_ask(server, spec);
    EXPECT_EQ(count_type(m.answers, RRType::RRSIG), 1u);
    EXPECT_EQ(count_type(m.authorities, RRType::NSEC), 1u);

    // Asked for by type, RRSIGs are data even without DO.
    spec.dnssec_ok = false;
    spec.qtype = RRType::RRSIG;
    m = udp_ask(server, spec);
    EXPECT_EQ(count_type(m.answers, RRType::RRSIG), 1u);
    EXPECT_EQ(count_type(m.authorities, RRType::NSEC), 0u);
}

resolve::Answer big_answer(const resolve::ClientQuery& q) {
    resolve::Answer a;
    for (int i = 1; i <= 60; ++i)
        a.answer.push_back(
            record(q.question.name.to_text() + " 300 IN A 192.0.2." + std::to_string(i)));
    a.cache_ttl = 300;
    return a;
}

TEST(ServerPipeline, TruncatesToTheClientsSize) {
    TestServer server;
    server.script->answer = big_answer;  // 60 A records: about 1 KB
    QuerySpec spec;
    spec.edns = false;
    auto bytes = *udp_exchange(server.address, query_bytes(spec));
    EXPECT_LE(bytes.size(), 512u);
    auto m = parse(bytes);
    EXPECT_TRUE(m.header.tc);
    EXPECT_TRUE(m.answers.empty());  // the RRset is left out whole

    spec.edns = true;
    spec.udp_size = 600;
    bytes = *udp_exchange(server.address, query_bytes(spec));
    EXPECT_LE(bytes.size(), 600u);
    EXPECT_TRUE(parse(bytes).header.tc);

    // A size below 512 means 512 (RFC 6891 §6.2.5): 20 records (~400
    // octets) fit.
    server.script->answer = [](const resolve::ClientQuery& q) {
        auto a = big_answer(q);
        a.answer.resize(20);
        return a;
    };
    spec.qname = "medium.example.";
    spec.udp_size = 100;
    bytes = *udp_exchange(server.address, query_bytes(spec));
    EXPECT_GT(bytes.size(), 100u);
    m = parse(bytes);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 20u);
    server.script->answer = big_answer;
    spec.qname = "www.example.";

    spec.udp_size = 4096;  // clamped to our 1232, which is enough
    m = udp_ask(server, spec);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.answers.size(), 60u);
    EXPECT_EQ(server.stat("server.truncated"), 2u);
}

TEST(ServerPipeline, TruncatedAnswersAreNotCached) {
    TestServer server;
    server.script->answer = big_answer;
    QuerySpec spec;
    spec.edns = false;
    EXPECT_TRUE(udp_ask(server, spec).header.tc);
    EXPECT_TRUE(udp_ask(server, spec).header.tc);
    EXPECT_EQ(server.script->call_count(), 2u);
}

TEST(ServerPipeline, PacketCacheAnswersWithoutTheResolver) {
    TestServer server;
    QuerySpec spec;
    auto first = udp_ask(server, spec);
    spec.id = 0x4321;
    spec.qname = "WWW.example.";
    auto second = udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(second.header.id, 0x4321);
    EXPECT_TRUE(second.questions[0].name.identical(name("WWW.example.")));
    EXPECT_EQ(second.answers, first.answers);
    EXPECT_EQ(server.stat("server.packet_cache_hits"), 1u);
    EXPECT_EQ(server.stat("server.packet_cache_misses"), 1u);

    // DO is part of the key.
    spec.dnssec_ok = true;
    udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 2u);

    // Expired: asked again.
    server.clock.advance(301);
    spec.dnssec_ok = false;
    udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 3u);
}

TEST(ServerPipeline, RealPacketCacheAgesTtls) {
    TestServer server({}, PacketCacheKind::kReal);
    auto first = udp_ask(server, QuerySpec{});
    ASSERT_EQ(first.answers.size(), 1u);
    EXPECT_EQ(first.answers[0].ttl, 300u);
    server.clock.advance(100);
    QuerySpec spec;
    spec.id = 77;
    spec.qname = "wWw.example.";
    auto second = udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(second.header.id, 77);
    EXPECT_TRUE(second.questions[0].name.identical(name("wWw.example.")));
    ASSERT_EQ(second.answers.size(), 1u);
    EXPECT_EQ(second.answers[0].ttl, 200u);
    ASSERT_TRUE(second.edns);  // the OPT record is not aged
    EXPECT_EQ(second.edns->version, 0);
    EXPECT_EQ(server.stat("cache.packet_entries"), 1u);
    EXPECT_EQ(server.stat("server.packet_cache_hits"), 1u);
    server.service->clear_packet_caches();
    EXPECT_EQ(server.stat("cache.packet_entries"), 0u);
    udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 2u);
}

TEST(ServerPipeline, PacketCacheHitStillHonoursAd) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery& q) { return signed_answer(q, true); };
    QuerySpec spec;
    spec.ad = true;
    EXPECT_TRUE(udp_ask(server, spec).header.ad);
    spec.ad = false;  // same key (DO=0), but this client did not ask for AD
    EXPECT_FALSE(udp_ask(server, spec).header.ad);
    spec.ad = true;
    EXPECT_TRUE(udp_ask(server, spec).header.ad);
    EXPECT_EQ(server.script->call_count(), 1u);
}

TEST(ServerPipeline, ServfailAlwaysCarriesAnExtendedError) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery&) {
        resolve::Answer a;
        a.rcode = Rcode::SERVFAIL;
        return a;
    };
    auto m = udp_ask(server, QuerySpec{});
    EXPECT_EQ(m.rcode(), Rcode::SERVFAIL);
    ASSERT_NE(extended_error(m), nullptr);

    server.script->answer = [](const resolve::ClientQuery&) {
        resolve::Answer a;
        a.rcode = Rcode::SERVFAIL;
        a.extended_error = wire::ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, "bad sig"};
        a.cache_ttl = 300;  // never cached anyway
        return a;
    };
    QuerySpec spec;
    spec.qname = "bogus.example.";
    m = udp_ask(server, spec);
    ASSERT_NE(extended_error(m), nullptr);
    EXPECT_EQ(extended_error(m)->code, ExtendedErrorCode::kDnssecBogus);
    EXPECT_EQ(extended_error(m)->extra_text, "bad sig");
    udp_ask(server, spec);
    EXPECT_EQ(server.script->call_count(), 3u);
    EXPECT_EQ(server.stat("server.rcode_servfail"), 3u);
}

TEST(ServerPipeline, NxdomainIsCachedAndAnswered) {
    TestServer server;
    server.script->answer = [](const resolve::ClientQuery&) {
        resolve::Answer a;
        a.rcode = Rcode::NXDOMAIN;
        a.authority.push_back(
            record("example. 300 IN SOA ns.example. host.example. 1 7200 3600 1209600 300"));
        a.cache_ttl = 300;
        return a;
    };
    EXPECT_EQ(udp_ask(server, QuerySpec{}).rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(udp_ask(server, QuerySpec{}).rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(server.script->call_count(), 1u);
    EXPECT_EQ(server.stat("server.rcode_nxdomain"), 2u);
}

TEST(ServerPipeline, ManyQueriesInOneBatch) {
    TestServer server;
    // Fill the socket before the worker reads: a burst from one socket.
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = loopback(server.address.port);
    constexpr int kQueries = 100;
    for (int i = 0; i < kQueries; ++i) {
        QuerySpec spec;
        spec.id = static_cast<uint16_t>(i);
        spec.qname = "n" + std::to_string(i % 10) + ".example.";
        const auto q = query_bytes(spec);
        ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    }
    std::vector<bool> seen(kQueries);
    int answers = 0;
    std::vector<uint8_t> buffer(2048);
    pollfd p{fd, POLLIN, 0};
    while (answers < kQueries && ::poll(&p, 1, 2000) == 1) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        ASSERT_GT(n, 0);
        const auto m = parse({buffer.begin(), buffer.begin() + n});
        ASSERT_LT(m.header.id, kQueries);
        EXPECT_FALSE(seen[m.header.id]);
        seen[m.header.id] = true;
        ++answers;
    }
    ::close(fd);
    EXPECT_EQ(answers, kQueries);
    EXPECT_LE(server.script->call_count(), static_cast<size_t>(kQueries));
}

TEST(ServerPipeline, StopStillSendsUdpAnswersInFlight) {
    auto server = std::make_unique<TestServer>();
    server->script->delay = [](const resolve::ClientQuery&) { return 150ms; };
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = loopback(server->address.port);
    const auto q = query_bytes(QuerySpec{});
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    while (server->stat("server.inflight") == 0)
        std::this_thread::sleep_for(5ms);
    server->service->stop();  // returns once the answer is out
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 1000), 1);
    std::vector<uint8_t> buffer(2048);
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    ::close(fd);
    ASSERT_GT(n, 0);
    EXPECT_EQ(parse({buffer.begin(), buffer.begin() + n}).rcode(), Rcode::NOERROR);
}

TEST(ServerPipeline, WithoutPacketCacheEveryQueryIsResolved) {
    TestServer server({}, PacketCacheKind::kNone);
    udp_ask(server, QuerySpec{});
    udp_ask(server, QuerySpec{});
    EXPECT_EQ(server.script->call_count(), 2u);
}

TEST(ServerPipeline, SeveralWorkersShareTheAddress) {
    TestServer server({}, PacketCacheKind::kFake, 3);
    EXPECT_EQ(server.service->worker_count(), 3u);
    // Different source ports spread over the workers' sockets.
    for (int i = 0; i < 30; ++i) {
        QuerySpec spec;
        spec.qname = "w" + std::to_string(i) + ".example.";
        EXPECT_EQ(udp_ask(server, spec).rcode(), Rcode::NOERROR);
        TcpClient tcp(server.address.port);
        ASSERT_TRUE(tcp.send_message(query_bytes(spec)));
        EXPECT_TRUE(tcp.receive());
    }
    EXPECT_EQ(server.stat("server.queries_udp"), 30u);
    EXPECT_EQ(server.stat("server.queries_tcp"), 30u);
}

}  // namespace
}  // namespace cairn::server::testing
