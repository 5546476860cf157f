#include "wire/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::wire {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

struct Vector {
    std::string_view plain;
    std::string_view encoded;
};

// RFC 4648 §10.
constexpr Vector kBase64Vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

constexpr Vector kBase32HexVectors[] = {
    {"", ""},
    {"f", "CO======"},
    {"fo", "CPNG===="},
    {"foo", "CPNMU==="},
    {"foob", "CPNMUOG="},
    {"fooba", "CPNMUOJ1"},
    {"foobar", "CPNMUOJ1E8======"},
};

TEST(EncodingTest, HexMatchesRfc4648Base16Vector) {
    EXPECT_EQ(encode_hex(bytes_of("foobar"), Letters::kUpper), "666F6F626172");
    EXPECT_EQ(encode_hex(bytes_of("foobar")), "666f6f626172");
    EXPECT_EQ(encode_hex({}), "");
    auto decoded = decode_hex("666F6f626172");
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, bytes_of("foobar"));
}

TEST(EncodingTest, HexCoversAllOctets) {
    std::vector<uint8_t> all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<uint8_t>(i));
    const std::string text = encode_hex(all);
    EXPECT_EQ(text.substr(0, 8), "00010203");
    EXPECT_EQ(text.substr(text.size() - 4), "feff");
    auto back = decode_hex(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, all);
}

TEST(EncodingTest, HexRejectsBadInput) {
    EXPECT_FALSE(decode_hex("abc"));
    EXPECT_FALSE(decode_hex("zz"));
    EXPECT_FALSE(decode_hex("0x12"));
    EXPECT_FALSE(decode_hex("12 34"));
    auto odd = decode_hex("abc");
    EXPECT_NE(odd.error().message.find("odd"), std::string::npos);
    auto bad = decode_hex("12g4");
    EXPECT_NE(bad.error().message.find("'g' at position 3"), std::string::npos)
        << bad.error().message;
    ASSERT_TRUE(decode_hex(""));
    EXPECT_TRUE(decode_hex("")->empty());
}

TEST(EncodingTest, Base64MatchesRfc4648Vectors) {
    for (const auto& v : kBase64Vectors) {
        EXPECT_EQ(encode_base64(bytes_of(v.plain)), v.encoded) << v.plain;
        auto decoded = decode_base64(v.encoded);
        ASSERT_TRUE(decoded) << v.encoded << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, bytes_of(v.plain)) << v.encoded;
    }
}

TEST(EncodingTest, Base64UsesTheWholeAlphabet) {
    const std::vector<uint8_t> data = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
    EXPECT_EQ(encode_base64(data), "+/+/ABCD");
    auto back = decode_base64("+/+/ABCD");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
}

TEST(EncodingTest, Base64RejectsBadInput) {
    EXPECT_FALSE(decode_base64("Zg="));       // not a multiple of 4
    EXPECT_FALSE(decode_base64("Zg"));        // padding left out
    EXPECT_FALSE(decode_base64("Z==="));      // too much padding
    EXPECT_FALSE(decode_base64("===="));      //
    EXPECT_FALSE(decode_base64("Zg==Zg=="));  // padding in the middle
    EXPECT_FALSE(decode_base64("Zm9v!A=="));  // not in the alphabet
    EXPECT_FALSE(decode_base64("Zh=="));      // non-zero unused bits
    EXPECT_FALSE(decode_base64("Zm9="));      // non-zero unused bits
    auto bits = decode_base64("Zh==");
    EXPECT_NE(bits.error().message.find("non-zero bits"), std::string::npos);
}

TEST(EncodingTest, Base32HexMatchesRfc4648Vectors) {
    for (const auto& v : kBase32HexVectors) {
        EXPECT_EQ(encode_base32hex(bytes_of(v.plain), Letters::kUpper, /*pad=*/true), v.encoded);
        auto decoded = decode_base32hex(v.encoded);
        ASSERT_TRUE(decoded) << v.encoded << ": " << decoded.error().message;
        EXPECT_EQ(*decoded, bytes_of(v.plain)) << v.encoded;
    }
}

