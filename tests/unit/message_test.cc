#include "wire/message.h"

#include <gtest/gtest.h>

#include <array>

namespace cairn::wire {
namespace {

Name N(std::string_view text) {
    return *Name::from_text(text);
}

RData name_rdata(std::string_view text) {
    const Name name = N(text);
    auto wire = name.wire();
    return RData::from_trusted_bytes({wire.begin(), wire.end()});
}

Record a_record(std::string_view owner, std::array<uint8_t, 4> addr, uint32_t ttl = 300) {
    return Record{N(owner), RRType::A, RRClass::IN, ttl,
                  RData::from_trusted_bytes({addr.begin(), addr.end()})};
}

Message typical_response() {
    Message m;
    m.header.id = 0x1234;
    m.header.qr = true;
    m.header.rd = true;
    m.header.ra = true;
    m.questions.push_back({N("www.example.com."), RRType::A, RRClass::IN});
    m.answers.push_back(Record{N("www.example.com."), RRType::CNAME, RRClass::IN, 300,
                               name_rdata("web.example.com.")});
    m.answers.push_back(a_record("web.example.com.", {192, 0, 2, 1}));
    m.answers.push_back(a_record("web.example.com.", {192, 0, 2, 2}));
    m.authorities.push_back(
        Record{N("example.com."), RRType::NS, RRClass::IN, 3600, name_rdata("ns1.example.com.")});
    m.authorities.push_back(
        Record{N("example.com."), RRType::NS, RRClass::IN, 3600, name_rdata("ns2.example.com.")});
    m.edns = Edns{};
    m.edns->dnssec_ok = true;
    return m;
}

TEST(Message, RoundTripWithCompression) {
    auto m = typical_response();
    auto wire = m.to_wire();
    // The uncompressed names alone would need far more than this.
    EXPECT_LT(wire.size(), 150u);
    auto parsed = Message::parse(wire);
    ASSERT_TRUE(parsed.ok()) << to_string(parsed.error());
    EXPECT_EQ(*parsed, m);
    EXPECT_EQ(parsed->header.ancount, 3);
    EXPECT_EQ(parsed->header.nscount, 2);
    EXPECT_EQ(parsed->header.arcount, 1);
    ASSERT_TRUE(parsed->edns.has_value());
    EXPECT_TRUE(parsed->edns->dnssec_ok);
}

TEST(Message, CompressionPointsIntoEarlierNames) {
    Message m;
    m.questions.push_back({N("example.com."), RRType::NS, RRClass::IN});
    m.answers.push_back(
        Record{N("EXAMPLE.com."), RRType::NS, RRClass::IN, 60, name_rdata("ns.example.com.")});
    auto wire = m.to_wire();
    // header 12 + question 13+4 + owner pointer 2 + 10 + rdata "ns"+pointer 5
    EXPECT_EQ(wire.size(), 12u + 17u + 2u + 10u + 5u);
    auto parsed = Message::parse(wire);
    ASSERT_TRUE(parsed.ok());
    // Case of the owner is preserved even though it was compressed against
    // a name spelled differently.
    EXPECT_EQ(parsed->answers[0].owner.to_text(), "example.com.");
    EXPECT_EQ(parsed->answers[0].rdata, name_rdata("ns.example.com."));
}

TEST(Message, NamesInRdataOfNewTypesAreNotCompressed) {
    // RFC 3597 §4: only well-known types may be compressed; SRV targets not.
    Message m;
    m.questions.push_back({N("_sip._udp.example.com."), RRType::SRV, RRClass::IN});
    std::vector<uint8_t> srv = {0, 10, 0, 20, 0x13, 0xC4};
    const Name target_name = N("example.com.");
    auto target = target_name.wire();
    srv.insert(srv.end(), target.begin(), target.end());
    m.answers.push_back(Record{N("_sip._udp.example.com."), RRType::SRV, RRClass::IN, 60,
                               RData::from_trusted_bytes(srv)});
    auto wire = m.to_wire();
    // The SRV RDATA appears literally, uncompressed.
    auto it = std::search(wire.begin(), wire.end(), srv.begin(), srv.end());
    EXPECT_NE(it, wire.end());
    EXPECT_EQ(*Message::parse(wire), m);
}

TEST(Message, TruncatesByWholeRRsetAndSetsTc) {
    Message m = typical_response();
    for (int i = 0; i < 100; ++i)
        m.answers.push_back(a_record("many.example.com.", {10, 0, 0, static_cast<uint8_t>(i)}));
    auto full = m.to_wire();
    auto cut = m.to_wire(512);
    EXPECT_LE(cut.size(), 512u);
    auto parsed = Message::parse(cut);
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->header.tc);
    // The first RRsets fit, the big one was left out whole, and nothing after
    // it in the answer/authority sections was added.
    EXPECT_EQ(parsed->answers.size(), 3u);
    EXPECT_TRUE(parsed->authorities.empty());
    // EDNS survives truncation.
    EXPECT_TRUE(parsed->edns.has_value());
    EXPECT_FALSE(Message::parse(full)->header.tc);
}

TEST(Message, AdditionalThatDoesNotFitIsDroppedWithoutTc) {
    Message m = typical_response();
    for (int i = 0; i < 100; ++i)
        m.additionals.push_back(a_record("glue.example.com.", {10, 0, 1, static_cast<uint8_t>(i)}));
    auto parsed = Message::parse(m.to_wire(512));
    ASSERT_TRUE(parsed.ok());
    EXPECT_FALSE(parsed->header.tc);
    EXPECT_TRUE(parsed->additionals.empty());
    EXPECT_EQ(parsed->answers.size(), 3u);
    EXPECT_EQ(parsed->authorities.size(), 2u);
}

TEST(Message, ExtendedRcodeThroughEdns) {
    Message m;
    m.header.qr = true;
    m.edns = Edns{};
    m.set_rcode(Rcode::BADVERS);
    EXPECT_EQ(m.header.rcode, 0);
    EXPECT_EQ(m.edns->extended_rcode, 1);
    auto parsed = Message::parse(m.to_wire());
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->rcode(), Rcode::BADVERS);
    m.set_rcode(Rcode::NXDOMAIN);
    EXPECT_EQ(Message::parse(m.to_wire())->rcode(), Rcode::NXDOMAIN);
}

