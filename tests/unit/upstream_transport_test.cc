// UpstreamTransport against tiny UDP/TCP responders on loopback, run in the
// same io_context. Each exchange must leave no work behind: the io_context
// runs out of work (stops) once the exchange and the responders are done.
#include "net/upstream_transport.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cctype>
#include <functional>
#include <optional>
#include <set>

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using resolve::UpstreamQuery;
using resolve::UpstreamReply;
using resolve::UpstreamStatus;
using wire::RRType;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

// What a responder sends back for one query: zero or more messages.
using Replies = std::vector<std::vector<uint8_t>>;
using Script = std::function<Replies(const wire::Message& query)>;

wire::Message answer_to(const wire::Message& query, int records = 1) {
    wire::Message m;
    m.header.id = query.header.id;
    m.header.qr = true;
    m.header.aa = true;
    m.header.rd = query.header.rd;
    m.questions = query.questions;
    for (int i = 0; i < records; ++i) {
        const std::array<uint8_t, 4> address = {192, 0, 2, static_cast<uint8_t>(i)};
        m.answers.push_back({query.questions.at(0).name, RRType::A, wire::RRClass::IN, 300,
                             *wire::RData::from_wire(RRType::A, address)});
    }
    if (query.edns) m.edns = wire::Edns{};
    return m;
}

Replies answer(const wire::Message& query) {
    return {answer_to(query).to_wire()};
}

class FakeServer {
public:
    // `tcp` null: nothing listens on TCP.
    FakeServer(asio::io_context& io, const asio::ip::address& address, Script udp,
               Script tcp = nullptr)
        : udp_socket_(io), acceptor_(io), udp_script_(std::move(udp)), tcp_script_(std::move(tcp)) {
        // UDP and TCP on the same port number.
        for (int attempt = 0; attempt < 50; ++attempt) {
            udp_socket_ = asio::ip::udp::socket(io, asio::ip::udp::endpoint(address, 0));
            const auto port = udp_socket_.local_endpoint().port();
            if (!tcp_script_) break;
            std::error_code ec;
            acceptor_.open(address.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6());
            acceptor_.bind({address, port}, ec);
            if (!ec) {
                acceptor_.listen();
                break;
            }
            acceptor_.close();
        }
        asio::co_spawn(io, serve_udp(), asio::detached);
        if (acceptor_.is_open()) asio::co_spawn(io, serve_tcp(), asio::detached);
    }

    wire::SocketAddress address() const {
        const auto ep = udp_socket_.local_endpoint();
        const auto a = ep.address();
        auto ip = a.is_v4() ? wire::IpAddress::v4(a.to_v4().to_bytes())
                            : wire::IpAddress::v6(a.to_v6().to_bytes());
        return {ip, ep.port()};
    }

    void stop() {
        std::error_code ec;
        udp_socket_.close(ec);
        acceptor_.close(ec);
        if (connection_) connection_->close(ec);
    }

    std::vector<wire::Message> udp_queries;
    std::vector<wire::Message> tcp_queries;
    std::vector<asio::ip::udp::endpoint> senders;

private:
    asio::awaitable<void> serve_udp() {
        std::vector<uint8_t> buffer(65535);
        for (;;) {
            asio::ip::udp::endpoint sender;
            auto [ec, n] =
                co_await udp_socket_.async_receive_from(asio::buffer(buffer), sender, kNoThrow);
            if (ec) co_return;
            auto query = wire::Message::parse(std::span<const uint8_t>(buffer).first(n));
            if (!query) continue;
            udp_queries.push_back(*query);
            senders.push_back(sender);
            for (const auto& reply : udp_script_(*query)) {
                auto [send_ec, sent] =
                    co_await udp_socket_.async_send_to(asio::buffer(reply), sender, kNoThrow);
                if (send_ec) co_return;
            }
        }
    }

    asio::awaitable<void> serve_tcp() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
            if (ec) co_return;
            connection_.emplace(std::move(socket));
            std::array<uint8_t, 2> prefix{};
            auto [len_ec, len_n] =
                co_await asio::async_read(*connection_, asio::buffer(prefix), kNoThrow);
            if (len_ec) continue;
            std::vector<uint8_t> body(wire::load_u16(prefix.data()));
            auto [body_ec, body_n] =
                co_await asio::async_read(*connection_, asio::buffer(body), kNoThrow);
            if (body_ec) continue;
            auto query = wire::Message::parse(body);
            if (!query) continue;
            tcp_queries.push_back(*query);
            const auto replies = tcp_script_(*query);
            for (const auto& reply : replies) {
                std::vector<uint8_t> framed(2 + reply.size());
                framed[0] = static_cast<uint8_t>(reply.size() >> 8);
                framed[1] = static_cast<uint8_t>(reply.size());
                std::copy(reply.begin(), reply.end(), framed.begin() + 2);
                auto [w_ec, w_n] =
                    co_await asio::async_write(*connection_, asio::buffer(framed), kNoThrow);
                if (w_ec) break;
            }
            if (replies.empty()) {
                // Say nothing; wait until the client gives up and closes.
                std::array<uint8_t, 1> sink{};
                co_await connection_->async_read_some(asio::buffer(sink), kNoThrow);
            }
            std::error_code close_ec;
            connection_->close(close_ec);
        }
    }

    asio::ip::udp::socket udp_socket_;
    asio::ip::tcp::acceptor acceptor_;
    std::optional<asio::ip::tcp::socket> connection_;
    Script udp_script_;
    Script tcp_script_;
};

