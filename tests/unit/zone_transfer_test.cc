// The zone-transfer client: TransferReader and apply_diffs on their own,
// and transfer_zone()/query_soa() against a scripted TCP/UDP primary on
// loopback, run in the test's io_context.
#include "net/zone_transfer.h"

#include <gtest/gtest.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <functional>
#include <optional>

#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using wire::Record;
using wire::RRType;

constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

const wire::Name kZone = name("rpz.test.");

Record soa(uint32_t serial) {
    return *wire::parse_record(
        "@ 300 IN SOA ns.rpz.test. admin.rpz.test. " + std::to_string(serial) + " 60 10 600 30",
        kZone);
}

Record rr(std::string_view text) {
    return *wire::parse_record(text, kZone, 300);
}

wire::Message answer_message(const wire::Message& query, std::vector<Record> records,
                             bool with_question = true) {
    wire::Message m;
    m.header.id = query.header.id;
    m.header.qr = true;
    m.header.aa = true;
    if (with_question) m.questions = query.questions;
    m.answers = std::move(records);
    return m;
}

// What the primary sends for one query: messages, then it closes.
using Script = std::function<std::vector<wire::Message>(const wire::Message& query)>;

// A primary on 127.0.0.1: each TCP connection takes one query and gets the
// script's messages; UDP queries get the UDP script's (if any).
class ScriptedPrimary {
public:
    ScriptedPrimary(asio::io_context& io, Script tcp, Script udp = nullptr)
        : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}),
          udp_(io),
          tcp_script_(std::move(tcp)),
          udp_script_(std::move(udp)) {
        asio::co_spawn(io, serve_tcp(), asio::detached);
        if (udp_script_) {
            udp_.open(asio::ip::udp::v4());
            udp_.bind({asio::ip::make_address("127.0.0.1"), acceptor_.local_endpoint().port()});
            asio::co_spawn(io, serve_udp(), asio::detached);
        }
    }

    wire::SocketAddress address() const {
        return {*wire::IpAddress::parse("127.0.0.1"), acceptor_.local_endpoint().port()};
    }
    void stop() {
        std::error_code ec;
        acceptor_.close(ec);
        udp_.close(ec);
    }

    std::vector<wire::Message> queries;
    size_t udp_queries = 0;

private:
    asio::awaitable<void> serve_tcp() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
            if (ec) co_return;
            std::array<uint8_t, 2> prefix{};
            auto [len_ec, len_n] =
                co_await asio::async_read(socket, asio::buffer(prefix), kNoThrow);
            if (len_ec) continue;
            std::vector<uint8_t> body(wire::load_u16(prefix.data()));
            auto [body_ec, body_n] =
                co_await asio::async_read(socket, asio::buffer(body), kNoThrow);
            if (body_ec) continue;
            auto query = wire::Message::parse(body);
            if (!query) continue;
            queries.push_back(*query);
            for (const auto& message : tcp_script_(*query)) {
                const auto reply = message.to_wire();
                std::vector<uint8_t> framed;
                framed.reserve(2 + reply.size());
                framed.push_back(static_cast<uint8_t>(reply.size() >> 8));
                framed.push_back(static_cast<uint8_t>(reply.size()));
                framed.insert(framed.end(), reply.begin(), reply.end());
                auto [w_ec, w_n] =
                    co_await asio::async_write(socket, asio::buffer(framed), kNoThrow);
                if (w_ec) break;
            }
        }
    }

    asio::awaitable<void> serve_udp() {
        std::vector<uint8_t> buffer(65535);
        for (;;) {
            asio::ip::udp::endpoint sender;
            auto [ec, n] = co_await udp_.async_receive_from(asio::buffer(buffer), sender, kNoThrow);
            if (ec) co_return;
            auto query = wire::Message::parse(std::span<const uint8_t>(buffer).first(n));
            if (!query) continue;
            ++udp_queries;
            for (const auto& message : udp_script_(*query)) {
                const auto wire_reply = message.to_wire();
                auto [s_ec, s_n] =
                    co_await udp_.async_send_to(asio::buffer(wire_reply), sender, kNoThrow);
                if (s_ec) co_return;
            }
        }
    }

    asio::ip::tcp::acceptor acceptor_;
    asio::ip::udp::socket udp_;
    Script tcp_script_;
    Script udp_script_;
};

template <class T>
T run(asio::io_context& io, ScriptedPrimary& primary, asio::awaitable<T> work) {
    std::optional<T> out;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            out.emplace(co_await std::move(work));
            primary.stop();
        },
        asio::detached);
    io.run();
    return std::move(*out);
}