TEST(Message, HeaderFlagsRoundTrip) {
    Header h;
    h.id = 0xBEEF;
    h.qr = h.aa = h.tc = h.rd = h.ra = h.ad = h.cd = true;
    h.opcode = Opcode::NOTIFY;
    h.rcode = 5;
    Header back;
    back.set_flags(h.flags());
    back.id = h.id;
    EXPECT_EQ(back, h);
    EXPECT_EQ(h.flags() & 0x7800, 4 << 11);
}

TEST(Message, QueryHeadParsesHeaderAndQuestion) {
    Message q;
    q.header.id = 77;
    q.header.rd = true;
    q.questions.push_back({N("Example.ORG."), RRType::AAAA, RRClass::IN});
    q.edns = Edns{};
    auto wire = q.to_wire();
    auto head = parse_query_head(wire);
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->header.id, 77);
    EXPECT_TRUE(head->question.name.identical(N("Example.ORG.")));
    EXPECT_EQ(head->question.type, RRType::AAAA);
    EXPECT_EQ(head->question_end, 12u + 13u + 4u);
}

// --- hostile input -------------------------------------------------------

std::vector<uint8_t> header_bytes(uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar) {
    Header h;
    h.qdcount = qd;
    h.ancount = an;
    h.nscount = ns;
    h.arcount = ar;
    std::vector<uint8_t> out(12);
    Writer w(out);
    (void)h.write(w);
    return out;
}

void append(std::vector<uint8_t>& v, std::initializer_list<int> bytes) {
    for (int b : bytes)
        v.push_back(static_cast<uint8_t>(b));
}

TEST(MessageHostile, TruncatedHeader) {
    std::vector<uint8_t> data(11, 0);
    EXPECT_EQ(Message::parse(data).error(), WireError::kTruncated);
    EXPECT_EQ(Message::parse({}).error(), WireError::kTruncated);
}

