// The request heads the metrics listener reads, and the responses it
// writes (RFC 9112).
#include "net/http1.h"

#include <gtest/gtest.h>

namespace cairn::net {
namespace {

TEST(Http1, RequestHeads) {
    struct Case {
        std::string_view bytes;
        HeadStatus status;
        std::string_view method = {};
        std::string_view path = {};
    };
    const Case cases[] = {
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET", "/metrics"},
        {"GET /metrics HTTP/1.0\r\n\r\n", HeadStatus::kComplete, "GET", "/metrics"},
        {"HEAD /metrics HTTP/1.1\r\nhost: x\r\nAccept: */*\r\n\r\n", HeadStatus::kComplete, "HEAD",
         "/metrics"},
        {"GET /metrics HTTP/1.1\nHost: x\n\n", HeadStatus::kComplete, "GET", "/metrics"},
        {"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET", "/"},
        {"GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET", "/metrics"},
        {"GET /metrics#top HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET", "/metrics"},
        {"GET http://x:9153/metrics HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET",
         "/metrics"},
        {"GET HTTP://x HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kComplete, "GET", "/"},
        {"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", HeadStatus::kComplete,
         "POST", "/metrics"},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n", HeadStatus::kComplete, "GET",
         "/metrics"},
        // Not all there yet.
        {"", HeadStatus::kIncomplete},
        {"GET /metr", HeadStatus::kIncomplete},
        {"GET /metrics HTTP/1.1\r", HeadStatus::kIncomplete},
        {"GET /metrics HTTP/1.1\r\n", HeadStatus::kIncomplete},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n", HeadStatus::kIncomplete},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r", HeadStatus::kIncomplete},
        // Malformed.
        {"GET /metrics\r\n\r\n", HeadStatus::kMalformed},
        {"GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1 \r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics http/1.1\r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"G(T /metrics HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /met\x01rics HTTP/1.1\r\nHost: x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /met\x01", HeadStatus::kMalformed},
        {std::string_view("GET /\0 HTTP/1.1\r\n", 17), HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1\r\nHost: x\ry\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.1\r\n\r\n", HeadStatus::kMalformed},  // no Host
        {"GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", HeadStatus::kMalformed},
        {"GET /metrics HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n", HeadStatus::kMalformed},
        {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", HeadStatus::kMalformed},  // TLS
    };
    for (const auto& c : cases) {
        const auto head = parse_http_head(c.bytes);
        EXPECT_EQ(head.status, c.status) << c.bytes;
        if (c.status != HeadStatus::kComplete) continue;
        EXPECT_EQ(head.request.method, c.method) << c.bytes;
        EXPECT_EQ(head.request.path, c.path) << c.bytes;
    }
}

TEST(Http1, QueryOfTheTarget) {
    struct Case {
        std::string_view bytes;
        std::string_view path;
        std::string_view query;
    };
    const Case cases[] = {
        {"GET /api/trace?name=a.&type=A HTTP/1.0\r\n\r\n", "/api/trace", "name=a.&type=A"},
        {"GET /?x#frag HTTP/1.0\r\n\r\n", "/", "x"},
        {"GET /x?a?b HTTP/1.0\r\n\r\n", "/x", "a?b"},
        {"GET /x? HTTP/1.0\r\n\r\n", "/x", ""},
        {"GET /x HTTP/1.0\r\n\r\n", "/x", ""},
        {"GET http://h/y?q=1 HTTP/1.0\r\n\r\n", "/y", "q=1"},
        {"GET http://h?q=1 HTTP/1.0\r\n\r\n", "/", ""},
    };
    for (const auto& c : cases) {
        const auto head = parse_http_head(c.bytes);
        ASSERT_EQ(head.status, HeadStatus::kComplete) << c.bytes;
        EXPECT_EQ(head.request.path, c.path) << c.bytes;
        EXPECT_EQ(head.request.query, c.query) << c.bytes;
    }
}

TEST(Http1, QueryParameters) {
    struct Case {
        std::string_view query;
        std::string_view name;
        std::optional<std::string> value;
    };
    const Case cases[] = {
        {"name=example.com.&type=AAAA", "name", "example.com."},
        {"name=example.com.&type=AAAA", "type", "AAAA"},
        {"type=A&type=MX", "type", "A"},
        {"name=a%2Eb%2e&x", "name", "a.b."},
        {"name=a+b", "name", "a b"},
        {"name=", "name", ""},
        {"name", "name", ""},
        {"names=x", "name", std::nullopt},
        {"", "name", std::nullopt},
        {"name=%", "name", std::nullopt},
        {"name=%4", "name", std::nullopt},
        {"name=%zz", "name", std::nullopt},
        {"name=%0a", "name", std::nullopt},
        {"name=%7F", "name", std::nullopt},
        {"name=%C3%A9", "name", "\xc3\xa9"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(query_parameter(c.query, c.name), c.value) << c.query << " " << c.name;
    EXPECT_TRUE(has_query_parameter("a=1&name=%zz", "name"));
    EXPECT_TRUE(has_query_parameter("name", "name"));
    EXPECT_FALSE(has_query_parameter("names=1&nam=2", "name"));
}

TEST(Http1, ResponseText) {
    const HttpResponse ok{200, "text/plain; version=0.0.4", "a 1\n", {}};
    EXPECT_EQ(http_response_text(ok, false),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; version=0.0.4\r\n"
              "Content-Length: 4\r\n"
              "Connection: close\r\n"
              "\r\n"
              "a 1\n");
    EXPECT_EQ(http_response_text(ok, true),
              "HTTP/1.1 200 OK\r\n"
              "Content-Type: text/plain; version=0.0.4\r\n"
              "Content-Length: 4\r\n"
              "Connection: close\r\n"
              "\r\n");
    const HttpResponse not_allowed{405, {}, {}, "Allow: GET, HEAD\r\n"};
    EXPECT_EQ(http_response_text(not_allowed, false),
              "HTTP/1.1 405 Method Not Allowed\r\n"
              "Content-Length: 0\r\n"
              "Connection: close\r\n"
              "Allow: GET, HEAD\r\n"
              "\r\n");
    const HttpResponse busy{503, "application/json", "{}", {}};
    EXPECT_EQ(http_response_text(busy, false).substr(0, 34),
              "HTTP/1.1 503 Service Unavailable\r\n");
}

}  // namespace
}  // namespace cairn::net