Result<ZoneTransfer, TextError> transfer(Script script, std::optional<Record> have = std::nullopt,
                                         TransferLimits limits = {},
                                         std::vector<wire::Message>* queries = nullptr) {
    asio::io_context io;
    ScriptedPrimary primary(io, std::move(script));
    TransferRequest request{kZone, primary.address(), std::nullopt, std::move(have), limits};
    auto result = run(io, primary, transfer_zone(request));
    if (queries) *queries = primary.queries;
    return result;
}

const std::vector<Record> kZoneRecords = {soa(5), rr("@ NS ns.rpz.test."),
                                          rr("bad.example CNAME ."), rr("*.bad.example CNAME ."),
                                          rr("32.1.2.0.192.rpz-ip CNAME rpz-drop.")};

TEST(ZoneTransfer, AxfrOverSeveralMessagesEndsAtTheSecondSoa) {
    auto result = transfer([](const wire::Message& q) {
        return std::vector<wire::Message>{
            answer_message(q, {kZoneRecords[0], kZoneRecords[1]}),
            answer_message(q, {kZoneRecords[2], kZoneRecords[3]}, false),
            answer_message(q, {kZoneRecords[4], soa(5)}, true)};
    });
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->kind, ZoneTransfer::Kind::kFull);
    EXPECT_EQ(result->records, kZoneRecords);
    EXPECT_EQ(result->soa, soa(5));
    EXPECT_EQ(result->messages, 3u);
    EXPECT_FALSE(result->fell_back_to_axfr);
}

TEST(ZoneTransfer, AskedWithAxfrForTheZone) {
    std::vector<wire::Message> queries;
    auto result = transfer(
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(1), soa(1)})};
        },
        std::nullopt, {}, &queries);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(queries.size(), 1u);
    EXPECT_EQ(queries[0].questions.at(0), (wire::Question{kZone, RRType::AXFR}));
    EXPECT_EQ(result->records, std::vector<Record>{soa(1)});
}

TEST(ZoneTransfer, AStreamThatStopsBeforeTheClosingSoaIsAnError) {
    auto result = transfer([](const wire::Message& q) {
        return std::vector<wire::Message>{answer_message(q, {kZoneRecords[0], kZoneRecords[1]})};
    });
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("closed the connection early"), std::string::npos)
        << result.error().message;
    EXPECT_NE(result.error().message.find("rpz.test."), std::string::npos);
}

TEST(ZoneTransfer, RefusedAxfrNamesTheRcode) {
    auto result = transfer([](const wire::Message& q) {
        auto m = answer_message(q, {});
        m.set_rcode(wire::Rcode::REFUSED);
        return std::vector<wire::Message>{m};
    });
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("REFUSED"), std::string::npos) << result.error().message;
}

TEST(ZoneTransfer, ARecordLimitEndsTheTransfer) {
    TransferLimits limits;
    limits.max_records = 3;
    auto result = transfer(
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, kZoneRecords)};
        },
        std::nullopt, limits);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("exceeds 3 records"), std::string::npos)
        << result.error().message;
}

TEST(ZoneTransfer, AByteLimitEndsTheTransfer) {
    TransferLimits limits;
    limits.max_bytes = 100;
    auto result = transfer(
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, kZoneRecords)};
        },
        std::nullopt, limits);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("more than 100 octets"), std::string::npos);
}

TEST(ZoneTransfer, APrimaryThatNeverFinishesTimesOut) {
    asio::io_context io;
    // Accepts, never answers.
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    TransferRequest request{
        kZone,
        {*wire::IpAddress::parse("127.0.0.1"), acceptor.local_endpoint().port()},
        std::nullopt,
        std::nullopt,
        {}};
    request.limits.timeout = 50ms;
    std::optional<Result<ZoneTransfer, TextError>> out;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { out.emplace(co_await transfer_zone(request)); },
        asio::detached);
    io.run();
    ASSERT_FALSE(*out);
    EXPECT_NE(out->error().message.find("timed out"), std::string::npos);
}

TEST(ZoneTransfer, NobodyListeningIsAConnectionError) {
    asio::io_context io;
    uint16_t port;
    {
        asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = closed.local_endpoint().port();
    }
    TransferRequest request{
        kZone, {*wire::IpAddress::parse("127.0.0.1"), port}, std::nullopt, std::nullopt, {}};
    std::optional<Result<ZoneTransfer, TextError>> out;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { out.emplace(co_await transfer_zone(request)); },
        asio::detached);
    io.run();
    ASSERT_FALSE(*out);
    EXPECT_NE(out->error().message.find("cannot connect"), std::string::npos);
}