TEST(MessageHostile, TruncatedQuestion) {
    auto data = header_bytes(1, 0, 0, 0);
    append(data, {1, 'a', 0, 0, 1, 0});
    EXPECT_EQ(Message::parse(data).error(), WireError::kTruncated);
}

TEST(MessageHostile, CountsLargerThanData) {
    auto data = header_bytes(0, 65535, 65535, 65535);
    EXPECT_EQ(Message::parse(data).error(), WireError::kTruncated);
    auto data2 = header_bytes(1, 1, 0, 0);
    append(data2, {0, 0, 1, 0, 1});
    EXPECT_EQ(Message::parse(data2).error(), WireError::kTruncated);
}

TEST(MessageHostile, RdlengthMismatch) {
    // A record with RDLENGTH 5 but only 4 octets of A data available.
    auto data = header_bytes(0, 1, 0, 0);
    append(data, {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4});
    EXPECT_EQ(Message::parse(data).error(), WireError::kTruncated);
    // An A record whose RDLENGTH is 5: present, but wrong for the type.
    auto data2 = header_bytes(0, 1, 0, 0);
    append(data2, {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5});
    EXPECT_EQ(Message::parse(data2).error(), WireError::kRdlengthMismatch);
    // A name in RDATA running past RDLENGTH.
    auto data3 = header_bytes(0, 1, 0, 0);
    append(data3, {0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 1, 'a', 0});
    EXPECT_EQ(Message::parse(data3).error(), WireError::kRdlengthMismatch);
}

TEST(MessageHostile, BadRdataForKnownTypes) {
    // TXT with a character-string longer than the RDATA.
    auto txt = header_bytes(0, 1, 0, 0);
    append(txt, {0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 5, 'a', 'b'});
    EXPECT_EQ(Message::parse(txt).error(), WireError::kRdlengthMismatch);
    // TXT with no strings at all.
    auto empty_txt = header_bytes(0, 1, 0, 0);
    append(empty_txt, {0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0});
    EXPECT_EQ(Message::parse(empty_txt).error(), WireError::kBadRdata);
    // NSEC with a bitmap window of length 0.
    auto nsec = header_bytes(0, 1, 0, 0);
    append(nsec, {0, 0, 47, 0, 1, 0, 0, 0, 60, 0, 3, 0, 0, 0});
    EXPECT_EQ(Message::parse(nsec).error(), WireError::kBadRdata);
    // NSEC windows out of order.
    auto nsec2 = header_bytes(0, 1, 0, 0);
    append(nsec2, {0, 0, 47, 0, 1, 0, 0, 0, 60, 0, 7, 0, 1, 1, 0x40, 0, 1, 0x40});
    EXPECT_EQ(Message::parse(nsec2).error(), WireError::kBadRdata);
    // AAAA too short.
    auto aaaa = header_bytes(0, 1, 0, 0);
    append(aaaa, {0, 0, 28, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4});
    EXPECT_EQ(Message::parse(aaaa).error(), WireError::kRdlengthMismatch);
    // SVCB with keys out of order.
    auto svcb = header_bytes(0, 1, 0, 0);
    append(svcb, {0, 0, 64, 0, 1, 0,  0, 0, 60, 0, 15, 0,   1,  0,  //
                  0, 3, 0,  2, 0, 53, 0, 1, 0,  3, 2,  'h', '2'});
    EXPECT_EQ(Message::parse(svcb).error(), WireError::kBadRdata);
}

TEST(MessageHostile, TrailingGarbage) {
    auto m = typical_response().to_wire();
    m.push_back(0);
    EXPECT_EQ(Message::parse(m).error(), WireError::kTrailingData);
}