size_t open_fds() {
    size_t n = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
        while (readdir(dir))
            ++n;
        closedir(dir);
    }
    return n;
}

UpstreamQuery query_for(const wire::SocketAddress& server, std::string_view qname = "www.example.",
                        std::chrono::milliseconds timeout = 2000ms) {
    UpstreamQuery q;
    q.server = server;
    q.question = {name(qname), RRType::A};
    q.timeout = timeout;
    return q;
}

UpstreamSettings without_0x20() {
    UpstreamSettings settings;
    settings.options.qname_case_randomisation = false;
    return settings;
}

UpstreamSettings near_miss_limit(uint32_t limit) {
    UpstreamSettings settings;
    settings.options.spoof_nearmiss_max = limit;
    return settings;
}

struct UpstreamTransportTest : ::testing::Test {
    UpstreamTransportTest() {
        // The io_context opens its reactor's descriptors (epoll, eventfd,
        // timerfd) with its first socket; do that before counting them.
        asio::ip::udp::socket warm_up(io);
        warm_up.open(asio::ip::udp::v4());
    }

    // Runs `queries` one after the other on `on` (the fixture's transport
    // by default), then stops the servers; checks that nothing was left
    // running.
    std::vector<UpstreamReply> run_each(std::vector<UpstreamQuery> queries,
                                        std::vector<FakeServer*> servers,
                                        UpstreamTransport* on = nullptr) {
        UpstreamTransport& t = on ? *on : transport;
        std::vector<UpstreamReply> replies;
        bool finished = false;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                for (auto& query : queries)
                    replies.push_back(co_await t.exchange(std::move(query)));
            },
            [&](std::exception_ptr e) {
                EXPECT_FALSE(e) << "exchange threw";
                finished = true;
                for (auto* s : servers)
                    s->stop();
            });
        const auto start = std::chrono::steady_clock::now();
        io.restart();
        io.run_for(10s);
        elapsed = std::chrono::steady_clock::now() - start;
        EXPECT_TRUE(io.stopped()) << "work left behind in the io_context";
        EXPECT_TRUE(finished);
        replies.resize(queries.size());
        return replies;
    }

    UpstreamReply run(UpstreamQuery query, std::vector<FakeServer*> servers,
                      UpstreamTransport* on = nullptr) {
        return run_each({std::move(query)}, std::move(servers), on).at(0);
    }

    asio::io_context io;
    cache::InfraCache infra;
    UpstreamMetrics metrics;
    UpstreamTransport transport{io, infra, metrics};
    std::chrono::steady_clock::duration elapsed{};
    const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");
};

TEST_F(UpstreamTransportTest, UdpAnswer) {
    FakeServer server(io, loopback, answer);
    auto q = query_for(server.address());
    q.dnssec_ok = true;
    q.checking_disabled = true;
    q.edns_udp_size = 1400;
    const auto reply = run(q, {&server});
    EXPECT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_FALSE(reply.via_tcp);
    ASSERT_EQ(reply.message.answers.size(), 1u);
    EXPECT_EQ(reply.message.questions.at(0).name, name("www.example."));
    EXPECT_GT(reply.rtt.count(), 0);
    EXPECT_LT(reply.rtt, std::chrono::microseconds(2s));
    // What went out.
    ASSERT_EQ(server.udp_queries.size(), 1u);
    const auto& sent = server.udp_queries[0];
    EXPECT_FALSE(sent.header.qr);
    EXPECT_FALSE(sent.header.rd);
    EXPECT_TRUE(sent.header.cd);
    ASSERT_TRUE(sent.edns);
    EXPECT_TRUE(sent.edns->dnssec_ok);
    EXPECT_EQ(sent.edns->udp_size, 1400);
    EXPECT_TRUE(server.tcp_queries.empty());
}

TEST_F(UpstreamTransportTest, WithoutEdns) {
    FakeServer server(io, loopback, answer);
    auto q = query_for(server.address());
    q.use_edns = false;
    q.recursion_desired = true;
    EXPECT_EQ(run(q, {&server}).status, UpstreamStatus::kOk);
    ASSERT_EQ(server.udp_queries.size(), 1u);
    EXPECT_FALSE(server.udp_queries[0].edns);
    EXPECT_TRUE(server.udp_queries[0].header.rd);
}

TEST_F(UpstreamTransportTest, FreshIdAndPortPerQuery) {
    FakeServer server(io, loopback, answer);
    int ok = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 8; ++i)
                ok += (co_await transport.exchange(query_for(server.address()))).status ==
                      UpstreamStatus::kOk;
            server.stop();
        },
        asio::detached);
    io.run_for(10s);
    EXPECT_TRUE(io.stopped());
    EXPECT_EQ(ok, 8);
    ASSERT_EQ(server.udp_queries.size(), 8u);
    std::set<uint16_t> ids;
    std::set<uint16_t> ports;
    for (size_t i = 0; i < 8; ++i) {
        ids.insert(server.udp_queries[i].header.id);
        ports.insert(server.senders[i].port());
    }
    // Random 16-bit values: eight equal ones would be a broken generator.
    EXPECT_GT(ids.size(), 1u);
    EXPECT_GT(ports.size(), 1u);
}