TEST(ZoneTransfer, IxfrCarriesOurSoaAndReturnsTheDiffs) {
    std::vector<wire::Message> queries;
    auto result = transfer(
        [](const wire::Message& q) {
            return std::vector<wire::Message>{
                answer_message(q, {soa(7), soa(5), rr("bad.example CNAME ."), soa(6),
                                   rr("bad.example CNAME *.")}),
                answer_message(q, {soa(6), soa(7), rr("new.example CNAME ."), soa(7)}, false)};
        },
        soa(5), {}, &queries);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(queries.size(), 1u);
    EXPECT_EQ(queries[0].questions.at(0).type, RRType::IXFR);
    EXPECT_EQ(queries[0].authorities, std::vector<Record>{soa(5)});
    EXPECT_EQ(result->kind, ZoneTransfer::Kind::kIncremental);
    ASSERT_EQ(result->diffs.size(), 2u);
    EXPECT_EQ(result->diffs[0].from, soa(5));
    EXPECT_EQ(result->diffs[0].to, soa(6));
    EXPECT_EQ(result->diffs[0].removed, std::vector<Record>{rr("bad.example CNAME .")});
    EXPECT_EQ(result->diffs[0].added, std::vector<Record>{rr("bad.example CNAME *.")});
    EXPECT_TRUE(result->diffs[1].removed.empty());
    EXPECT_EQ(result->diffs[1].added, std::vector<Record>{rr("new.example CNAME .")});

    auto applied = apply_diffs(kZoneRecords, result->diffs);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(applied->front(), soa(7));
    auto has = [&](const Record& r) {
        return std::find(applied->begin(), applied->end(), r) != applied->end();
    };
    EXPECT_FALSE(has(rr("bad.example CNAME .")));
    EXPECT_TRUE(has(rr("bad.example CNAME *.")));
    EXPECT_TRUE(has(rr("new.example CNAME .")));
    EXPECT_TRUE(has(rr("*.bad.example CNAME .")));
    EXPECT_EQ(applied->size(), kZoneRecords.size() + 1);
}

TEST(ZoneTransfer, IxfrAnsweredWithOnlyTheSoaIsUpToDate) {
    auto result = transfer(
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(5)})};
        },
        soa(5));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->kind, ZoneTransfer::Kind::kUpToDate);
    EXPECT_EQ(result->soa, soa(5));
}

TEST(ZoneTransfer, IxfrAnsweredWithTheWholeZoneIsFull) {
    auto result = transfer(
        [](const wire::Message& q) {
            std::vector<Record> records = kZoneRecords;
            records.push_back(soa(5));
            return std::vector<wire::Message>{answer_message(q, records)};
        },
        soa(3));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->kind, ZoneTransfer::Kind::kFull);
    EXPECT_EQ(result->records, kZoneRecords);
    EXPECT_FALSE(result->fell_back_to_axfr);
}

TEST(ZoneTransfer, RefusedIxfrFallsBackToAxfr) {
    std::vector<wire::Message> queries;
    auto result = transfer(
        [](const wire::Message& q) {
            if (q.questions.at(0).type == RRType::IXFR) {
                auto m = answer_message(q, {});
                m.set_rcode(wire::Rcode::NOTIMP);
                return std::vector<wire::Message>{m};
            }
            std::vector<Record> records = kZoneRecords;
            records.push_back(soa(5));
            return std::vector<wire::Message>{answer_message(q, records)};
        },
        soa(3), {}, &queries);
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(queries.size(), 2u);
    EXPECT_EQ(queries[1].questions.at(0).type, RRType::AXFR);
    EXPECT_EQ(result->kind, ZoneTransfer::Kind::kFull);
    EXPECT_TRUE(result->fell_back_to_axfr);
}

TEST(ZoneTransfer, RepliesWithAnotherIdOrQuestionAreErrors) {
    auto wrong_id = transfer([](const wire::Message& q) {
        auto m = answer_message(q, {soa(1), soa(1)});
        m.header.id ^= 1;
        return std::vector<wire::Message>{m};
    });
    ASSERT_FALSE(wrong_id);
    EXPECT_NE(wrong_id.error().message.find("another ID"), std::string::npos);
    auto wrong_question = transfer([](const wire::Message& q) {
        auto m = answer_message(q, {soa(1), soa(1)});
        m.questions[0].name = name("other.test.");
        return std::vector<wire::Message>{m};
    });
    ASSERT_FALSE(wrong_question);
    EXPECT_NE(wrong_question.error().message.find("another question"), std::string::npos);
}

