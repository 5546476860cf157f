// DoH requests judged (RFC 8484 §4.1): the status for each client mistake
// and where the query is.
#include "net/doh_request.h"

#include <gtest/gtest.h>

namespace cairn::net {
namespace {

// A 12-octet header and nothing else: the smallest query that passes.
const std::vector<uint8_t> kHeader{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
// base64url of kHeader, without padding.
constexpr std::string_view kHeaderText = "AAABAAABAAAAAAAA";

DohRequest get(std::string path) {
    DohRequest r;
    r.method = "GET";
    r.path = std::move(path);
    return r;
}

DohRequest post(std::string content_type, std::vector<uint8_t> body) {
    DohRequest r;
    r.method = "POST";
    r.path = "/dns-query";
    r.content_type = std::move(content_type);
    r.append_body(body);
    return r;
}

unsigned status(const DohRequest& r) {
    std::vector<uint8_t> scratch;
    return judge(r, "/dns-query", scratch).status;
}

TEST(DohRequest, GetTakesTheDnsParameter) {
    std::vector<uint8_t> scratch;
    const auto verdict =
        judge(get("/dns-query?ct=x&dns=" + std::string(kHeaderText)), "/dns-query", scratch);
    EXPECT_EQ(verdict.status, 200u);
    EXPECT_TRUE(
        std::equal(verdict.query.begin(), verdict.query.end(), kHeader.begin(), kHeader.end()));
}

TEST(DohRequest, PostTakesTheBody) {
    std::vector<uint8_t> scratch;
    const auto r = post("application/dns-message", kHeader);
    const auto verdict = judge(r, "/dns-query", scratch);
    EXPECT_EQ(verdict.status, 200u);
    EXPECT_EQ(verdict.query.size(), kHeader.size());
    EXPECT_EQ(status(post("Application/DNS-Message; charset=x", kHeader)), 200u);
}

TEST(DohRequest, EachMistakeHasItsStatus) {
    EXPECT_EQ(status(get("/other?dns=" + std::string(kHeaderText))), 404u);
    EXPECT_EQ(status(get("/dns-query/x?dns=" + std::string(kHeaderText))), 404u);
    auto put = get("/dns-query");
    put.method = "PUT";
    EXPECT_EQ(status(put), 405u);
    EXPECT_EQ(status(get("/dns-query")), 400u);                        // no parameter
    EXPECT_EQ(status(get("/dns-query?dns=")), 400u);                   // empty
    EXPECT_EQ(status(get("/dns-query?dns=AAABAAABAAAAAAAA=")), 400u);  // padding
    EXPECT_EQ(status(get("/dns-query?dns=AAAB+AABAAAAAAAA")), 400u);   // not base64url
    EXPECT_EQ(status(get("/dns-query?dns=AAAB&dns=AAAB")), 400u);      // twice
    EXPECT_EQ(status(get("/dns-query?dns=AAAB")), 400u);               // shorter than a header
    EXPECT_EQ(status(post("text/plain", kHeader)), 415u);
    EXPECT_EQ(status(post("", kHeader)), 415u);
    EXPECT_EQ(status(post("application/dns-message", std::vector<uint8_t>(65536))), 413u);
    auto declared = post("application/dns-message", kHeader);
    declared.content_length = 70000;
    EXPECT_EQ(status(declared), 413u);
    EXPECT_EQ(status(post("application/dns-message", {1, 2, 3})), 400u);
}

TEST(DohRequest, BodyIsCappedAsItArrives) {
    DohRequest r;
    r.append_body(std::vector<uint8_t>(40000));
    EXPECT_FALSE(r.body_too_large);
    r.append_body(std::vector<uint8_t>(40000));
    EXPECT_TRUE(r.body_too_large);
    EXPECT_TRUE(r.body.empty());
}

TEST(Base64Url, DecodesWithoutPaddingOnly) {
    std::vector<uint8_t> out;
    EXPECT_TRUE(decode_base64url("_-8", out));
    EXPECT_EQ(out, (std::vector<uint8_t>{0xFF, 0xEF}));
    EXPECT_FALSE(decode_base64url("A", out));     // impossible length
    EXPECT_FALSE(decode_base64url("_-9", out));   // non-zero spare bits
    EXPECT_FALSE(decode_base64url("AA==", out));  // padding
}

}  // namespace
}  // namespace cairn::net