TEST_F(UpstreamTransportTest, WithoutNearMissLimitIgnoresWrongIdThenAcceptsAnswer) {
    UpstreamTransport patient(io, infra, metrics, near_miss_limit(0));
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto forged = answer_to(query);
        forged.header.id ^= 0x5a5a;
        forged.answers.at(0).rdata =
            *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{6, 6, 6, 6});
        return Replies{forged.to_wire(), answer_to(query).to_wire()};
    });
    const auto reply = run(query_for(server.address()), {&server}, &patient);
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    ASSERT_EQ(reply.message.answers.size(), 1u);
    EXPECT_EQ(reply.message.answers[0].rdata.bytes()[0], 192);
    EXPECT_FALSE(reply.via_tcp);
    EXPECT_EQ(metrics.near_misses.load(), 1u);
}

TEST_F(UpstreamTransportTest, BelowTheLimitWrongQuestionsAreIgnored) {
    UpstreamTransport patient(io, infra, metrics, near_miss_limit(5));
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto other_name = answer_to(query);
        other_name.questions[0].name = name("evil.example.");
        auto other_type = answer_to(query);
        other_type.questions[0].type = RRType::AAAA;
        auto other_class = answer_to(query);
        other_class.questions[0].rclass = wire::RRClass::CH;
        auto not_response = answer_to(query);
        not_response.header.qr = false;
        auto good = answer_to(query, 2);
        return Replies{other_name.to_wire(), other_type.to_wire(), other_class.to_wire(),
                       not_response.to_wire(), good.to_wire()};
    });
    const auto reply = run(query_for(server.address()), {&server}, &patient);
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_EQ(reply.message.answers.size(), 2u);
    EXPECT_FALSE(reply.via_tcp);
    EXPECT_EQ(metrics.near_misses.load(), 4u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 0u);
}

// A forger that knows the port and guesses IDs: `guesses` wrong ones, then
// (a perfect guess, case and all) the right one, before the real answer.
Replies forged_race(const wire::Message& query, int guesses) {
    Replies replies;
    for (int i = 1; i <= guesses; ++i) {
        auto forged = answer_to(query);
        forged.header.id = static_cast<uint16_t>(query.header.id + i * 7919);
        replies.push_back(forged.to_wire());
    }
    auto lucky = answer_to(query);
    lucky.answers.at(0).rdata =
        *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{6, 6, 6, 6});
    replies.push_back(lucky.to_wire());
    replies.push_back(answer_to(query).to_wire());
    return replies;
}

TEST_F(UpstreamTransportTest, NearMissesMoveTheQueryToTcp) {
    // The default limit, 1: the first wrong guess ends UDP; the lucky guess
    // behind it is never read.
    FakeServer server(
        io, loopback, [](const wire::Message& query) { return forged_race(query, 3); },
        [](const wire::Message& query) { return Replies{answer_to(query, 3).to_wire()}; });
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(reply.message.answers.size(), 3u);
    EXPECT_EQ(reply.message.answers[0].rdata.bytes()[0], 192);
    EXPECT_EQ(metrics.near_misses.load(), 1u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 1u);
}

TEST_F(UpstreamTransportTest, NearMissLimitIsPerQuery) {
    UpstreamTransport limited(io, infra, metrics, near_miss_limit(3));
    FakeServer server(
        io, loopback,
        [n = 0](const wire::Message& query) mutable {
            // The first query: two wrong IDs, then the answer (under the
            // limit). The second: three wrong IDs, which reach it.
            Replies replies;
            const int wrong = ++n == 1 ? 2 : 3;
            for (int i = 1; i <= wrong; ++i) {
                auto m = answer_to(query);
                m.header.id = static_cast<uint16_t>(query.header.id ^ i);
                replies.push_back(m.to_wire());
            }
            replies.push_back(answer_to(query).to_wire());
            return replies;
        },
        [](const wire::Message& query) { return Replies{answer_to(query, 3).to_wire()}; });
    const auto address = server.address();
    const auto replies = run_each({query_for(address), query_for(address)}, {&server}, &limited);
    ASSERT_EQ(replies[0].status, UpstreamStatus::kOk);
    EXPECT_FALSE(replies[0].via_tcp);
    ASSERT_EQ(replies[1].status, UpstreamStatus::kOk);
    EXPECT_TRUE(replies[1].via_tcp);
    EXPECT_EQ(metrics.near_misses.load(), 5u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 1u);
}

TEST_F(UpstreamTransportTest, WithoutNearMissLimitALuckyGuessWins) {
    // What the limit is for: with it off, and 0x20 off, a guess that gets
    // the ID right is the answer.
    UpstreamSettings settings = without_0x20();
    settings.options.spoof_nearmiss_max = 0;
    UpstreamTransport exposed(io, infra, metrics, settings);
    FakeServer server(io, loopback,
                      [](const wire::Message& query) { return forged_race(query, 3); });
    const auto reply = run(query_for(server.address()), {&server}, &exposed);
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_FALSE(reply.via_tcp);
    EXPECT_EQ(reply.message.answers.at(0).rdata.bytes()[0], 6);
    EXPECT_EQ(metrics.near_misses.load(), 3u);
}

