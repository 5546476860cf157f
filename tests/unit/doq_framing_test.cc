#include "net/doq_framing.h"

#include <gtest/gtest.h>

#include <vector>

#include "wire/edns_edit.h"
#include "wire/message.h"

namespace cairn::net {
namespace {

std::vector<uint8_t> query_wire(uint16_t id, bool keepalive = false, bool padding = false) {
    wire::Message m;
    m.header.id = id;
    m.header.rd = true;
    m.questions.push_back(
        {*wire::Name::from_text("example.com."), wire::RRType::A, wire::RRClass::IN});
    m.edns = wire::Edns{};
    std::vector<uint8_t> out = m.to_wire();
    const size_t length = out.size();
    out.resize(length + 64);
    size_t grown = length;
    if (keepalive) grown = wire::add_edns_option(out, grown, out.size(), 11, {});
    if (padding) grown = wire::add_edns_option(out, grown, out.size(), 12, std::vector<uint8_t>(8));
    out.resize(grown);
    return out;
}

std::vector<uint8_t> framed(const std::vector<uint8_t>& message) {
    std::vector<uint8_t> out;
    frame_doq_message(message, out);
    return out;
}

// Feeds `stream` to a reader in pieces of `piece` octets, FIN with the last.
DoqQueryStatus feed(DoqQueryReader& reader, std::span<const uint8_t> stream, size_t piece) {
    if (stream.empty()) return reader.add({}, true);
    for (size_t at = 0; at < stream.size(); at += piece) {
        const auto chunk = stream.subspan(at, std::min(piece, stream.size() - at));
        const bool last = at + chunk.size() == stream.size();
        const auto status = reader.add(chunk, last);
        if (status != DoqQueryStatus::kIncomplete || last) return status;
    }
    return DoqQueryStatus::kIncomplete;
}

TEST(DoqFraming, AWholeQueryInAnyPiecesIsTaken) {
    const auto query = query_wire(0);
    const auto stream = framed(query);
    for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, stream.size()}) {
        DoqQueryReader reader;
        EXPECT_EQ(feed(reader, stream, piece), DoqQueryStatus::kQuery) << piece;
        EXPECT_EQ(std::vector<uint8_t>(reader.message().begin(), reader.message().end()), query);
        EXPECT_EQ(reader.size(), stream.size());
        reader.release();
        EXPECT_EQ(reader.size(), 0u);
    }
}

TEST(DoqFraming, DataBeforeTheFinIsIncomplete) {
    const auto stream = framed(query_wire(0));
    DoqQueryReader reader;
    // the whole message without FIN: the client has not said it is done
    EXPECT_EQ(reader.add(stream, false), DoqQueryStatus::kIncomplete);
    // a FIN alone (an empty STREAM frame) completes it
    EXPECT_EQ(reader.add({}, true), DoqQueryStatus::kQuery);
}

struct BadStream {
    const char* what;
    std::vector<uint8_t> stream;
    DoqQueryStatus status;
};

TEST(DoqFraming, StreamsBreakingTheRulesAreProtocolErrors) {
    const auto good = query_wire(0);
    std::vector<uint8_t> two = framed(good);
    two.insert(two.end(), two.begin(), two.end());
    std::vector<uint8_t> long_length = framed(good);
    long_length[1] += 1;  // announces one octet more than follows
    std::vector<uint8_t> short_length = framed(good);
    short_length[1] -= 1;  // one octet of the message is left over
    const std::vector<BadStream> cases = {
        {"empty stream", {}, DoqQueryStatus::kTruncated},
        {"half a length", {0}, DoqQueryStatus::kTruncated},
        {"length only", {0, 20}, DoqQueryStatus::kTruncated},
        {"FIN inside the message", long_length, DoqQueryStatus::kTruncated},
        {"one octet after the message", short_length, DoqQueryStatus::kTrailingData},
        {"two queries", two, DoqQueryStatus::kTrailingData},
        {"shorter than a header", framed({0, 0, 1, 0, 0, 1}), DoqQueryStatus::kTooShort},
        {"message ID 1", framed(query_wire(1)), DoqQueryStatus::kNonZeroId},
        {"message ID 0x100", framed(query_wire(0x100)), DoqQueryStatus::kNonZeroId},
        {"edns-tcp-keepalive", framed(query_wire(0, true)), DoqQueryStatus::kKeepalive},
    };
    for (const auto& c : cases) {
        for (size_t piece : {size_t{1}, size_t{5}, size_t{65536}}) {
            DoqQueryReader reader;
            EXPECT_EQ(feed(reader, c.stream, piece), c.status) << c.what << ", pieces of " << piece;
        }
        EXPECT_FALSE(to_string(c.status).empty());
    }
}

TEST(DoqFraming, TrailingDataIsSeenBeforeTheFin) {
    std::vector<uint8_t> two = framed(query_wire(0));
    two.push_back(0);
    DoqQueryReader reader;
    EXPECT_EQ(reader.add(two, false), DoqQueryStatus::kTrailingData);
}

TEST(DoqFraming, PaddingIsWelcomeAndTheLargestMessageFits) {
    DoqQueryReader padded;
    EXPECT_EQ(feed(padded, framed(query_wire(0, false, true)), 100), DoqQueryStatus::kQuery);

    std::vector<uint8_t> largest(kDoqMaxMessage, 0);
    largest[5] = 0;  // QDCOUNT 0: the framing does not judge the content
    DoqQueryReader reader;
    EXPECT_EQ(feed(reader, framed(largest), 4096), DoqQueryStatus::kQuery);
    EXPECT_EQ(reader.message().size(), kDoqMaxMessage);
    // one octet past the largest stream is refused without being kept
    std::vector<uint8_t> too_much(kDoqMaxStreamData + 1, 0xff);
    DoqQueryReader big;
    EXPECT_EQ(big.add(too_much, false), DoqQueryStatus::kTrailingData);
}

TEST(DoqFraming, AnswersAreFramedWithTheirLength) {
    const std::vector<uint8_t> message(300, 7);
    std::vector<uint8_t> out = {9, 9, 9};  // replaced, not appended to
    frame_doq_message(message, out);
    ASSERT_EQ(out.size(), 302u);
    EXPECT_EQ(out[0], 1);
    EXPECT_EQ(out[1], 44);
    EXPECT_EQ(out[2], 7);
}

}  // namespace
}  // namespace cairn::net
