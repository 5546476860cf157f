#include "wire/text_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::wire {
namespace {

// The texts of the tokens, quoted ones shown in quotes.
std::vector<std::string> texts(std::string_view input) {
    auto tokens = tokenize(input);
    EXPECT_TRUE(tokens) << input << ": " << tokens.error().message;
    std::vector<std::string> out;
    if (!tokens) return out;
    for (const Token& t : *tokens)
        out.push_back(t.quoted ? "\"" + t.text + "\"" : t.text);
    return out;
}

using Texts = std::vector<std::string>;

TEST(TokenizeTest, SplitsOnWhitespace) {
    EXPECT_EQ(texts("  a\tbb  ccc \r\n"), (Texts{"a", "bb", "ccc"}));
    EXPECT_EQ(texts(""), Texts{});
    EXPECT_EQ(texts(" \t "), Texts{});
}

TEST(TokenizeTest, QuotedStringsKeepSpacesAndEscapes) {
    EXPECT_EQ(texts(R"("hello world" "" "a\"b" x)"),
              (Texts{"\"hello world\"", "\"\"", R"("a\"b")", "x"}));
    auto tokens = tokenize(R"x("a;b(c)")x");
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 1u);
    EXPECT_EQ((*tokens)[0].text, "a;b(c)");
    EXPECT_TRUE((*tokens)[0].quoted);
}

TEST(TokenizeTest, CommentsRunToEndOfLine) {
    EXPECT_EQ(texts("a b ; comment \"unbalanced ( here"), (Texts{"a", "b"}));
    EXPECT_EQ(texts("; only a comment"), Texts{});
    EXPECT_EQ(texts("a;b"), Texts{"a"});
}

TEST(TokenizeTest, ParenthesesSpanLines) {
    EXPECT_EQ(texts("SOA ns. admin. ( 1 ; serial\n 2 ; refresh\n 3 4 5 )"),
              (Texts{"SOA", "ns.", "admin.", "1", "2", "3", "4", "5"}));
    EXPECT_EQ(texts("a(b)c"), (Texts{"a", "b", "c"}));
}

TEST(TokenizeTest, UnbalancedParenthesesAreErrors) {
    EXPECT_FALSE(tokenize("a ( b"));
    EXPECT_FALSE(tokenize("a ) b"));
    EXPECT_FALSE(tokenize("( ( a ) )"));
    EXPECT_NE(tokenize("a ( b").error().message.find("'('"), std::string::npos);
}

TEST(TokenizeTest, UnterminatedQuotesAreErrors) {
    EXPECT_FALSE(tokenize("\"abc"));
    EXPECT_FALSE(tokenize("\"abc\\\""));
    EXPECT_FALSE(tokenize("( \"abc\n def\" )"));
    EXPECT_NE(tokenize("\"abc").error().message.find("unterminated"), std::string::npos);
}

TEST(TokenizeTest, BackslashEscapesDelimitersAndStaysRaw) {
    EXPECT_EQ(texts(R"(a\ b c\;d \( \"x)"), (Texts{R"(a\ b)", R"(c\;d)", R"(\()", R"(\"x)"}));
    EXPECT_EQ(texts(R"(a\.b.example. \# \065)"), (Texts{R"(a\.b.example.)", R"(\#)", R"(\065)"}));
    EXPECT_FALSE(tokenize("abc\\"));
}

TEST(TokenizeTest, QuoteEndsAnUnquotedTokenAndAttachedIsReported) {
    auto tokens = tokenize(R"(alpn="h2,h3" port= "53" abc"def")");
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 6u);
    const auto& t = *tokens;
    EXPECT_EQ(t[0].text, "alpn=");
    EXPECT_FALSE(t[0].attached);
    EXPECT_EQ(t[1].text, "h2,h3");
    EXPECT_TRUE(t[1].quoted);
    EXPECT_TRUE(t[1].attached);
    EXPECT_EQ(t[2].text, "port=");
    EXPECT_FALSE(t[3].attached);  // a space before "53"
    EXPECT_EQ(t[4].text, "abc");
    EXPECT_TRUE(t[5].attached);
    EXPECT_EQ(t[5].text, "def");
}

TEST(UnescapeTest, DecodesCharacterAndDecimalEscapes) {
    auto s = unescape(R"(a\"b\\c\.\065\000\255)");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(*s, std::string("a\"b\\c.A\0\xff", 9));
    EXPECT_EQ(*unescape("plain"), "plain");
    EXPECT_EQ(*unescape(""), "");
}

TEST(UnescapeTest, RejectsBadEscapes) {
    EXPECT_FALSE(unescape("abc\\"));
    EXPECT_FALSE(unescape("\\25"));
    EXPECT_FALSE(unescape("\\2x5"));
    EXPECT_FALSE(unescape("\\256"));
    EXPECT_NE(unescape("\\256").error().message.find("255"), std::string::npos);
}

}  // namespace
}  // namespace cairn::wire