// -- 0x20 ---------------------------------------------------------------------

// 33 letters: a random spelling equals a given one with probability 2^-33.
constexpr std::string_view kLongName = "abcdefghijklmnopqrstuvwxyz.example.";

wire::Name uppercased(const wire::Name& n) {
    auto text = n.to_text();
    for (auto& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name(text);
}

// The answer as a server that does not preserve case sends it: question and
// owner in lower case.
wire::Message lowercased_answer(const wire::Message& query, int records = 1) {
    auto m = answer_to(query, records);
    m.questions[0].name = m.questions[0].name.lowercased();
    for (auto& r : m.answers)
        r.owner = r.owner.lowercased();
    return m;
}

TEST_F(UpstreamTransportTest, QnameGoesOutInRandomCaseAndComesBackAsAsked) {
    FakeServer server(io, loopback, answer);
    const auto asked = name("abcdefghijklmnopqrstuvwxyz.Example.");
    std::vector<UpstreamQuery> queries;
    for (int i = 0; i < 8; ++i)
        queries.push_back(query_for(server.address(), asked.to_text()));
    const auto replies = run_each(queries, {&server});
    std::set<std::string> spellings;
    for (const auto& sent : server.udp_queries) {
        EXPECT_EQ(sent.questions.at(0).name, asked);
        spellings.insert(sent.questions.at(0).name.to_text());
    }
    EXPECT_EQ(spellings.size(), 8u) << "the same spelling twice: the case is not random";
    for (const auto& reply : replies) {
        ASSERT_EQ(reply.status, UpstreamStatus::kOk);
        EXPECT_FALSE(reply.via_tcp);
        // What the resolver sees is in its own case: question and owner.
        EXPECT_TRUE(reply.message.questions.at(0).name.identical(asked));
        ASSERT_EQ(reply.message.answers.size(), 1u);
        EXPECT_TRUE(reply.message.answers[0].owner.identical(asked));
    }
    EXPECT_EQ(metrics.case_mismatches.load(), 0u);
}

TEST_F(UpstreamTransportTest, ReplyInAnotherCaseIsNeverAcceptedOverUdp) {
    // Over UDP a forger, who cannot know the case, races the real answer;
    // the query goes to TCP, where the real answer comes back.
    FakeServer server(
        io, loopback,
        [](const wire::Message& query) {
            auto forged = lowercased_answer(query);
            forged.answers.at(0).rdata =
                *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{6, 6, 6, 6});
            return Replies{forged.to_wire(), answer_to(query).to_wire()};
        },
        [](const wire::Message& query) { return Replies{answer_to(query, 3).to_wire()}; });
    const auto address = server.address();
    const auto reply = run(query_for(address, kLongName), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(reply.message.answers.size(), 3u);
    EXPECT_EQ(metrics.case_mismatches.load(), 1u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 1u);
    // A forgery over UDP says nothing about the server: 0x20 stays on.
    EXPECT_EQ(metrics.case_blind_servers.load(), 0u);
    EXPECT_TRUE(infra.hygiene(address.address, std::chrono::steady_clock::now()).preserves_case);
}

TEST_F(UpstreamTransportTest, ServerThatDoesNotPreserveCaseIsLearntOverTcp) {
    auto lower = [](const wire::Message& query) {
        return Replies{lowercased_answer(query).to_wire()};
    };
    FakeServer server(io, loopback, lower, lower);
    const auto asked = name(kLongName);
    const auto address = server.address();
    const auto replies =
        run_each({query_for(address, kLongName), query_for(address, kLongName)}, {&server});
    // First: UDP in another case, TCP too: the server is case-blind, and
    // its TCP answer stands.
    ASSERT_EQ(replies[0].status, UpstreamStatus::kOk);
    EXPECT_TRUE(replies[0].via_tcp);
    EXPECT_TRUE(replies[0].message.questions.at(0).name.identical(asked));
    EXPECT_EQ(metrics.case_blind_servers.load(), 1u);
    EXPECT_FALSE(infra.hygiene(address.address, std::chrono::steady_clock::now()).preserves_case);
    // Then: asked in lower case over UDP, and answered there.
    ASSERT_EQ(replies[1].status, UpstreamStatus::kOk);
    EXPECT_FALSE(replies[1].via_tcp);
    ASSERT_EQ(server.udp_queries.size(), 2u);
    EXPECT_TRUE(server.udp_queries[1].questions.at(0).name.identical(asked.lowercased()));
    EXPECT_EQ(server.tcp_queries.size(), 1u);
}

TEST_F(UpstreamTransportTest, WithoutCaseRandomisationTheNameGoesAsAsked) {
    UpstreamTransport plain(io, infra, metrics, without_0x20());
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto m = answer_to(query);
        m.questions[0].name = uppercased(m.questions[0].name);
        return Replies{m.to_wire()};
    });
    const auto reply = run(query_for(server.address(), "wWw.ExAmPlE."), {&server}, &plain);
    EXPECT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_FALSE(reply.via_tcp);
    ASSERT_EQ(server.udp_queries.size(), 1u);
    EXPECT_TRUE(server.udp_queries[0].questions.at(0).name.identical(name("wWw.ExAmPlE.")));
}

