#include "cairnctl/doh_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cairnctl/query_command.h"
#include "cairnctl/query_options.h"
#include "cairnctl/stream_framing.h"

namespace cairn::ctl {
namespace {

std::vector<uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

ServerAddress address(std::string_view text) {
    auto parsed = parse_server_address(text, kDefaultDohPort);
    EXPECT_TRUE(parsed.ok()) << text;
    return *parsed;
}

// RFC 4648 §10 test vectors, in the §5 alphabet without padding.
TEST(DohMessage, Base64UrlWithoutPadding) {
    EXPECT_EQ(base64url(bytes("")), "");
    EXPECT_EQ(base64url(bytes("f")), "Zg");
    EXPECT_EQ(base64url(bytes("fo")), "Zm8");
    EXPECT_EQ(base64url(bytes("foo")), "Zm9v");
    EXPECT_EQ(base64url(bytes("foob")), "Zm9vYg");
    EXPECT_EQ(base64url(bytes("fooba")), "Zm9vYmE");
    EXPECT_EQ(base64url(bytes("foobar")), "Zm9vYmFy");
    // '+' and '/' of base64 become '-' and '_'.
    EXPECT_EQ(base64url(std::vector<uint8_t>{0xfb, 0xff, 0xbf}), "-_-_");
}

// RFC 8484 §4.1.1: the GET example for www.example.com A, ID 0, RD, no EDNS.
TEST(DohMessage, GetPathOfTheRfcExample) {
    QueryArgs args;
    args.words = {"www.example.com", "@127.0.0.1", "+https", "+noedns"};
    auto options = make_query_options(args);
    ASSERT_TRUE(options.ok()) << options.error().message;
    const std::vector<uint8_t> query = build_query(*options, 0);
    EXPECT_EQ(doh_get_path("/dns-query", query),
              "/dns-query?dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB");
}

TEST(DohMessage, GetPathKeepsAQueryStringThePathHas) {
    const auto query = bytes("foo");
    EXPECT_EQ(doh_get_path("/q?x=1", query), "/q?x=1&dns=Zm9v");
    EXPECT_EQ(doh_get_path("/q?", query), "/q?dns=Zm9v");
    EXPECT_EQ(doh_get_path("/q?x=1&", query), "/q?x=1&dns=Zm9v");
}

TEST(DohMessage, Authority) {
    EXPECT_EQ(doh_authority(address("192.0.2.1"), ""), "192.0.2.1");
    EXPECT_EQ(doh_authority(address("192.0.2.1:8443"), ""), "192.0.2.1:8443");
    EXPECT_EQ(doh_authority(address("2001:db8::1"), ""), "[2001:db8::1]");
    EXPECT_EQ(doh_authority(address("[2001:db8::1]:8443"), ""), "[2001:db8::1]:8443");
    EXPECT_EQ(doh_authority(address("fe80::1%lo"), ""), "[fe80::1%25lo]");
    EXPECT_EQ(doh_authority(address("192.0.2.1"), "dns.example"), "dns.example");
    EXPECT_EQ(doh_authority(address("192.0.2.1:8443"), "dns.example"), "dns.example:8443");
}

TEST(DohMessage, AnAnswerIsA200WithTheDnsMediaType) {
    auto answer = doh_answer({200, "application/dns-message", bytes("answer")});
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(*answer, bytes("answer"));
    // Media types compare without case; parameters do not matter.
    EXPECT_TRUE(doh_answer({200, "Application/DNS-Message; charset=x", bytes("a")}).ok());
}

TEST(DohMessage, WhatIsNotAnAnswerSaysWhy) {
    auto status = doh_answer({404, "text/plain", bytes("not found")});
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message, "HTTP status 404 instead of an answer");
    auto type = doh_answer({200, "text/html", bytes("<html>")});
    ASSERT_FALSE(type.ok());
    EXPECT_EQ(type.error().message,
              "the answer's content-type is 'text/html', not application/dns-message");
    auto missing = doh_answer({200, "", bytes("x")});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("content-type is ''"), std::string::npos);
    auto empty = doh_answer({200, "application/dns-message", {}});
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().message, "the answer's body is empty");
}

TEST(StreamFraming, TwoOctetLengthFirst) {
    EXPECT_EQ(length_prefixed(bytes("abc")), (std::vector<uint8_t>{0, 3, 'a', 'b', 'c'}));
    const std::vector<uint8_t> big(300, 0x55);
    const auto framed = length_prefixed(big);
    ASSERT_EQ(framed.size(), 302u);
    EXPECT_EQ(framed[0], 1);
    EXPECT_EQ(framed[1], 44);
    EXPECT_EQ(length_prefixed({}), (std::vector<uint8_t>{0, 0}));
}

}  // namespace
}  // namespace cairn::ctl
