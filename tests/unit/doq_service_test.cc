// DNS over QUIC end to end inside one process: a Service with listen-quic
// and the fake resolver, and cairnctl's DoQ client, on 127.0.0.1.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "cairnctl/doq_client.h"
#include "net/doq_framing.h"
#include "net/quic_tls.h"
#include "server_test_support.h"
#include "support/test_certificate.h"

namespace cairn::server::testing {
namespace {

using cairn::testing::TestCertificate;

struct DoqServer {
    explicit DoqServer(const TestCertificate& certificate,
                       std::function<void(EncryptedOptions&)> tweak = {})
        : server([&](ServerOptions& options) {
              options.encrypted.listen_quic = {*wire::SocketAddress::parse("127.0.0.1:0")};
              options.encrypted.tls_certificate = certificate.certificate();
              options.encrypted.tls_key = certificate.key();
              if (tweak) tweak(options.encrypted);
          }) {
        port = server.service->listening_encrypted().front().address.port;
        client.server = *ctl::parse_server_address("127.0.0.1:" + std::to_string(port));
        client.ca_file = certificate.certificate();
        client.timeout = 5s;
    }

    ctl::DoqExchange ask(const std::vector<std::vector<uint8_t>>& queries) const {
        auto exchange = ctl::doq_exchange(client, queries);
        if (!exchange) throw std::runtime_error(exchange.error().message);
        return *exchange;
    }

    TestServer server;
    uint16_t port = 0;
    ctl::DoqClientOptions client;
};

std::vector<uint8_t> doq_query(const std::string& qname, uint16_t id = 0) {
    QuerySpec spec;
    spec.qname = qname;
    spec.id = id;
    return query_bytes(spec);
}

std::string question_of(const ctl::DoqStreamResult& stream) {
    if (!stream.complete) return "<incomplete>";
    return parse(stream.answer).questions.at(0).name.to_text();
}

TEST(DoqService, EveryStreamIsAnsweredWhenItsAnswerIsReady) {
    TestCertificate certificate;
    DoqServer doq(certificate);
    doq.server.script->delay = [](const resolve::ClientQuery& q) {
        return q.question.name.to_text() == "slow.example." ? 300ms : 0ms;
    };
    const auto exchange =
        doq.ask({doq_query("slow.example."), doq_query("a.example."), doq_query("b.example.")});
    ASSERT_EQ(exchange.streams.size(), 3u);
    EXPECT_EQ(question_of(exchange.streams[0]), "slow.example.");
    EXPECT_EQ(question_of(exchange.streams[1]), "a.example.");
    EXPECT_EQ(question_of(exchange.streams[2]), "b.example.");
    for (const auto& stream : exchange.streams)
        EXPECT_EQ(parse(stream.answer).header.id, 0);
    EXPECT_TRUE(exchange.after_retry);
    EXPECT_FALSE(exchange.closed);
    EXPECT_EQ(doq.server.stat("net.doq_queries"), 3u);
    EXPECT_EQ(doq.server.stat("net.doq_handshakes"), 1u);
}

TEST(DoqService, TheStreamLimitGrowsBackAsStreamsClose) {
    TestCertificate certificate;
    DoqServer doq(certificate, [](EncryptedOptions& e) {
        e.quic_max_streams = 2;
        e.quic_retry = false;
    });
    std::vector<std::vector<uint8_t>> queries;
    for (int i = 0; i < 25; ++i)
        queries.push_back(doq_query("n" + std::to_string(i) + ".example."));
    const auto exchange = doq.ask(queries);
    ASSERT_EQ(exchange.streams.size(), queries.size());
    for (size_t i = 0; i < queries.size(); ++i)
        EXPECT_EQ(question_of(exchange.streams[i]), "n" + std::to_string(i) + ".example.");
    EXPECT_FALSE(exchange.after_retry);
    EXPECT_EQ(doq.server.stat("net.doq_retries"), 0u);
}

TEST(DoqService, ABadStreamEndsTheConnectionWithProtocolError) {
    TestCertificate certificate;
    DoqServer doq(certificate);
    const auto exchange = doq.ask({doq_query("www.example.", 99)});
    ASSERT_TRUE(exchange.closed);
    EXPECT_TRUE(exchange.closed->application);
    EXPECT_EQ(exchange.closed->code, net::kDoqProtocolError);
    EXPECT_EQ(ctl::describe(*exchange.closed), "DOQ_PROTOCOL_ERROR");
    EXPECT_FALSE(exchange.streams[0].complete);
    EXPECT_EQ(doq.server.script->call_count(), 0u);
    EXPECT_EQ(doq.server.stat("net.doq_protocol_errors"), 1u);
}

TEST(DoqService, StoppingAnswersWhatIsOwedThenClosesWithNoError) {
    TestCertificate certificate;
    DoqServer doq(certificate);
    doq.server.script->delay = [](const resolve::ClientQuery&) { return 200ms; };
    auto client = doq.client;
    client.hold = true;
    const std::vector<std::vector<uint8_t>> queries{doq_query("www.example.")};
    auto pending =
        std::async(std::launch::async, [&] { return ctl::doq_exchange(client, queries); });
    while (doq.server.script->call_count() == 0)
        std::this_thread::sleep_for(5ms);
    doq.server.service->stop();
    auto exchange = pending.get();
    ASSERT_TRUE(exchange) << exchange.error().message;
    EXPECT_EQ(question_of(exchange->streams[0]), "www.example.");
    ASSERT_TRUE(exchange->closed);
    EXPECT_TRUE(exchange->closed->application);
    EXPECT_EQ(exchange->closed->code, net::kDoqNoError);
}

TEST(DoqService, ACancelledQueryIsNotAnsweredAndTheConnectionLivesOn) {
    TestCertificate certificate;
    DoqServer doq(certificate);
    doq.server.script->delay = [](const resolve::ClientQuery&) { return 100ms; };
    auto client = doq.client;
    client.cancel = true;
    client.hold = true;
    client.timeout = 1s;
    const std::vector<std::vector<uint8_t>> queries{doq_query("www.example.")};
    const auto exchange = ctl::doq_exchange(client, queries);
    ASSERT_TRUE(exchange) << exchange.error().message;
    EXPECT_FALSE(exchange->streams[0].complete);
    EXPECT_FALSE(exchange->closed);
    EXPECT_EQ(doq.server.stat("net.doq_streams_reset"), 1u);
    EXPECT_EQ(doq.server.stat("net.doq_protocol_errors"), 0u);
}

TEST(DoqService, CertificateProblemsNameTheFile) {
    TestCertificate certificate;
    auto missing = net::QuicTls::load("/nonexistent/cert.pem", certificate.key());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("tls-certificate /nonexistent/cert.pem: cannot read"),
              std::string::npos)
        << missing.error().message;
    // the key in place of the certificate: readable, not a certificate
    auto swapped = net::QuicTls::load(certificate.key(), certificate.key());
    ASSERT_FALSE(swapped);
    EXPECT_NE(swapped.error().message.find(certificate.key()), std::string::npos);
    EXPECT_TRUE(net::QuicTls::load(certificate.certificate(), certificate.key()));
}

}  // namespace
}  // namespace cairn::server::testing