// -- cookies (RFC 7873) ------------------------------------------------------

const std::vector<uint8_t> kServerCookie(16, 0xc0);

const wire::CookieOption* cookie_of(const wire::Message& m) {
    return m.edns ? m.edns->find<wire::CookieOption>() : nullptr;
}

// `m` as a server that uses cookies sends it: the query's client cookie
// echoed, with `server` as its own.
wire::Message with_cookie(wire::Message m, const wire::Message& query,
                          const std::vector<uint8_t>& server = kServerCookie) {
    const auto* cookie = cookie_of(query);
    if (!cookie) return m;
    if (!m.edns) m.edns = wire::Edns{};
    m.edns->options.push_back(wire::CookieOption{cookie->client, server});
    return m;
}

Replies cookie_answer(const wire::Message& query) {
    return {with_cookie(answer_to(query), query).to_wire()};
}

TEST_F(UpstreamTransportTest, SendsClientCookieAndLearnsTheServersCookie) {
    FakeServer server(io, loopback, cookie_answer);
    const auto address = server.address();
    const auto replies = run_each({query_for(address), query_for(address)}, {&server});
    ASSERT_EQ(replies[0].status, UpstreamStatus::kOk);
    ASSERT_EQ(replies[1].status, UpstreamStatus::kOk);
    ASSERT_EQ(server.udp_queries.size(), 2u);
    const auto* first = cookie_of(server.udp_queries[0]);
    const auto* second = cookie_of(server.udp_queries[1]);
    ASSERT_TRUE(first && second);
    EXPECT_TRUE(first->server.empty());
    EXPECT_EQ(second->client, first->client);  // stable between the same two addresses
    EXPECT_EQ(second->server, kServerCookie);
    const auto known = infra.hygiene(address.address, std::chrono::steady_clock::now()).cookie;
    ASSERT_TRUE(known);
    EXPECT_EQ(known->client, first->client);
}

TEST_F(UpstreamTransportTest, OnceAServerUsesCookiesAReplyWithoutOursIsForged) {
    FakeServer server(
        io, loopback,
        [n = 0](const wire::Message& query) mutable {
            if (++n == 1) return cookie_answer(query);
            // A perfect guess of ID and case, but no cookie; then the real
            // answer.
            auto forged = answer_to(query);
            forged.answers.at(0).rdata =
                *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{6, 6, 6, 6});
            return Replies{forged.to_wire(), with_cookie(answer_to(query), query).to_wire()};
        },
        [](const wire::Message& query) {
            return Replies{with_cookie(answer_to(query, 3), query).to_wire()};
        });
    const auto address = server.address();
    const auto replies = run_each({query_for(address), query_for(address)}, {&server});
    ASSERT_EQ(replies[1].status, UpstreamStatus::kOk);
    EXPECT_TRUE(replies[1].via_tcp);
    EXPECT_EQ(replies[1].message.answers.size(), 3u);
    EXPECT_EQ(metrics.cookie_mismatches.load(), 1u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 1u);
    // The forgery did not make the server's cookie forgotten.
    EXPECT_TRUE(infra.hygiene(address.address, std::chrono::steady_clock::now()).cookie);
    ASSERT_EQ(server.tcp_queries.size(), 1u);
    EXPECT_EQ(cookie_of(server.tcp_queries[0])->server, kServerCookie);
}

TEST_F(UpstreamTransportTest, AnotherClientCookieIsNeverAccepted) {
    // Even from a server not yet known to use cookies.
    FakeServer server(
        io, loopback,
        [](const wire::Message& query) {
            auto forged = answer_to(query);
            forged.edns->options.push_back(
                wire::CookieOption{{9, 9, 9, 9, 9, 9, 9, 9}, kServerCookie});
            return Replies{forged.to_wire()};
        },
        cookie_answer);
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(metrics.cookie_mismatches.load(), 1u);
}

TEST_F(UpstreamTransportTest, ServerThatStopsUsingCookiesIsFoundOutOverTcp) {
    FakeServer server(io, loopback, answer, answer);
    const auto address = server.address();
    // Learnt earlier: the server used cookies.
    cache::ServerCookie earlier;
    earlier.server_length = 8;
    infra.set_cookie(address.address, earlier, std::chrono::steady_clock::now());
    const auto replies = run_each({query_for(address), query_for(address)}, {&server});
    // UDP without a cookie: TCP, which says the same, so the cookie goes.
    ASSERT_EQ(replies[0].status, UpstreamStatus::kOk);
    EXPECT_TRUE(replies[0].via_tcp);
    EXPECT_EQ(metrics.cookies_forgotten.load(), 1u);
    EXPECT_FALSE(infra.hygiene(address.address, std::chrono::steady_clock::now()).cookie);
    // Then UDP is enough again.
    ASSERT_EQ(replies[1].status, UpstreamStatus::kOk);
    EXPECT_FALSE(replies[1].via_tcp);
}