TEST(TransferReader, DropsRecordsOutsideTheZone) {
    TransferReader reader(kZone, std::nullopt, 100);
    wire::Message m;
    m.answers = {soa(2), rr("a CNAME ."),
                 *wire::parse_record("evil.example. 300 IN A 192.0.2.1", wire::Name::root()),
                 soa(2)};
    ASSERT_TRUE(reader.add_message(m));
    ASSERT_TRUE(reader.complete());
    auto result = reader.take();
    EXPECT_EQ(result.ignored, 1u);
    EXPECT_EQ(result.records, (std::vector<Record>{soa(2), rr("a CNAME .")}));
}

TEST(TransferReader, RejectsAStreamNotStartingWithTheSoaOrChangingSerial) {
    TransferReader no_soa(kZone, std::nullopt, 100);
    wire::Message m;
    m.answers = {rr("a CNAME .")};
    EXPECT_FALSE(no_soa.add_message(m));

    TransferReader changed(kZone, std::nullopt, 100);
    m.answers = {soa(2), rr("a CNAME ."), soa(3)};
    EXPECT_FALSE(changed.add_message(m));

    TransferReader trailing(kZone, std::nullopt, 100);
    m.answers = {soa(2), soa(2), rr("a CNAME .")};
    EXPECT_FALSE(trailing.add_message(m));
}

TEST(TransferReader, RejectsDiffsThatDoNotChain) {
    TransferReader reader(kZone, 5, 100);
    wire::Message m;
    m.answers = {soa(8), soa(5), soa(6), soa(7), soa(8), soa(8)};
    auto status = reader.add_message(m);
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("starts at serial 7"), std::string::npos);
}

TEST(ApplyDiffs, RefusesDiffsForAnotherSerialOrMissingRecords) {
    ZoneDiff diff{soa(4), soa(6), {}, {}};
    EXPECT_FALSE(apply_diffs(kZoneRecords, std::span(&diff, 1)));
    ZoneDiff missing{soa(5), soa(6), {rr("absent CNAME .")}, {}};
    auto result = apply_diffs(kZoneRecords, std::span(&missing, 1));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("absent.rpz.test."), std::string::npos);
}

TEST(SerialArithmetic, WrapsAroundAsRfc1982Says) {
    EXPECT_TRUE(serial_newer(2, 1));
    EXPECT_FALSE(serial_newer(1, 2));
    EXPECT_FALSE(serial_newer(7, 7));
    EXPECT_TRUE(serial_newer(1, 0xffffffffu));
    EXPECT_FALSE(serial_newer(0xffffffffu, 1));
}

TEST(QuerySoa, ReadsTheSerialOverUdp) {
    asio::io_context io;
    ScriptedPrimary primary(
        io, [](const wire::Message&) { return std::vector<wire::Message>{}; },
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(9)})};
        });
    auto result = run(io, primary, query_soa(kZone, primary.address()));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(soa_serial(*result), 9u);
    EXPECT_EQ(primary.udp_queries, 1u);
    EXPECT_TRUE(primary.queries.empty());
}

TEST(QuerySoa, TruncatedGoesToTcp) {
    asio::io_context io;
    ScriptedPrimary primary(
        io,
        [](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(9)})};
        },
        [](const wire::Message& q) {
            auto m = answer_message(q, {});
            m.header.tc = true;
            return std::vector<wire::Message>{m};
        });
    auto result = run(io, primary, query_soa(kZone, primary.address()));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(soa_serial(*result), 9u);
    EXPECT_EQ(primary.queries.size(), 1u);
}

TEST(QuerySoa, ANonAuthoritativeAnswerIsAnError) {
    asio::io_context io;
    ScriptedPrimary primary(
        io, [](const wire::Message&) { return std::vector<wire::Message>{}; },
        [](const wire::Message& q) {
            auto m = answer_message(q, {soa(9)});
            m.header.aa = false;
            return std::vector<wire::Message>{m};
        });
    auto result = run(io, primary, query_soa(kZone, primary.address()));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("without AA"), std::string::npos);
}

TEST(QuerySoa, SilenceTimesOut) {
    asio::io_context io;
    ScriptedPrimary primary(
        io, [](const wire::Message&) { return std::vector<wire::Message>{}; },
        [](const wire::Message&) { return std::vector<wire::Message>{}; });
    auto result = run(io, primary, query_soa(kZone, primary.address(), std::nullopt, 50ms));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("no answer"), std::string::npos);
}

}  // namespace
}  // namespace cairn::net
