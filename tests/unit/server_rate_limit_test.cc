// Response rate limiting: the limiter's budgets on a given clock, and the
// pipeline applying them over UDP (not TCP) to answers given on the spot,
// from the packet cache and from the resolver.
#include <gtest/gtest.h>

#include <thread>

#include "net/client_prefix.h"
#include "server/rate_limiter.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using net::ClientPrefix;
using net::ClientPrefixLengths;
using wire::Rcode;

ClientPrefix client(std::string_view address, ClientPrefixLengths lengths = {}) {
    return ClientPrefix::of(*wire::IpAddress::parse(address), lengths);
}

TEST(ClientPrefix, ClearsTheHostBits) {
    EXPECT_EQ(client("192.0.2.1"), client("192.0.2.254"));
    EXPECT_NE(client("192.0.2.1"), client("192.0.3.1"));
    EXPECT_NE(client("192.0.2.1", {32, 56}), client("192.0.2.2", {32, 56}));
    EXPECT_EQ(client("2001:db8:0:1ff::1"), client("2001:db8:0:1ab:9::9"));
    EXPECT_NE(client("2001:db8:0:ff::1"), client("2001:db8:0:100::1"));
    EXPECT_NE(client("2001:db8::1", {24, 128}), client("2001:db8::2", {24, 128}));
    EXPECT_EQ(client("2001:db8::1", {24, 64}), client("2001:db8::ffff:1", {24, 64}));
    // 0.0.0.0/24 and ::/56 are different clients.
    EXPECT_NE(client("0.0.0.1"), client("::1"));
}

RateLimits limits(uint32_t answers, uint32_t nxdomains, uint32_t errors, uint32_t slip) {
    RateLimits l;
    l.answers = answers;
    l.nxdomains = nxdomains;
    l.errors = errors;
    l.slip = slip;
    l.table_entries = 64;
    return l;
}

// Verdicts for `n` responses of `kind` to `who` at second `now`.
std::vector<RateVerdict> take(ResponseRateLimiter& limiter, std::string_view who,
                              ResponseClass kind, int64_t now, int n) {
    std::vector<RateVerdict> out;
    for (int i = 0; i < n; ++i)
        out.push_back(limiter.take(client(who), kind, now));
    return out;
}

int count(const std::vector<RateVerdict>& verdicts, RateVerdict which) {
    return static_cast<int>(std::count(verdicts.begin(), verdicts.end(), which));
}

TEST(ResponseRateLimiter, ABudgetPerSecondPerPrefix) {
    ResponseRateLimiter limiter(limits(5, 0, 0, 0), 1);
    auto first = take(limiter, "192.0.2.1", ResponseClass::kAnswer, 100, 8);
    EXPECT_EQ(count(first, RateVerdict::kSend), 5);
    EXPECT_EQ(count(first, RateVerdict::kDrop), 3);
    // The same /24, another address: the same budget, spent.
    EXPECT_EQ(limiter.take(client("192.0.2.77"), ResponseClass::kAnswer, 100), RateVerdict::kDrop);
    // Another /24 has its own.
    EXPECT_EQ(limiter.take(client("192.0.3.1"), ResponseClass::kAnswer, 100), RateVerdict::kSend);
    // The next second refills it, up to one second's worth even after long.
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kAnswer, 101, 6), RateVerdict::kSend),
              5);
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kAnswer, 500, 9), RateVerdict::kSend),
              5);
}

TEST(ResponseRateLimiter, ClassesHaveTheirOwnBudgets) {
    ResponseRateLimiter limiter(limits(2, 3, 4, 0), 1);
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kAnswer, 7, 10), RateVerdict::kSend),
              2);
    EXPECT_EQ(
        count(take(limiter, "192.0.2.1", ResponseClass::kNxdomain, 7, 10), RateVerdict::kSend), 3);
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kError, 7, 10), RateVerdict::kSend),
              4);
}

TEST(ResponseRateLimiter, ZeroIsNoLimitAndNoTable) {
    ResponseRateLimiter off(limits(0, 0, 0, 2), 1);
    EXPECT_FALSE(off.limits(ResponseClass::kAnswer));
    EXPECT_FALSE(off.limits(ResponseClass::kError));
    EXPECT_EQ(off.table_entries(), 0u);
    EXPECT_EQ(count(take(off, "192.0.2.1", ResponseClass::kAnswer, 1, 1000), RateVerdict::kSend),
              1000);

    ResponseRateLimiter errors_only(limits(0, 0, 3, 2), 1);
    EXPECT_FALSE(errors_only.limits(ResponseClass::kAnswer));
    EXPECT_TRUE(errors_only.limits(ResponseClass::kError));
    EXPECT_EQ(
        count(take(errors_only, "192.0.2.1", ResponseClass::kAnswer, 1, 100), RateVerdict::kSend),
        100);
}