// BADCOOKIE (with a fresh server cookie) to any query without `wanted`
// (null: to every query), the answer otherwise.
Script badcookie_unless(const std::vector<uint8_t>* wanted) {
    return [wanted, n = uint8_t{0}](const wire::Message& query) mutable {
        const auto* cookie = cookie_of(query);
        if (wanted && cookie && cookie->server == *wanted) return cookie_answer(query);
        auto refused = answer_to(query, 0);
        refused.set_rcode(wire::Rcode::BADCOOKIE);
        return Replies{
            with_cookie(refused, query, wanted ? *wanted : std::vector<uint8_t>(8, ++n)).to_wire()};
    };
}

TEST_F(UpstreamTransportTest, BadCookieIsAskedAgainWithTheNewCookie) {
    FakeServer server(io, loopback, badcookie_unless(&kServerCookie));
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_FALSE(reply.via_tcp);
    EXPECT_EQ(reply.message.rcode(), wire::Rcode::NOERROR);
    ASSERT_EQ(server.udp_queries.size(), 2u);
    EXPECT_EQ(cookie_of(server.udp_queries[1])->server, kServerCookie);
    EXPECT_EQ(metrics.badcookie_retries.load(), 1u);
}

TEST_F(UpstreamTransportTest, BadCookieTwiceGoesToTcp) {
    FakeServer server(io, loopback, badcookie_unless(nullptr), cookie_answer);
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(reply.message.rcode(), wire::Rcode::NOERROR);
    EXPECT_EQ(server.udp_queries.size(), 2u);
    EXPECT_EQ(server.tcp_queries.size(), 1u);
    EXPECT_EQ(metrics.badcookie_retries.load(), 1u);
}

TEST_F(UpstreamTransportTest, NoCookieWhenOffOrWithoutEdns) {
    UpstreamSettings settings;
    settings.options.cookies = false;
    UpstreamTransport plain(io, infra, metrics, settings);
    FakeServer first(io, loopback, cookie_answer);
    const auto address = first.address();
    EXPECT_EQ(run(query_for(address), {&first}, &plain).status, UpstreamStatus::kOk);
    FakeServer second(io, loopback, cookie_answer);
    auto without_edns = query_for(second.address());
    without_edns.use_edns = false;
    EXPECT_EQ(run(without_edns, {&second}).status, UpstreamStatus::kOk);
    ASSERT_EQ(first.udp_queries.size(), 1u);
    ASSERT_TRUE(first.udp_queries[0].edns);
    EXPECT_FALSE(cookie_of(first.udp_queries[0]));
    EXPECT_FALSE(infra.hygiene(address.address, std::chrono::steady_clock::now()).cookie);
    ASSERT_EQ(second.udp_queries.size(), 1u);
    EXPECT_FALSE(second.udp_queries[0].edns);
}

TEST_F(UpstreamTransportTest, TimeoutWhenNobodyAnswers) {
    const size_t fds_before = open_fds();
    {
        FakeServer server(io, loopback, [](const wire::Message&) { return Replies{}; });
        const auto reply = run(query_for(server.address(), "www.example.", 200ms), {&server});
        EXPECT_EQ(reply.status, UpstreamStatus::kTimeout);
        EXPECT_FALSE(reply.via_tcp);
        EXPECT_GE(elapsed, 200ms);
        EXPECT_LT(elapsed, 2s);
        EXPECT_EQ(server.udp_queries.size(), 1u);
    }
    EXPECT_EQ(open_fds(), fds_before) << "a socket was left open";
}

TEST_F(UpstreamTransportTest, StrayDatagramsDoNotExtendTheTimeout) {
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto wrong = answer_to(query);
        wrong.header.id ^= 1;
        return Replies{wrong.to_wire(), {1, 2, 3}};
    });
    UpstreamTransport patient(io, infra, metrics, near_miss_limit(0));
    const auto reply = run(query_for(server.address(), "www.example.", 200ms), {&server}, &patient);
    EXPECT_EQ(reply.status, UpstreamStatus::kTimeout);
    EXPECT_LT(elapsed, 2s);
    EXPECT_EQ(metrics.near_misses.load(), 2u);
}

TEST_F(UpstreamTransportTest, GarbageWithOurIdIsMalformed) {
    FakeServer server(io, loopback, [](const wire::Message& query) {
        std::vector<uint8_t> junk = {static_cast<uint8_t>(query.header.id >> 8),
                                     static_cast<uint8_t>(query.header.id),
                                     0x81,
                                     0x80,
                                     0,
                                     1,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0x3f,
                                     'x',
                                     'y'};
        return Replies{{0xde, 0xad}, junk};
    });
    UpstreamTransport patient(io, infra, metrics, near_miss_limit(0));
    const auto reply = run(query_for(server.address()), {&server}, &patient);
    EXPECT_EQ(reply.status, UpstreamStatus::kMalformed);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(UpstreamTransportTest, BadRecordsAfterMatchingQuestionAreMalformed) {
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto wire = answer_to(query).to_wire();
        wire.resize(wire.size() - 3);  // cut inside the last record
        return Replies{wire};
    });
    EXPECT_EQ(run(query_for(server.address()), {&server}).status, UpstreamStatus::kMalformed);
}

