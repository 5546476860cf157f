// dnstap frames, decoded back with protobuf-c (the same code any reader of
// the schema generates), and what a worker's recorder records: the events
// selected, clients shown as the privacy setting says, drops counted.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "observe/dnstap.pb-c.h"
#include "observe/dnstap_recorder.h"

namespace cairn::observe {
namespace {

struct Unpacked {
    void operator()(Dnstap__Dnstap* d) const { dnstap__dnstap__free_unpacked(d, nullptr); }
};
using Frame = std::unique_ptr<Dnstap__Dnstap, Unpacked>;

Frame decode(const std::vector<uint8_t>& bytes) {
    return Frame(dnstap__dnstap__unpack(nullptr, bytes.size(), bytes.data()));
}

std::vector<uint8_t> bytes_of(const ProtobufCBinaryData& data) {
    return {data.data, data.data + data.len};
}

std::string text_of(const ProtobufCBinaryData& data) {
    return {reinterpret_cast<const char*>(data.data), data.len};
}

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

std::vector<uint8_t> octets(std::string_view text) {
    const auto address = ip(text);
    return {address.bytes().begin(), address.bytes().end()};
}

const std::vector<uint8_t> kQuery = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
const std::vector<uint8_t> kAnswer = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0,
                                      0,    0,    0,    0,    0, 1, 0, 1};

TEST(DnstapMessage, ResolverResponseCarriesEverythingItWasGiven) {
    DnstapEvent event;
    event.kind = DnstapKind::kResolverResponse;
    event.protocol = DnstapProtocol::kTcp;
    event.query_end = DnstapEnd{ip("2001:db8::53"), 41000};
    event.response_end = DnstapEnd{ip("2001:db8::1"), 53};
    event.query_time = DnstapTime{1'700'000'000, 123'456'789};
    event.response_time = DnstapTime{1'700'000'001, 5};
    event.query_message = kQuery;
    event.response_message = kAnswer;
    std::vector<uint8_t> out;
    encode_dnstap(event, {"resolver-7", "cairn 0.1.0"}, out);

    const auto frame = decode(out);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->type, DNSTAP__DNSTAP__TYPE__MESSAGE);
    ASSERT_TRUE(frame->has_identity && frame->has_version);
    EXPECT_EQ(text_of(frame->identity), "resolver-7");
    EXPECT_EQ(text_of(frame->version), "cairn 0.1.0");
    ASSERT_NE(frame->message, nullptr);
    const Dnstap__Message& m = *frame->message;
    EXPECT_EQ(m.type, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE);
    ASSERT_TRUE(m.has_socket_family && m.has_socket_protocol);
    EXPECT_EQ(m.socket_family, DNSTAP__SOCKET_FAMILY__INET6);
    EXPECT_EQ(m.socket_protocol, DNSTAP__SOCKET_PROTOCOL__TCP);
    ASSERT_TRUE(m.has_query_address && m.has_response_address);
    EXPECT_EQ(bytes_of(m.query_address), octets("2001:db8::53"));
    EXPECT_EQ(bytes_of(m.response_address), octets("2001:db8::1"));
    ASSERT_TRUE(m.has_query_port && m.has_response_port);
    EXPECT_EQ(m.query_port, 41000u);
    EXPECT_EQ(m.response_port, 53u);
    ASSERT_TRUE(m.has_query_time_sec && m.has_query_time_nsec);
    EXPECT_EQ(m.query_time_sec, 1'700'000'000u);
    EXPECT_EQ(m.query_time_nsec, 123'456'789u);
    ASSERT_TRUE(m.has_response_time_sec && m.has_response_time_nsec);
    EXPECT_EQ(m.response_time_sec, 1'700'000'001u);
    EXPECT_EQ(m.response_time_nsec, 5u);
    ASSERT_TRUE(m.has_query_message && m.has_response_message);
    EXPECT_EQ(bytes_of(m.query_message), kQuery);
    EXPECT_EQ(bytes_of(m.response_message), kAnswer);
}

TEST(DnstapMessage, WhatIsNotKnownIsLeftOut) {
    DnstapEvent event;
    event.kind = DnstapKind::kClientQuery;
    event.protocol = DnstapProtocol::kDoq;
    event.query_end = DnstapEnd{ip("192.0.2.0"), 0};
    event.query_time = DnstapTime{1'700'000'000, 0};
    event.query_message = kQuery;
    std::vector<uint8_t> out;
    encode_dnstap(event, {}, out);

    const auto frame = decode(out);
    ASSERT_TRUE(frame && frame->message);
    EXPECT_FALSE(frame->has_identity);
    EXPECT_FALSE(frame->has_version);
    const Dnstap__Message& m = *frame->message;
    EXPECT_EQ(m.type, DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    EXPECT_EQ(m.socket_family, DNSTAP__SOCKET_FAMILY__INET);
    EXPECT_EQ(m.socket_protocol, DNSTAP__SOCKET_PROTOCOL__DOQ);
    EXPECT_EQ(bytes_of(m.query_address), octets("192.0.2.0"));
    EXPECT_FALSE(m.has_query_port);
    EXPECT_FALSE(m.has_response_address);
    EXPECT_FALSE(m.has_response_port);
    EXPECT_FALSE(m.has_response_time_sec);
    EXPECT_FALSE(m.has_response_message);
    EXPECT_EQ(bytes_of(m.query_message), kQuery);
}

TEST(DnstapMessage, ABufferIsReusedFrameAfterFrame) {
    DnstapEvent big;
    const std::vector<uint8_t> message(1000, 0xab);
    big.response_message = message;
    DnstapEvent small;
    std::vector<uint8_t> out;
    encode_dnstap(big, {}, out);
    const size_t big_size = out.size();
    encode_dnstap(small, {}, out);
    EXPECT_LT(out.size(), big_size);
    EXPECT_TRUE(decode(out));
}

TEST(DnstapMessage, TimeIsTheWallClock) {
    const auto now = DnstapTime::now();
    EXPECT_GT(now.seconds, 1'600'000'000);
    EXPECT_LT(now.nanoseconds, 1'000'000'000u);
}

// Takes frames until told to refuse them.
class FakeQueue final : public DnstapQueue {
public:
    bool offer(std::span<const uint8_t> frame) override {
        if (refuse) return false;
        frames.emplace_back(frame.begin(), frame.end());
        return true;
    }
    bool refuse = false;
    std::vector<std::vector<uint8_t>> frames;
};

DnstapEvent client_query(std::string_view client, uint16_t port) {
    DnstapEvent event;
    event.kind = DnstapKind::kClientQuery;
    event.query_end = DnstapEnd{ip(client), port};
    event.query_time = DnstapTime{1'700'000'000, 0};
    event.query_message = kQuery;
    return event;
}

DnstapSettings settings(AddressPrivacy privacy) {
    DnstapSettings s;
    s.origin = {"id", "v"};
    s.addresses.privacy = privacy;
    return s;
}

TEST(DnstapRecorder, ShowsClientsAsThePrivacySettingSays) {
    struct Case {
        AddressPrivacy privacy;
        const char* client;
        bool keeps_port;
        bool same_address;
        const char* shown;  // when not hashed
    };
    const Case cases[] = {
        {AddressPrivacy::kFull, "192.0.2.77", true, true, "192.0.2.77"},
        {AddressPrivacy::kPrefix, "192.0.2.77", false, false, "192.0.2.0"},
        {AddressPrivacy::kPrefix, "2001:db8:1:2::77", false, false, "2001:db8:1::"},
        {AddressPrivacy::kHash, "192.0.2.77", false, false, nullptr},
        {AddressPrivacy::kHash, "2001:db8:1:2::77", false, false, nullptr},
    };
    for (const auto& c : cases) {
        FakeQueue queue;
        DnstapRecorder recorder(settings(c.privacy), queue);
        recorder.record(client_query(c.client, 40000));
        ASSERT_EQ(queue.frames.size(), 1u);
        const auto frame = decode(queue.frames[0]);
        ASSERT_TRUE(frame && frame->message);
        const Dnstap__Message& m = *frame->message;
        const auto shown = bytes_of(m.query_address);
        EXPECT_EQ(shown.size(), ip(c.client).bytes().size()) << c.client;
        EXPECT_EQ(shown == octets(c.client), c.same_address) << c.client;
        if (c.shown) {
            EXPECT_EQ(shown, octets(c.shown)) << c.client;
        }
        if (c.privacy == AddressPrivacy::kHash) {
            const auto expected =
                show_client_address(ip(c.client), settings(c.privacy).addresses, 1'700'000'000);
            EXPECT_EQ(shown, std::vector<uint8_t>(expected.address.bytes().begin(),
                                                  expected.address.bytes().end()));
        }
        EXPECT_EQ(static_cast<bool>(m.has_query_port), c.keeps_port) << c.client;
        EXPECT_EQ(text_of(frame->identity), "id");
    }
}

TEST(DnstapRecorder, RecordsOnlyTheSelectedEvents) {
    FakeQueue queue;
    auto s = settings(AddressPrivacy::kFull);
    s.selection = {.client_queries = false,
                   .client_responses = true,
                   .resolver_queries = true,
                   .resolver_responses = false};
    DnstapRecorder recorder(s, queue);
    EXPECT_FALSE(recorder.wants(DnstapKind::kClientQuery));
    EXPECT_TRUE(recorder.wants_resolver());
    for (const auto kind : {DnstapKind::kClientQuery, DnstapKind::kClientResponse,
                            DnstapKind::kResolverQuery, DnstapKind::kResolverResponse}) {
        auto event = client_query("192.0.2.1", 1);
        event.kind = kind;
        recorder.record(event);
    }
    ASSERT_EQ(queue.frames.size(), 2u);
    EXPECT_EQ(decode(queue.frames[0])->message->type, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    EXPECT_EQ(decode(queue.frames[1])->message->type, DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY);
    EXPECT_EQ(recorder.frames(), 2u);
}

TEST(DnstapRecorder, ResolverEventsKeepTheirAddresses) {
    FakeQueue queue;
    auto s = settings(AddressPrivacy::kHash);
    s.selection.resolver_queries = true;
    DnstapRecorder recorder(s, queue);
    DnstapEvent event;
    event.kind = DnstapKind::kResolverQuery;
    event.query_end = DnstapEnd{ip("192.0.2.53"), 33333};
    event.response_end = DnstapEnd{ip("198.51.100.1"), 53};
    event.query_message = kQuery;
    recorder.record(event);
    ASSERT_EQ(queue.frames.size(), 1u);
    const auto frame = decode(queue.frames[0]);
    EXPECT_EQ(bytes_of(frame->message->query_address), octets("192.0.2.53"));
    EXPECT_EQ(frame->message->query_port, 33333u);
}

TEST(DnstapRecorder, FramesTheQueueRefusesAreDroppedAndCounted) {
    FakeQueue queue;
    DnstapRecorder recorder(settings(AddressPrivacy::kPrefix), queue);
    recorder.record(client_query("192.0.2.1", 1));
    queue.refuse = true;
    recorder.record(client_query("192.0.2.1", 1));
    recorder.record(client_query("192.0.2.1", 1));
    EXPECT_EQ(recorder.frames(), 1u);
    EXPECT_EQ(recorder.dropped(), 2u);
    EXPECT_EQ(queue.frames.size(), 1u);
}

}  // namespace
}  // namespace cairn::observe