TEST(MessageHostile, MisplacedOrDuplicateOpt) {
    std::vector<uint8_t> opt = {0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0};
    auto in_answer = header_bytes(0, 1, 0, 0);
    in_answer.insert(in_answer.end(), opt.begin(), opt.end());
    EXPECT_EQ(Message::parse(in_answer).error(), WireError::kBadOpt);
    auto twice = header_bytes(0, 0, 0, 2);
    twice.insert(twice.end(), opt.begin(), opt.end());
    twice.insert(twice.end(), opt.begin(), opt.end());
    EXPECT_EQ(Message::parse(twice).error(), WireError::kBadOpt);
    auto not_root = header_bytes(0, 0, 0, 1);
    append(not_root, {1, 'a', 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0});
    EXPECT_EQ(Message::parse(not_root).error(), WireError::kBadOpt);
    auto once = header_bytes(0, 0, 0, 1);
    once.insert(once.end(), opt.begin(), opt.end());
    auto parsed = Message::parse(once);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->edns->udp_size, 1232);
}

TEST(MessageHostile, PointerLoopInsideMessage) {
    auto data = header_bytes(1, 0, 0, 0);
    append(data, {0xC0, 12, 0, 1, 0, 1});
    EXPECT_EQ(Message::parse(data).error(), WireError::kBadPointer);
    auto rdata_loop = header_bytes(0, 1, 0, 0);
    append(rdata_loop, {0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 23});
    EXPECT_EQ(Message::parse(rdata_loop).error(), WireError::kBadPointer);
}

// A long chain of pointers, each 2 octets back, hidden in an unknown
// type's RDATA; an answer owned by its end is malformed (FORMERR upstream).
TEST(MessageHostile, LongPointerChainIsMalformed) {
    auto chained = [](size_t pointers) {
        auto data = header_bytes(0, 2, 0, 0);
        // Record 1: owner "." at 12, TYPE65280, IN, TTL 60, RDATA = chain.
        const size_t rdlength = 2 * pointers;
        append(data, {0, 0xFF, 0, 0, 1, 0, 0, 0, 60, static_cast<int>(rdlength >> 8),
                      static_cast<int>(rdlength & 0xFF)});
        size_t target = 12;
        for (size_t i = 0; i < pointers; ++i) {
            const size_t here = data.size();
            append(data, {static_cast<int>(0xC0 | target >> 8), static_cast<int>(target & 0xFF)});
            target = here;
        }
        // Record 2: owner = pointer to the chain's end, A 192.0.2.1.
        append(data, {static_cast<int>(0xC0 | target >> 8), static_cast<int>(target & 0xFF), 0, 1,
                      0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1});
        return data;
    };
    // The owner's own pointer plus the chain.
    auto at_cap = Message::parse(chained(Name::kMaxPointerHops - 1));
    ASSERT_TRUE(at_cap.ok()) << to_string(at_cap.error());
    EXPECT_EQ(at_cap->answers.at(1).owner, Name::root());
    for (size_t pointers : {Name::kMaxPointerHops, size_t{8000}}) {
        auto over = Message::parse(chained(pointers));
        ASSERT_FALSE(over.ok()) << pointers;
        EXPECT_EQ(over.error(), WireError::kBadPointer);
    }
}

TEST(MessageBuilder, BuildsIntoCallerBuffer) {
    std::array<uint8_t, 512> buffer{};
    MessageBuilder b(buffer, buffer.size());
    Header h;
    h.id = 9;
    h.qr = true;
    ASSERT_TRUE(b.begin(h));
    ASSERT_TRUE(b.add_question({N("a.example."), RRType::A, RRClass::IN}));
    Edns e;
    e.options.push_back(ExtendedErrorOption{ExtendedErrorCode::kNoReachableAuthority, "x"});
    ASSERT_TRUE(b.set_edns(e));
    auto rec = a_record("a.example.", {1, 2, 3, 4});
    EXPECT_TRUE(b.add_rrset(Section::kAnswer, std::span(&rec, 1)));
    auto wire = b.finish();
    auto parsed = Message::parse(wire);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->answers.size(), 1u);
    ASSERT_NE(parsed->edns->find<ExtendedErrorOption>(), nullptr);
    EXPECT_EQ(parsed->edns->find<ExtendedErrorOption>()->code,
              ExtendedErrorCode::kNoReachableAuthority);
}

}  // namespace
}  // namespace cairn::wire