Replies formerr_without_question(const wire::Message& query) {
    wire::Message m;
    m.header.id = query.header.id;
    m.header.qr = true;
    m.set_rcode(wire::Rcode::FORMERR);
    return Replies{m.to_wire()};
}

TEST_F(UpstreamTransportTest, FormerrWithoutQuestionIsConfirmedOverTcp) {
    // Servers that do not know EDNS often answer FORMERR without echoing
    // the question; the resolver needs to see that to retry without EDNS.
    // With no case to check, such a datagram could be forged with the ID
    // alone: it is believed once TCP says the same.
    FakeServer server(io, loopback, formerr_without_question, formerr_without_question);
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_EQ(reply.message.rcode(), wire::Rcode::FORMERR);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(server.tcp_queries.size(), 1u);
    EXPECT_EQ(metrics.spoof_tcp_retries.load(), 0u);
}

TEST_F(UpstreamTransportTest, FormerrWithoutQuestionIsAcceptedWithout0x20) {
    UpstreamTransport plain(io, infra, metrics, without_0x20());
    FakeServer server(io, loopback, formerr_without_question);
    const auto reply = run(query_for(server.address()), {&server}, &plain);
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_EQ(reply.message.rcode(), wire::Rcode::FORMERR);
    EXPECT_FALSE(reply.via_tcp);
}