TEST(ResponseRateLimiter, EverySlipthLimitedAnswerSlips) {
    ResponseRateLimiter limiter(limits(1, 1, 1, 3), 1);
    const auto answers = take(limiter, "192.0.2.1", ResponseClass::kAnswer, 1, 10);
    const std::vector<RateVerdict> expected = {
        RateVerdict::kSend, RateVerdict::kDrop, RateVerdict::kDrop, RateVerdict::kSlip,
        RateVerdict::kDrop, RateVerdict::kDrop, RateVerdict::kSlip, RateVerdict::kDrop,
        RateVerdict::kDrop, RateVerdict::kSlip};
    EXPECT_EQ(answers, expected);
    EXPECT_EQ(
        count(take(limiter, "192.0.2.1", ResponseClass::kNxdomain, 1, 10), RateVerdict::kSlip), 3);
    // Errors are never slipped: an error is as small as a slip.
    const auto errors = take(limiter, "192.0.2.1", ResponseClass::kError, 1, 10);
    EXPECT_EQ(count(errors, RateVerdict::kSlip), 0);
    EXPECT_EQ(count(errors, RateVerdict::kDrop), 9);
}

TEST(ResponseRateLimiter, SlipOfOneTruncatesEveryLimitedAnswer) {
    ResponseRateLimiter limiter(limits(1, 0, 0, 1), 1);
    const auto verdicts = take(limiter, "192.0.2.1", ResponseClass::kAnswer, 1, 5);
    EXPECT_EQ(count(verdicts, RateVerdict::kSlip), 4);
}

TEST(ResponseRateLimiter, TheTableStaysItsSizeAndForgetsTheLeastRecent) {
    ResponseRateLimiter limiter(limits(1, 0, 0, 0), 7);
    ASSERT_EQ(limiter.table_entries(), 64u);
    EXPECT_EQ(limiter.take(client("198.51.100.1"), ResponseClass::kAnswer, 1), RateVerdict::kSend);
    EXPECT_EQ(limiter.take(client("198.51.100.1"), ResponseClass::kAnswer, 1), RateVerdict::kDrop);
    // Thousands of other prefixes, seen later: the table does not grow, and
    // the first prefix is forgotten (so starts with a full budget again).
    for (int i = 0; i < 5000; ++i) {
        const std::string other =
            "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
        limiter.take(client(other), ResponseClass::kAnswer, 2);
    }
    EXPECT_EQ(limiter.table_entries(), 64u);
    EXPECT_EQ(limiter.take(client("198.51.100.1"), ResponseClass::kAnswer, 1), RateVerdict::kSend);
}

TEST(ResponseRateLimiter, AClockGoingBackDoesNotRefill) {
    ResponseRateLimiter limiter(limits(2, 0, 0, 0), 1);
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kAnswer, 50, 3), RateVerdict::kSend),
              2);
    EXPECT_EQ(count(take(limiter, "192.0.2.1", ResponseClass::kAnswer, 40, 3), RateVerdict::kSend),
              0);
}

TEST(ResponseRateLimiter, ClassOfAnRcode) {
    EXPECT_EQ(response_class(0), ResponseClass::kAnswer);
    EXPECT_EQ(response_class(3), ResponseClass::kNxdomain);
    for (unsigned rcode : {1u, 2u, 4u, 5u, 16u})
        EXPECT_EQ(response_class(rcode), ResponseClass::kError) << rcode;
}

// Sends `queries` from one UDP socket, waits until the server has handled
// them all, and returns the answers that came back.
std::vector<wire::Message> burst(TestServer& server,
                                 const std::vector<std::vector<uint8_t>>& queries) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = loopback(server.address.port);
    const uint64_t before = server.stat("server.queries_udp");
    for (const auto& q : queries)
        ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    while (server.stat("server.queries_udp") < before + queries.size() ||
           server.stat("server.inflight") > 0)
        std::this_thread::sleep_for(2ms);
    std::vector<wire::Message> answers;
    std::vector<uint8_t> buffer(65535);
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 300) == 1) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) break;
        answers.push_back(parse({buffer.begin(), buffer.begin() + n}));
    }
    ::close(fd);
    return answers;
}

