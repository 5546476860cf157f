#include <gtest/gtest.h>

#include <string>

#include "wire/message.h"

namespace cairn::wire {
namespace {

Name N(std::string_view text) {
    return *Name::from_text(text);
}

Record a_record(std::string_view owner, uint32_t ttl, std::vector<uint8_t> address) {
    return Record{N(owner), RRType::A, RRClass::IN, ttl, RData::from_trusted_bytes(address)};
}

// The text between the line starting with `first` and the next blank line.
std::string block(const std::string& text, std::string_view first) {
    const size_t start = text.find(first);
    if (start == std::string::npos) return "<missing " + std::string(first) + ">";
    const size_t end = text.find("\n\n", start);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
}

Message response() {
    Message m;
    m.header.id = 4242;
    m.header.qr = true;
    m.header.rd = true;
    m.header.ra = true;
    m.header.ad = true;
    m.questions.push_back(Question{N("example.com."), RRType::A, RRClass::IN});
    m.answers.push_back(a_record("example.com.", 300, {192, 0, 2, 1}));
    m.answers.push_back(a_record("example.com.", 300, {192, 0, 2, 2}));
    m.edns = Edns{};
    return m;
}

TEST(MessageText, HeaderAndFlags) {
    const std::string text = response().to_text();
    EXPECT_EQ(block(text, ";; ->>HEADER"),
              ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242\n"
              ";; flags: qr rd ra ad; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n");
}

TEST(MessageText, AllFlagsInDigOrder) {
    Message m;
    m.header.qr = m.header.aa = m.header.tc = m.header.rd = m.header.ra = true;
    m.header.z = m.header.ad = m.header.cd = true;
    EXPECT_NE(m.to_text().find(";; flags: qr aa tc rd ra z ad cd; QUERY: 0,"), std::string::npos)
        << m.to_text();
}

TEST(MessageText, NoFlagsAndNothingElse) {
    Message m;
    m.header.opcode = Opcode::NOTIFY;
    m.header.rcode = 5;
    EXPECT_EQ(m.to_text(),
              ";; ->>HEADER<<- opcode: NOTIFY, status: REFUSED, id: 0\n"
              ";; flags:; QUERY: 0, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n");
}

TEST(MessageText, UnnamedOpcodeAndRcode) {
    Message m;
    m.header.opcode = static_cast<Opcode>(3);
    m.header.rcode = 12;
    EXPECT_NE(m.to_text().find("opcode: OPCODE3, status: RCODE12,"), std::string::npos)
        << m.to_text();
}

TEST(MessageText, CountsComeFromContentNotHeader) {
    Message m = response();
    m.header.ancount = 7;  // stale counts must not leak into the text
    m.header.arcount = 0;
    EXPECT_NE(m.to_text().find("ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n"), std::string::npos);
}

TEST(MessageText, ExtendedRcodeUsesAllTwelveBits) {
    Message m = response();
    m.set_rcode(Rcode::BADCOOKIE);  // 23: header 7, extended 1
    ASSERT_EQ(m.header.rcode, 7);
    EXPECT_NE(m.to_text().find("status: BADCOOKIE, id: 4242"), std::string::npos) << m.to_text();
    m.set_rcode(Rcode::BADVERS);
    EXPECT_NE(m.to_text().find("status: BADVERS,"), std::string::npos);
}

TEST(MessageText, EdnsLine) {
    Message m = response();
    m.edns->dnssec_ok = true;
    EXPECT_EQ(block(m.to_text(), ";; OPT"),
              ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags: do; udp: 1232\n");
    m.edns->dnssec_ok = false;
    m.edns->udp_size = 4096;
    EXPECT_EQ(block(m.to_text(), ";; OPT"),
              ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 4096\n");
    m.edns->version = 1;
    m.edns->dnssec_ok = true;
    m.edns->other_flags = 0x0100;
    EXPECT_EQ(block(m.to_text(), ";; OPT"),
              ";; OPT PSEUDOSECTION:\n; EDNS: version: 1, flags: do; MBZ: 0x0100, udp: 4096\n");
}

TEST(MessageText, NoOptSectionWithoutEdns) {
    Message m = response();
    m.edns.reset();
    EXPECT_EQ(m.to_text().find("OPT PSEUDOSECTION"), std::string::npos);
    EXPECT_NE(m.to_text().find("ADDITIONAL: 0\n"), std::string::npos);
}

std::string option_line(EdnsOption option) {
    Message m;
    m.edns = Edns{};
    m.edns->options.push_back(std::move(option));
    const std::string text = m.to_text();
    const size_t udp = text.find("; udp: 1232\n");
    if (udp == std::string::npos) return "<no EDNS line>";
    const size_t start = udp + 12;
    return text.substr(start, text.find('\n', start) - start);
}

TEST(MessageText, CookieOption) {
    CookieOption c;
    c.client = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    EXPECT_EQ(option_line(c), "; COOKIE: 0102030405060708");
    c.server = {0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5, 0x06, 0x17};
    EXPECT_EQ(option_line(c), "; COOKIE: 0102030405060708a0b1c2d3e4f50617");
}

TEST(MessageText, ClientSubnetOption) {
    EXPECT_EQ(option_line(ClientSubnetOption{1, 24, 0, {1, 2, 3}}),
              "; CLIENT-SUBNET: 1.2.3.0/24/0");
    EXPECT_EQ(option_line(ClientSubnetOption{1, 0, 0, {}}), "; CLIENT-SUBNET: 0.0.0.0/0/0");
    EXPECT_EQ(option_line(ClientSubnetOption{2, 56, 48, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12}}),
              "; CLIENT-SUBNET: 2001:db8:0:1200::/56/48");
}

TEST(MessageText, ExtendedErrorOption) {
    EXPECT_EQ(option_line(ExtendedErrorOption{ExtendedErrorCode::kProhibited, "extra text"}),
              "; EDE: 18 (Prohibited): (extra text)");
    EXPECT_EQ(option_line(ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, ""}),
              "; EDE: 6 (DNSSEC Bogus)");
    // Text from the network must not carry control characters to a terminal.
    EXPECT_EQ(option_line(ExtendedErrorOption{ExtendedErrorCode::kOther, "a\nb\x1b\\"}),
              "; EDE: 0 (Other Error): (a\\010b\\027\\092)");
}

TEST(MessageText, ExtendedErrorsEachOnTheirOwnLine) {
    Message m;
    m.edns = Edns{};
    m.edns->options.push_back(ExtendedErrorOption{ExtendedErrorCode::kStaleAnswer, ""});
    m.edns->options.push_back(ExtendedErrorOption{ExtendedErrorCode::kNetworkError, "timeout"});
    EXPECT_NE(m.to_text().find("; EDE: 3 (Stale Answer)\n; EDE: 23 (Network Error): (timeout)\n"),
              std::string::npos)
        << m.to_text();
}

TEST(MessageText, PaddingAndKeepaliveOptions) {
    EXPECT_EQ(option_line(PaddingOption{128}), "; PADDING: 128 octets");
    EXPECT_EQ(option_line(TcpKeepaliveOption{uint16_t{300}}), "; TCP-KEEPALIVE: 30.0 secs");
    EXPECT_EQ(option_line(TcpKeepaliveOption{uint16_t{5}}), "; TCP-KEEPALIVE: 0.5 secs");
    EXPECT_EQ(option_line(TcpKeepaliveOption{}), "; TCP-KEEPALIVE: (no timeout)");
}

TEST(MessageText, NsidAndUnknownOptionsAsHex) {
    EXPECT_EQ(option_line(UnknownOption{3, {'n', 's', '1'}}), "; NSID: 6e7331 (\"ns1\")");
    EXPECT_EQ(option_line(UnknownOption{3, {}}), "; NSID:");
    EXPECT_EQ(option_line(UnknownOption{65001, {0xde, 0xad}}), "; OPT=65001: dead");
    EXPECT_EQ(option_line(UnknownOption{9, {0, 0, 0x0e, 0x10}}), "; EXPIRE: 00000e10");
}

TEST(MessageText, QuestionSection) {
    EXPECT_EQ(block(response().to_text(), ";; QUESTION"),
              ";; QUESTION SECTION:\n;example.com.\t\tIN\tA\n");
    Message m;
    m.questions.push_back(Question{N("."), RRType::DNSKEY, RRClass::CH});
    EXPECT_EQ(block(m.to_text(), ";; QUESTION"), ";; QUESTION SECTION:\n;.\t\tCH\tDNSKEY\n");
}

TEST(MessageText, RecordSections) {
    Message m = response();
    m.authorities.push_back(a_record("ns.example.com.", 60, {192, 0, 2, 53}));
    m.additionals.push_back(a_record("glue.example.com.", 0, {10, 0, 0, 1}));
    const std::string text = m.to_text();
    EXPECT_EQ(block(text, ";; ANSWER"),
              ";; ANSWER SECTION:\n"
              "example.com.\t300\tIN\tA\t192.0.2.1\n"
              "example.com.\t300\tIN\tA\t192.0.2.2\n");
    EXPECT_EQ(block(text, ";; AUTHORITY"),
              ";; AUTHORITY SECTION:\nns.example.com.\t60\tIN\tA\t192.0.2.53\n");
    EXPECT_EQ(block(text, ";; ADDITIONAL SECTION"),
              ";; ADDITIONAL SECTION:\nglue.example.com.\t0\tIN\tA\t10.0.0.1\n");
    EXPECT_NE(text.find("ADDITIONAL: 2\n"), std::string::npos);
}

TEST(MessageText, EmptySectionsAreLeftOut) {
    const std::string text = response().to_text();
    EXPECT_NE(text.find(";; ANSWER SECTION:"), std::string::npos);
    EXPECT_EQ(text.find(";; AUTHORITY SECTION:"), std::string::npos);
    EXPECT_EQ(text.find(";; ADDITIONAL SECTION:"), std::string::npos);
}

TEST(MessageText, SectionOrderAndBlankLines) {
    Message m = response();
    m.edns->options.push_back(PaddingOption{4});
    EXPECT_EQ(m.to_text(),
              ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242\n"
              ";; flags: qr rd ra ad; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n"
              "\n"
              ";; OPT PSEUDOSECTION:\n"
              "; EDNS: version: 0, flags:; udp: 1232\n"
              "; PADDING: 4 octets\n"
              "\n"
              ";; QUESTION SECTION:\n"
              ";example.com.\t\tIN\tA\n"
              "\n"
              ";; ANSWER SECTION:\n"
              "example.com.\t300\tIN\tA\t192.0.2.1\n"
              "example.com.\t300\tIN\tA\t192.0.2.2\n");
}

TEST(MessageText, ParsedMessageShowsTheSame) {
    Message m = response();
    m.set_rcode(Rcode::BADCOOKIE);
    m.edns->options.push_back(ExtendedErrorOption{ExtendedErrorCode::kProhibited, "no"});
    const auto wire = m.to_wire();
    auto parsed = Message::parse(wire);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->to_text(), m.to_text());
}

}  // namespace
}  // namespace cairn::wire