TEST_F(UpstreamTransportTest, TruncatedAnswerIsRetriedOverTcp) {
    FakeServer server(
        io, loopback,
        [](const wire::Message& query) {
            auto m = answer_to(query, 0);
            m.header.tc = true;
            return Replies{m.to_wire()};
        },
        [](const wire::Message& query) { return Replies{answer_to(query, 100).to_wire()}; });
    const auto reply = run(query_for(server.address()), {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_FALSE(reply.message.header.tc);
    EXPECT_EQ(reply.message.answers.size(), 100u);
    ASSERT_EQ(server.udp_queries.size(), 1u);
    ASSERT_EQ(server.tcp_queries.size(), 1u);
    EXPECT_EQ(server.tcp_queries[0].questions, server.udp_queries[0].questions);
    EXPECT_EQ(server.tcp_queries[0].edns, server.udp_queries[0].edns);
}

TEST_F(UpstreamTransportTest, ReceiveBufferIsWhatWeAdvertise) {
    auto q = query_for(wire::SocketAddress{*wire::IpAddress::parse("127.0.0.1"), 53});
    q.edns_udp_size = 1232;
    EXPECT_EQ(udp_reply_limit(q), 1232u);
    q.edns_udp_size = 100;  // below the floor of RFC 6891 §6.2.5
    EXPECT_EQ(udp_reply_limit(q), 512u);
    q.use_edns = false;
    EXPECT_EQ(udp_reply_limit(q), 512u);
}

// A server that sends more over UDP than we advertised: what we read is cut
// short, so the answer is asked over TCP rather than taken as malformed.
TEST_F(UpstreamTransportTest, ReplyLongerThanAdvertisedIsAskedOverTcp) {
    const Script oversized = [](const wire::Message& query) {
        auto wire = answer_to(query, 100).to_wire();
        EXPECT_GT(wire.size(), 1300u);
        return Replies{wire};
    };
    FakeServer server(io, loopback, oversized, oversized);
    auto q = query_for(server.address());
    q.edns_udp_size = 1232;
    const auto reply = run(q, {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(reply.message.answers.size(), 100u);
    ASSERT_EQ(server.udp_queries.size(), 1u);
    ASSERT_EQ(server.tcp_queries.size(), 1u);
}

TEST_F(UpstreamTransportTest, TcpIgnoresMismatchesToo) {
    FakeServer server(io, loopback, answer, [](const wire::Message& query) {
        auto wrong = answer_to(query);
        wrong.header.id ^= 0x100;
        return Replies{wrong.to_wire(), answer_to(query, 3).to_wire()};
    });
    auto q = query_for(server.address());
    q.force_tcp = true;
    const auto reply = run(q, {&server});
    ASSERT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_EQ(reply.message.answers.size(), 3u);
}

TEST_F(UpstreamTransportTest, ForceTcpSkipsUdp) {
    FakeServer server(io, loopback, answer, answer);
    auto q = query_for(server.address());
    q.force_tcp = true;
    const auto reply = run(q, {&server});
    EXPECT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_TRUE(server.udp_queries.empty());
    EXPECT_EQ(server.tcp_queries.size(), 1u);
}

TEST_F(UpstreamTransportTest, TcpTimeout) {
    const size_t fds_before = open_fds();
    {
        FakeServer server(io, loopback, answer, [](const wire::Message&) { return Replies{}; });
        auto q = query_for(server.address(), "www.example.", 200ms);
        q.force_tcp = true;
        const auto reply = run(q, {&server});
        EXPECT_EQ(reply.status, UpstreamStatus::kTimeout);
        EXPECT_TRUE(reply.via_tcp);
        EXPECT_GE(elapsed, 200ms);
        EXPECT_LT(elapsed, 2s);
    }
    EXPECT_EQ(open_fds(), fds_before) << "a socket was left open";
}

TEST_F(UpstreamTransportTest, TcpGarbageIsMalformed) {
    FakeServer server(io, loopback, answer, [](const wire::Message& query) {
        auto wire = answer_to(query).to_wire();
        wire.resize(wire.size() - 2);
        return Replies{wire};
    });
    auto q = query_for(server.address());
    q.force_tcp = true;
    EXPECT_EQ(run(q, {&server}).status, UpstreamStatus::kMalformed);
}

TEST_F(UpstreamTransportTest, TcpRefusedIsNetworkError) {
    // Truncated over UDP, but nothing listens on TCP.
    FakeServer server(io, loopback, [](const wire::Message& query) {
        auto m = answer_to(query, 0);
        m.header.tc = true;
        return Replies{m.to_wire()};
    });
    const auto reply = run(query_for(server.address()), {&server});
    EXPECT_EQ(reply.status, UpstreamStatus::kNetworkError);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(UpstreamTransportTest, PortUnreachableIsNetworkErrorQuickly) {
    wire::SocketAddress closed;
    {
        asio::ip::udp::socket probe(io, asio::ip::udp::endpoint(loopback, 0));
        closed = {wire::IpAddress::v4({127, 0, 0, 1}), probe.local_endpoint().port()};
    }
    const auto reply = run(query_for(closed, "www.example.", 3000ms), {});
    EXPECT_EQ(reply.status, UpstreamStatus::kNetworkError);
    EXPECT_LT(elapsed, 1s);
}

TEST_F(UpstreamTransportTest, ZeroTimeoutSendsNothing) {
    FakeServer server(io, loopback, answer);
    EXPECT_EQ(run(query_for(server.address(), "www.example.", 0ms), {&server}).status,
              UpstreamStatus::kTimeout);
    EXPECT_TRUE(server.udp_queries.empty());
}

TEST_F(UpstreamTransportTest, ConcurrentExchanges) {
    FakeServer fast(io, loopback, answer);
    FakeServer silent(io, loopback, [](const wire::Message&) { return Replies{}; });
    std::vector<UpstreamReply> replies;
    int pending = 3;
    auto done = [&](std::exception_ptr e, UpstreamReply r) {
        EXPECT_FALSE(e);
        replies.push_back(std::move(r));
        if (--pending == 0) {
            fast.stop();
            silent.stop();
        }
    };
    asio::co_spawn(io, transport.exchange(query_for(silent.address(), "a.example.", 300ms)), done);
    asio::co_spawn(io, transport.exchange(query_for(fast.address(), "b.example.")), done);
    asio::co_spawn(io, transport.exchange(query_for(fast.address(), "c.example.")), done);
    io.run_for(10s);
    EXPECT_TRUE(io.stopped());
    ASSERT_EQ(replies.size(), 3u);
    // The two answered ones come back first, the silent one times out.
    EXPECT_EQ(replies[0].status, UpstreamStatus::kOk);
    EXPECT_EQ(replies[1].status, UpstreamStatus::kOk);
    EXPECT_EQ(replies[2].status, UpstreamStatus::kTimeout);
}

TEST_F(UpstreamTransportTest, BindsOutgoingAddressOfTheServersFamily) {
    UpstreamSettings settings;
    settings.outgoing = {*wire::IpAddress::parse("::1"), *wire::IpAddress::parse("127.0.0.1")};
    UpstreamTransport bound(io, infra, metrics, settings);
    FakeServer server(io, loopback, answer, answer);
    std::optional<UpstreamReply> udp_reply;
    std::optional<UpstreamReply> tcp_reply;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            udp_reply = co_await bound.exchange(query_for(server.address()));
            auto q = query_for(server.address());
            q.force_tcp = true;
            tcp_reply = co_await bound.exchange(q);
            server.stop();
        },
        asio::detached);
    io.run_for(10s);
    EXPECT_TRUE(io.stopped());
    ASSERT_TRUE(udp_reply && tcp_reply);
    EXPECT_EQ(udp_reply->status, UpstreamStatus::kOk);
    EXPECT_EQ(tcp_reply->status, UpstreamStatus::kOk);
    ASSERT_EQ(server.senders.size(), 1u);
    EXPECT_EQ(server.senders[0].address(), loopback);
}

TEST_F(UpstreamTransportTest, Ipv6Loopback) {
    std::error_code ec;
    asio::ip::udp::socket probe(io);
    probe.open(asio::ip::udp::v6(), ec);
    if (!ec) probe.bind({asio::ip::make_address("::1"), 0}, ec);
    if (ec) GTEST_SKIP() << "no IPv6 loopback here";
    probe.close();

    FakeServer server(
        io, asio::ip::make_address("::1"),
        [](const wire::Message& query) {
            auto m = answer_to(query, 0);
            m.header.tc = true;
            return Replies{m.to_wire()};
        },
        answer);
    EXPECT_FALSE(server.address().address.is_v4());
    const auto reply = run(query_for(server.address()), {&server});
    EXPECT_EQ(reply.status, UpstreamStatus::kOk);
    EXPECT_TRUE(reply.via_tcp);
    EXPECT_EQ(server.udp_queries.size(), 1u);
    EXPECT_EQ(server.tcp_queries.size(), 1u);
}

}  // namespace
}  // namespace cairn::net