std::vector<std::vector<uint8_t>> copies(const QuerySpec& spec, int n) {
    return std::vector<std::vector<uint8_t>>(static_cast<size_t>(n), query_bytes(spec));
}

TEST(ServerRateLimit, ErrorsAreLimitedByDefault) {
    TestServer server;
    QuerySpec refused;
    refused.qtype = wire::RRType::AXFR;
    const auto answers = burst(server, copies(refused, 1000));
    // One second's budget (the test's clock stands still), no slips.
    EXPECT_EQ(answers.size(), 50u);
    for (const auto& m : answers)
        EXPECT_EQ(m.rcode(), Rcode::REFUSED);
    EXPECT_EQ(server.stat("server.rate_limited_errors"), 950u);
    EXPECT_EQ(server.stat("server.rate_limit_slips"), 0u);
    EXPECT_EQ(server.stat("server.rcode_refused"), 50u);
    // A second later there is a new budget.
    server.clock.advance(1);
    EXPECT_EQ(burst(server, copies(refused, 80)).size(), 50u);
}

TEST(ServerRateLimit, ErrorsOverTcpAreNotLimited) {
    TestServer server;
    QuerySpec refused;
    refused.qtype = wire::RRType::AXFR;
    TcpClient tcp(server.address.port);
    for (int i = 0; i < 120; ++i) {
        ASSERT_TRUE(tcp.send_message(query_bytes(refused)));
        const auto answer = tcp.receive();
        ASSERT_TRUE(answer) << i;
        EXPECT_EQ(parse(*answer).rcode(), Rcode::REFUSED);
    }
    EXPECT_EQ(server.stat("server.rate_limited_errors"), 0u);
}

TEST(ServerRateLimit, AnswersAreNotLimitedByDefault) {
    TestServer server;
    EXPECT_EQ(burst(server, copies(QuerySpec{}, 100)).size(), 100u);
    EXPECT_EQ(server.stat("server.rate_limited_answers"), 0u);
}

void expect_slip(const wire::Message& m, const QuerySpec& spec) {
    EXPECT_TRUE(m.header.tc);
    EXPECT_EQ(m.header.id, spec.id);
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_TRUE(m.answers.empty());
    EXPECT_TRUE(m.authorities.empty());
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_EQ(m.questions[0].name, name(spec.qname));
}

TEST(ServerRateLimit, CacheHitsAreLimitedAndSlipped) {
    TestServer server([](ServerOptions& o) {
        o.rate_limits.answers = 4;
        o.rate_limits.slip = 2;
    });
    QuerySpec spec;
    EXPECT_EQ(udp_ask(server, spec).answers.size(), 1u);  // now in the packet cache
    const auto answers = burst(server, copies(spec, 21));
    // 3 tokens were left; of the 18 limited, every second slips.
    size_t full = 0, slipped = 0;
    for (const auto& m : answers) {
        if (m.header.tc) {
            expect_slip(m, spec);
            ++slipped;
        } else {
            EXPECT_EQ(m.answers.size(), 1u);
            ++full;
        }
    }
    EXPECT_EQ(full, 3u);
    EXPECT_EQ(slipped, 9u);
    EXPECT_EQ(server.stat("server.rate_limited_answers"), 18u);
    EXPECT_EQ(server.stat("server.rate_limit_slips"), 9u);
    EXPECT_EQ(server.script->call_count(), 1u);
}

TEST(ServerRateLimit, ResolvedAnswersAreLimitedToo) {
    TestServer server(
        [](ServerOptions& o) {
            o.rate_limits.nxdomains = 3;
            o.rate_limits.slip = 0;
        },
        PacketCacheKind::kNone);
    server.script->answer = [](const resolve::ClientQuery&) {
        resolve::Answer a;
        a.rcode = Rcode::NXDOMAIN;
        a.cache_ttl = 300;
        return a;
    };
    const auto answers = burst(server, copies(QuerySpec{}, 12));
    EXPECT_EQ(answers.size(), 3u);
    for (const auto& m : answers)
        EXPECT_EQ(m.rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(server.stat("server.rate_limited_nxdomains"), 9u);
    EXPECT_EQ(server.stat("server.rcode_nxdomain"), 3u);
}

TEST(ServerRateLimit, OffMeansEveryErrorIsAnswered) {
    TestServer server([](ServerOptions& o) { o.rate_limits.errors = 0; });
    QuerySpec refused;
    refused.qtype = wire::RRType::AXFR;
    EXPECT_EQ(burst(server, copies(refused, 100)).size(), 100u);
}

}  // namespace
}  // namespace cairn::server::testing
