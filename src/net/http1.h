// The little of HTTP/1.1 (RFC 9112) the metrics listener speaks: reading a
// request's head (request line and header fields, up to the empty line)
// and writing a whole response. One request per connection; a request
// body is never read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cairn::net {

enum class HeadStatus {
    kIncomplete,  // no empty line yet, nothing wrong so far: read on
    kComplete,
    kMalformed,  // answer 400 and close
};

struct HttpRequest {
    std::string_view method;
    std::string_view path;   // the target's path, without query or fragment
    std::string_view query;  // what follows '?' up to a fragment; empty if none
};

struct HttpHead {
    HeadStatus status = HeadStatus::kIncomplete;
    HttpRequest request;  // set when kComplete
};

// Reads the head at the start of `bytes` (what has arrived so far). Lines
// end in CRLF, or a bare LF (RFC 9112 §2.2); empty lines before the request
// line are skipped. Malformed: a request line that is not `method SP target
// SP HTTP/1.0|HTTP/1.1` (a token, then visible characters), a field line
// without a `name:` (a token, no space before the colon), a folded line, a
// control character (a bare CR, NUL...), or an HTTP/1.1 request without
// exactly one Host field (RFC 9112 §3.2). The path of an absolute-form
// target (`http://host/metrics`) is its path.
HttpHead parse_http_head(std::string_view bytes);

// The value of the first `name=value` pair named `name` in `query`
// (application/x-www-form-urlencoded: '&' between pairs, '+' for a space,
// %XX escapes decoded). Nothing if the name is absent or its value has a
// bad escape or a control character.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);
// Whether `query` has a pair named `name`, whatever its value.
bool has_query_parameter(std::string_view query, std::string_view name);

struct HttpResponse {
    int status = 200;
    std::string content_type;  // empty: no body type
    std::string body;
    // More header fields, each ending in CRLF ("Allow: GET, HEAD\r\n").
    std::string extra_fields;
};

// The response as sent: status line, Content-Type, Content-Length,
// Connection: close, the extra fields, and the body unless `head_only`
// (a HEAD request: the same fields, no body).
std::string http_response_text(const HttpResponse& response, bool head_only);

}  // namespace cairn::net
