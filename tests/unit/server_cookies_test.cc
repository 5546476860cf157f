// DNS cookies on the server side: SipHash-2-4 against the reference
// vectors, RFC 9018 server cookies against its Appendix A, adding the COOKIE
// option to a finished answer, and the pipeline giving, checking and
// honouring cookies (exemption from rate limits, BADCOOKIE as the slip).
#include <gtest/gtest.h>

#include <thread>

#include "server/opt_option_append.h"
#include "server/server_cookies.h"
#include "server_test_support.h"

namespace cairn::server::testing {
namespace {

using wire::Rcode;

std::vector<uint8_t> hex(std::string_view text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(
            static_cast<uint8_t>(std::stoul(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

template <size_t N>
std::array<uint8_t, N> hex_array(std::string_view text) {
    const auto bytes = hex(text);
    std::array<uint8_t, N> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
}

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

const auto kSecretA = hex_array<16>("e5e973e5a6b2a43f48e7dc849e37bfcf");

ServerCookies cookies_with(const CookieSecret& current,
                           std::optional<CookieSecret> previous = std::nullopt) {
    return ServerCookies(CookieSecrets{current, previous});
}

TEST(ServerCookies, Rfc9018A1LearningANewServerCookie) {
    const auto cookies = cookies_with(kSecretA);
    const auto client = hex_array<8>("2464c4abcf10c957");
    const auto expected = hex_array<16>("010000005cf79f111f8130c3eee29480");
    EXPECT_EQ(cookies.make(client, ip("198.51.100.100"), 1559731985), expected);
    const auto checked = cookies.check(client, {}, ip("198.51.100.100"), 1559731985);
    EXPECT_FALSE(checked.valid);
    EXPECT_EQ(checked.reply, expected);
}

TEST(ServerCookies, Rfc9018A2ACookieOlderThanHalfAnHourIsRenewed) {
    const auto cookies = cookies_with(kSecretA);
    const auto checked =
        cookies.check(hex_array<8>("2464c4abcf10c957"), hex("010000005cf79f111f8130c3eee29480"),
                      ip("198.51.100.100"), 1559734385);
    EXPECT_TRUE(checked.valid);
    EXPECT_EQ(checked.reply, hex_array<16>("010000005cf7a871d4a564a1442aca77"));
}

TEST(ServerCookies, Rfc9018A3ReservedOctetsAreHashedAsReceived) {
    const auto cookies = cookies_with(kSecretA);
    const auto client = hex_array<8>("fc93fc62807ddb86");
    const auto presented = hex("01abcdef5cf78f71a314227b6679ebf5");
    // Made at 1559727985 with the reserved octets set: ours, while fresh.
    EXPECT_TRUE(cookies.check(client, presented, ip("203.0.113.203"), 1559727985 + 600).valid);
    // The appendix's reply, made with the reserved octets zero. (The
    // appendix calls the presented cookie valid, but at that time it is
    // 1 h 52 min old, past the hour of RFC 9018 §4.3; the reply is the
    // same either way.)
    const auto checked = cookies.check(client, presented, ip("203.0.113.203"), 1559734700);
    EXPECT_EQ(checked.reply, hex_array<16>("010000005cf7a9acf73a7810aca2381e"));
}

TEST(ServerCookies, Rfc9018A4IPv6WithARolledOverSecret) {
    const auto old_secret = hex_array<16>("dd3bdf9344b678b185a6f5cb60fca715");
    const auto new_secret = hex_array<16>("445536bcd2513298075a5d379663c962");
    const auto client = hex_array<8>("22681ab97d52c298");
    const auto presented = hex("010000005cf7c57926556bd0934c72f8");
    const auto address = ip("2001:db8:220:1:59de:d0f4:8769:82b8");
    const auto rolled =
        cookies_with(new_secret, old_secret).check(client, presented, address, 1559741961);
    EXPECT_TRUE(rolled.valid);
    EXPECT_EQ(rolled.reply, hex_array<16>("010000005cf7c609a6bb79d16625507a"));
    // Without the previous secret the cookie is not recognised.
    EXPECT_FALSE(cookies_with(new_secret).check(client, presented, address, 1559741961).valid);
    // The old secret alone still knows it.
    EXPECT_TRUE(cookies_with(old_secret).check(client, presented, address, 1559741961).valid);
}

TEST(ServerCookies, AYoungCookieIsReturnedAsItIs) {
    const auto cookies = cookies_with(kSecretA);
    const auto client = hex_array<8>("2464c4abcf10c957");
    const auto made = cookies.make(client, ip("198.51.100.100"), 1000);
    const auto checked = cookies.check(client, made, ip("198.51.100.100"), 1000 + 1799);
    EXPECT_TRUE(checked.valid);
    EXPECT_EQ(checked.reply, made);
}

TEST(ServerCookies, WhatIsNotValid) {
    const auto cookies = cookies_with(kSecretA);
    const auto client = hex_array<8>("2464c4abcf10c957");
    const auto address = ip("198.51.100.100");
    const auto made = cookies.make(client, address, 10'000);
    EXPECT_TRUE(cookies.check(client, made, address, 10'000 + 3600).valid);
    EXPECT_FALSE(cookies.check(client, made, address, 10'000 + 3601).valid) << "over an hour old";
    EXPECT_TRUE(cookies.check(client, made, address, 10'000 - 300).valid);
    EXPECT_FALSE(cookies.check(client, made, address, 10'000 - 301).valid) << "from the future";
    EXPECT_FALSE(cookies.check(client, made, ip("198.51.100.101"), 10'000).valid);
    EXPECT_FALSE(cookies.check(hex_array<8>("2464c4abcf10c958"), made, address, 10'000).valid);
    auto other_version = made;
    other_version[0] = 2;
    EXPECT_FALSE(cookies.check(client, other_version, address, 10'000).valid);
    EXPECT_FALSE(
        cookies.check(client, std::span<const uint8_t>(made).first(8), address, 10'000).valid);
    EXPECT_FALSE(cookies_with(hex_array<16>("00000000000000000000000000000001"))
                     .check(client, made, address, 10'000)
                     .valid);
}

TEST(ServerCookies, TheProcessSecretIsMadeOnce) {
    EXPECT_EQ(&process_cookie_secret(), &process_cookie_secret());
    EXPECT_NE(process_cookie_secret(), CookieSecret{});
}

std::vector<uint8_t> answer_with_opt(bool with_opt) {
    wire::Message m;
    m.header.qr = true;
    m.questions.push_back({name("www.example."), wire::RRType::A, wire::RRClass::IN});
    m.answers.push_back(record("www.example. 300 IN A 192.0.2.1"));
    if (with_opt) {
        m.edns = wire::Edns{};
        m.edns->options.emplace_back(
            wire::ExtendedErrorOption{wire::ExtendedErrorCode::kStaleAnswer, {}});
    }
    return m.to_wire();
}

TEST(OptOptionAppend, AddsTheOptionToTheOptRecord) {
    auto bytes = answer_with_opt(true);
    const size_t length = bytes.size();
    bytes.resize(length + 100);
    const auto data = hex("00112233445566778899aabbccddeeff0011223344556677");
    const size_t n = append_opt_option(bytes, length, 10, data);
    ASSERT_EQ(n, length + 4 + data.size());
    const auto m = parse({bytes.begin(), bytes.begin() + n});
    ASSERT_TRUE(m.edns);
    EXPECT_TRUE(m.edns->find<wire::ExtendedErrorOption>());
    const auto* cookie = m.edns->find<wire::CookieOption>();
    ASSERT_NE(cookie, nullptr);
    EXPECT_EQ(std::vector<uint8_t>(cookie->client.begin(), cookie->client.end()),
              std::vector<uint8_t>(data.begin(), data.begin() + 8));
    EXPECT_EQ(cookie->server, std::vector<uint8_t>(data.begin() + 8, data.end()));
    EXPECT_EQ(m.answers.size(), 1u);
}

TEST(OptOptionAppend, RefusesWithoutOptOrRoom) {
    const auto data = hex("0011223344556677");
    auto plain = answer_with_opt(false);
    const size_t plain_length = plain.size();
    plain.resize(plain_length + 100);
    EXPECT_EQ(append_opt_option(plain, plain_length, 10, data), 0u);
    auto full = answer_with_opt(true);
    EXPECT_EQ(append_opt_option(full, full.size(), 10, data), 0u);
    std::vector<uint8_t> garbage(40, 0xff);
    EXPECT_EQ(append_opt_option(garbage, 20, 10, data), 0u);
}

// A query for www.example. with a COOKIE option of `client` and `server`.
std::vector<uint8_t> cookie_query(const std::array<uint8_t, 8>& client,
                                  std::vector<uint8_t> server = {},
                                  wire::RRType type = wire::RRType::A, uint16_t id = 7) {
    wire::Message m;
    m.header.id = id;
    m.header.rd = true;
    m.questions.push_back({name("www.example."), type, wire::RRClass::IN});
    m.edns = wire::Edns{};
    m.edns->options.emplace_back(wire::CookieOption{client, std::move(server)});
    return m.to_wire();
}

const std::array<uint8_t, 8> kClient = {1, 2, 3, 4, 5, 6, 7, 8};

const wire::CookieOption& cookie_of(const wire::Message& m) {
    static const wire::CookieOption none;
    const auto* cookie = m.edns ? m.edns->find<wire::CookieOption>() : nullptr;
    EXPECT_NE(cookie, nullptr) << "no cookie in the answer";
    return cookie ? *cookie : none;
}

wire::Message ask(const TestServer& server, const std::vector<uint8_t>& query) {
    const auto answer = udp_exchange(server.address, query);
    if (!answer) throw std::runtime_error("no answer");
    return parse(*answer);
}

TEST(ServerCookiesPipeline, AClientCookieGetsAServerCookieThatIsThenValid) {
    TestServer server;
    const auto first = ask(server, cookie_query(kClient));
    EXPECT_EQ(first.rcode(), Rcode::NOERROR);
    EXPECT_EQ(first.answers.size(), 1u);
    const auto cookie = cookie_of(first);
    EXPECT_EQ(cookie.client, kClient);
    ASSERT_EQ(cookie.server.size(), 16u);
    EXPECT_EQ(cookie.server[0], 1) << "RFC 9018 version";
    EXPECT_EQ(server.stat("server.cookies_new"), 1u);

    // Sent back, it is valid, and (young) returned as it is; a packet-cache
    // hit carries it too.
    const auto second = ask(server, cookie_query(kClient, cookie.server));
    EXPECT_EQ(second.answers.size(), 1u);
    EXPECT_EQ(cookie_of(second).server, cookie.server);
    EXPECT_EQ(server.stat("server.cookies_valid"), 1u);
    EXPECT_EQ(server.stat("server.packet_cache_hits"), 1u);
}

TEST(ServerCookiesPipeline, ABadServerCookieIsAnsweredNormallyWithANewOne) {
    TestServer server;
    const auto bogus = hex("0100000065000000aaaaaaaaaaaaaaaa");
    const auto m = ask(server, cookie_query(kClient, bogus));
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_EQ(m.answers.size(), 1u);
    EXPECT_NE(cookie_of(m).server, bogus);
    EXPECT_EQ(cookie_of(m).server.size(), 16u);
    EXPECT_EQ(server.stat("server.cookies_invalid"), 1u);
}

TEST(ServerCookiesPipeline, ErrorsAndTcpAnswersCarryTheCookie) {
    TestServer server;
    const auto refused = ask(server, cookie_query(kClient, {}, wire::RRType::AXFR));
    EXPECT_EQ(refused.rcode(), Rcode::REFUSED);
    EXPECT_EQ(cookie_of(refused).client, kClient);
    TcpClient tcp(server.address.port);
    ASSERT_TRUE(tcp.send_message(cookie_query(kClient)));
    const auto answer = tcp.receive();
    ASSERT_TRUE(answer);
    EXPECT_EQ(cookie_of(parse(*answer)).server.size(), 16u);
}

// Sends `queries` from one socket; the answers that came back.
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

TEST(ServerCookiesPipeline, AValidServerCookieIsExemptFromRateLimits) {
    TestServer server;
    const auto cookie = cookie_of(ask(server, cookie_query(kClient)));
    const std::vector<std::vector<uint8_t>> queries(
        200, cookie_query(kClient, cookie.server, wire::RRType::AXFR));
    const auto answers = burst(server, queries);
    EXPECT_EQ(answers.size(), 200u);
    EXPECT_EQ(server.stat("server.rate_limited_errors"), 0u);
    // Without the server cookie the default error limit applies.
    const std::vector<std::vector<uint8_t>> plain(200,
                                                  cookie_query(kClient, {}, wire::RRType::AXFR));
    EXPECT_EQ(burst(server, plain).size(), 50u);
}

TEST(ServerCookiesPipeline, ARateLimitedClientWithACookieGetsBadcookie) {
    TestServer server([](ServerOptions& o) {
        o.rate_limits.answers = 2;
        o.rate_limits.slip = 2;
    });
    const std::vector<std::vector<uint8_t>> queries(10, cookie_query(kClient));
    const auto answers = burst(server, queries);
    size_t full = 0, badcookie = 0;
    std::vector<uint8_t> fresh;
    for (const auto& m : answers) {
        EXPECT_FALSE(m.header.tc);
        if (m.rcode() == Rcode::BADCOOKIE) {
            ++badcookie;
            EXPECT_TRUE(m.answers.empty());
            fresh = cookie_of(m).server;
        } else {
            EXPECT_EQ(m.answers.size(), 1u);
            ++full;
        }
    }
    EXPECT_EQ(full, 2u);
    EXPECT_EQ(badcookie, 4u);
    EXPECT_EQ(server.stat("server.badcookie_sent"), 4u);
    EXPECT_EQ(server.stat("server.rate_limit_slips"), 0u);
    // With the cookie it was given, the client is answered in full.
    ASSERT_EQ(fresh.size(), 16u);
    const std::vector<std::vector<uint8_t>> again(10, cookie_query(kClient, fresh));
    const auto exempt = burst(server, again);
    ASSERT_EQ(exempt.size(), 10u);
    for (const auto& m : exempt)
        EXPECT_EQ(m.answers.size(), 1u);
}

TEST(ServerCookiesPipeline, InstancesSharingASecretAcceptEachOthersCookies) {
    const auto old_secret = hex_array<16>("dd3bdf9344b678b185a6f5cb60fca715");
    const auto new_secret = hex_array<16>("445536bcd2513298075a5d379663c962");
    TestServer a([&](ServerOptions& o) { o.cookie_secret = old_secret; });
    TestServer b([&](ServerOptions& o) { o.cookie_secret = old_secret; });
    TestServer rolled([&](ServerOptions& o) {
        o.cookie_secret = new_secret;
        o.cookie_secret_previous = old_secret;
    });
    TestServer other([&](ServerOptions& o) { o.cookie_secret = new_secret; });
    const auto from_a = cookie_of(ask(a, cookie_query(kClient))).server;
    ask(b, cookie_query(kClient, from_a));
    EXPECT_EQ(b.stat("server.cookies_valid"), 1u);
    const auto from_rolled = cookie_of(ask(rolled, cookie_query(kClient, from_a))).server;
    EXPECT_EQ(rolled.stat("server.cookies_valid"), 1u);
    ask(other, cookie_query(kClient, from_a));
    EXPECT_EQ(other.stat("server.cookies_invalid"), 1u);
    // The rolled-over server issues cookies with its new secret only.
    ask(other, cookie_query(kClient, from_rolled));
    EXPECT_EQ(other.stat("server.cookies_valid"), 1u);
}

TEST(ServerCookiesPipeline, AMalformedCookieIsFormerr) {
    TestServer server;
    auto bytes = cookie_query(kClient, hex("0102030405"));  // 13 octets in all
    const auto m = ask(server, bytes);
    EXPECT_EQ(m.rcode(), Rcode::FORMERR);
}

}  // namespace
}  // namespace cairn::server::testing
