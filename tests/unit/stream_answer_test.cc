// The wire edits of the encrypted transports: EDNS options seen in queries,
// keepalive and padding added to answers (RFC 7828, 7830, 8467), and the
// smallest TTL that DoH's Cache-Control takes (RFC 8484 §5.1).
#include <gtest/gtest.h>

#include <array>

#include "net/stream_answer.h"
#include "wire/edns_edit.h"
#include "wire/message.h"

namespace cairn {
namespace {

using namespace wire;

Name N(std::string_view text) {
    return *Name::from_text(text);
}

Record a_record(std::string_view owner, uint32_t ttl) {
    const std::array<uint8_t, 4> address{192, 0, 2, 1};
    return Record{N(owner), RRType::A, RRClass::IN, ttl,
                  RData::from_trusted_bytes({address.begin(), address.end()})};
}

Message query(std::vector<EdnsOption> options, bool edns = true) {
    Message m;
    m.header.id = 7;
    m.questions.push_back({N("www.example."), RRType::A, RRClass::IN});
    if (edns) {
        m.edns = Edns{};
        m.edns->options = std::move(options);
    }
    return m;
}

Message answer(bool edns = true) {
    Message m = query({}, edns);
    m.header.qr = true;
    m.answers.push_back(a_record("www.example.", 300));
    m.answers.push_back(a_record("www.example.", 300));
    m.authorities.push_back(a_record("ns.example.", 60));
    return m;
}

TEST(StreamEdnsOptions, SeesPaddingAndKeepaliveInTheOptRecord) {
    EXPECT_FALSE(stream_edns_options(query({}).to_wire()).padding);
    const auto padded = stream_edns_options(query({PaddingOption{20}}).to_wire());
    EXPECT_TRUE(padded.padding);
    EXPECT_FALSE(padded.keepalive);
    const auto both =
        stream_edns_options(query({TcpKeepaliveOption{}, PaddingOption{0}}).to_wire());
    EXPECT_TRUE(both.padding && both.keepalive);
    EXPECT_FALSE(stream_edns_options(query({}, false).to_wire()).padding);
    // A message that does not walk: nothing seen.
    auto broken = query({PaddingOption{20}}).to_wire();
    broken.resize(broken.size() - 3);
    EXPECT_FALSE(stream_edns_options(broken).padding);
}

TEST(PadToBlock, PadsToAMultipleOfTheBlockWithZeros) {
    auto wire = answer().to_wire();
    const size_t before = wire.size();
    std::vector<uint8_t> buffer(1024);
    std::copy(wire.begin(), wire.end(), buffer.begin());
    std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(before), buffer.end(), 0xEE);
    const size_t after = pad_to_block(buffer, before, 65535, 468);
    EXPECT_EQ(after, 468u);
    auto parsed = Message::parse(std::span(buffer).first(after));
    ASSERT_TRUE(parsed.ok());
    const auto* padding = parsed->edns->find<PaddingOption>();
    ASSERT_NE(padding, nullptr);
    EXPECT_EQ(padding->length, 468 - before - 4);
    for (size_t i = before + 4; i < after; ++i)
        ASSERT_EQ(buffer[i], 0) << i;
    EXPECT_EQ(parsed->answers.size(), 2u);
}

TEST(PadToBlock, LeavesAloneWithoutOptOrRoom) {
    auto wire = answer(false).to_wire();
    std::vector<uint8_t> buffer(1024);
    std::copy(wire.begin(), wire.end(), buffer.begin());
    EXPECT_EQ(pad_to_block(buffer, wire.size(), 65535, 468), wire.size());
    wire = answer().to_wire();
    std::copy(wire.begin(), wire.end(), buffer.begin());
    EXPECT_EQ(pad_to_block(buffer, wire.size(), 400, 468), wire.size());  // max_size
    EXPECT_EQ(pad_to_block(std::span(buffer).first(300), wire.size(), 65535, 468), wire.size());
}

TEST(AddEdnsOption, MovesRecordsAfterTheOptRecord) {
    // An OPT record that is not last (a TSIG-like record after it).
    Message m = answer();
    m.additionals.push_back(a_record("after.example.", 5));
    auto wire = m.to_wire();
    std::vector<uint8_t> buffer(1024);
    std::copy(wire.begin(), wire.end(), buffer.begin());
    const std::array<uint8_t, 2> timeout{0, 100};
    const size_t n =
        add_edns_option(buffer, wire.size(), 65535, 11, std::span<const uint8_t>(timeout));
    EXPECT_EQ(n, wire.size() + 6);
    auto parsed = Message::parse(std::span(buffer).first(n));
    ASSERT_TRUE(parsed.ok());
    ASSERT_NE(parsed->edns->find<TcpKeepaliveOption>(), nullptr);
    EXPECT_EQ(parsed->edns->find<TcpKeepaliveOption>()->timeout, 100);
    EXPECT_EQ(parsed->additionals.size(), m.additionals.size());
}

TEST(SmallestTtl, TakesEveryRecordButOpt) {
    EXPECT_EQ(smallest_ttl(answer().to_wire()), 60u);
    Message empty = query({});
    empty.header.qr = true;
    EXPECT_EQ(smallest_ttl(empty.to_wire()), std::nullopt);
}

TEST(FinishAnswer, KeepaliveThenPaddingAsThePeerSays) {
    auto wire = answer().to_wire();
    std::vector<uint8_t> buffer(2048);
    std::copy(wire.begin(), wire.end(), buffer.begin());
    net::Peer peer;
    EXPECT_EQ(net::finish_answer(peer, buffer, wire.size(), 65535, std::chrono::seconds(10)),
              wire.size());
    const auto asked =
        net::peer_for_query(peer, query({TcpKeepaliveOption{}, PaddingOption{8}}).to_wire(), true);
    EXPECT_TRUE(asked.pad_answer && asked.keepalive_answer);
    EXPECT_FALSE(
        net::peer_for_query(peer, query({TcpKeepaliveOption{}}).to_wire(), false).keepalive_answer);
    const size_t n =
        net::finish_answer(asked, buffer, wire.size(), 65535, std::chrono::seconds(10));
    EXPECT_EQ(n % net::kAnswerPaddingBlock, 0u);
    auto parsed = Message::parse(std::span(buffer).first(n));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->edns->find<TcpKeepaliveOption>()->timeout, 100);
    EXPECT_NE(parsed->edns->find<PaddingOption>(), nullptr);
}

}  // namespace
}  // namespace cairn