TEST(EncodingTest, Base32HexWithoutPaddingAndInLowerCase) {
    EXPECT_EQ(encode_base32hex(bytes_of("foobar")), "CPNMUOJ1E8");
    EXPECT_EQ(encode_base32hex(bytes_of("foobar"), Letters::kLower), "cpnmuoj1e8");
    for (std::string_view text : {"CPNMUOJ1E8", "cpnmuoj1e8", "CpNmUoJ1e8======"}) {
        auto decoded = decode_base32hex(text);
        ASSERT_TRUE(decoded) << text;
        EXPECT_EQ(*decoded, bytes_of("foobar")) << text;
    }
}

TEST(EncodingTest, Base32HexRejectsBadInput) {
    EXPECT_FALSE(decode_base32hex("W0"));        // W is not base32hex
    EXPECT_FALSE(decode_base32hex("C"));         // 5 bits: no whole octet
    EXPECT_FALSE(decode_base32hex("CPN"));       // 15 bits
    EXPECT_FALSE(decode_base32hex("CPNMUO"));    // 30 bits
    EXPECT_FALSE(decode_base32hex("CO====="));   // padded but not 8 long
    EXPECT_FALSE(decode_base32hex("========"));  // nothing but padding
    EXPECT_FALSE(decode_base32hex("CP"));        // non-zero unused bits
    EXPECT_FALSE(decode_base32hex("CO==CO=="));  // padding in the middle
}

TEST(EncodingTest, QuotedEscapesLikeDnspython) {
    std::string out;
    append_quoted(out, std::string_view("a \"b\\c;\x07\x7f\xff", 10));
    EXPECT_EQ(out, R"("a \"b\\c;\007\127\255")");
    out.clear();
    append_quoted(out, std::string_view());
    EXPECT_EQ(out, "\"\"");
}

TEST(EncodingTest, ParsesUnsignedDecimal) {
    EXPECT_EQ(parse_unsigned("0", 255), 0u);
    EXPECT_EQ(parse_unsigned("00255", 255), 255u);
    EXPECT_EQ(parse_unsigned("4294967295", 0xFFFFFFFF), 0xFFFFFFFFu);
    EXPECT_FALSE(parse_unsigned("256", 255));
    EXPECT_FALSE(parse_unsigned("4294967296", 0xFFFFFFFF));
    EXPECT_FALSE(parse_unsigned("99999999999999999999999", UINT64_MAX));
    EXPECT_FALSE(parse_unsigned("", 10));
    EXPECT_FALSE(parse_unsigned("-1", 10));
    EXPECT_FALSE(parse_unsigned("+1", 10));
    EXPECT_FALSE(parse_unsigned("1 ", 10));
    EXPECT_FALSE(parse_unsigned("5", 4));
}

TEST(EncodingTest, Ipv4IsStrictDottedQuad) {
    auto a = parse_ipv4("192.0.2.255");
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, (std::array<uint8_t, 4>{192, 0, 2, 255}));
    std::string out;
    append_ipv4(out, *a);
    EXPECT_EQ(out, "192.0.2.255");
    for (std::string_view bad : {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4x",
                                 " 1.2.3.4", "1..2.3", "0x1.2.3.4", "1.2.3.", "", "1234.1.1.1"}) {
        EXPECT_FALSE(parse_ipv4(bad)) << bad;
    }
    EXPECT_TRUE(parse_ipv4("0.0.0.0"));
}

TEST(EncodingTest, Ipv6AcceptsRfc4291FormsAndPrintsRfc5952) {
    struct Case {
        std::string_view in;
        std::string_view out;
    };
    const Case cases[] = {
        {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},  // first of equal runs compressed
        {"2001:0db8::0001", "2001:db8::1"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"::", "::"},
        {"1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},  // a single zero group stays
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"2001:db8:122:344::192.0.2.33", "2001:db8:122:344::c000:221"},
        {"fe80:0:0:0:200:5efe:192.0.2.1", "fe80::200:5efe:c000:201"},
    };
    for (const auto& c : cases) {
        auto a = parse_ipv6(c.in);
        ASSERT_TRUE(a) << c.in;
        std::string out;
        append_ipv6(out, *a);
        EXPECT_EQ(out, c.out) << c.in;
    }
    for (std::string_view bad : {"1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::1 ", "1.2.3.4",
                                 "::ffff:01.2.3.4", "g::", ""}) {
        EXPECT_FALSE(parse_ipv6(bad)) << bad;
    }
}

}  // namespace
}  // namespace cairn::wire
