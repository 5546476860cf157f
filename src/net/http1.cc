#include "net/http1.h"

namespace cairn::net {

namespace {

// RFC 9110 §5.6.2 tchar.
bool token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    return kSpecials.find(c) != std::string_view::npos;
}

bool token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!token_char(c)) return false;
    return true;
}

bool visible(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (c <= 0x20 || c == 0x7f) return false;
    return true;
}

// Field values: visible characters, spaces and tabs (and obs-text).
bool field_value(std::string_view text) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'A' && a[i] <= 'Z') ? char(a[i] - 'A' + 'a') : a[i];
        const char y = (b[i] >= 'A' && b[i] <= 'Z') ? char(b[i] - 'A' + 'a') : b[i];
        if (x != y) return false;
    }
    return true;
}

// Takes the next line (without its CRLF or LF) off `rest`; false if no
// line end has arrived yet.
bool next_line(std::string_view& rest, std::string_view& line) {
    const size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) return false;
    line = rest.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    rest.remove_prefix(lf + 1);
    return true;
}

// The target without a scheme and authority (an absolute form's path).
std::string_view origin_form(std::string_view target) {
    for (const std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() &&
            equals_ignoring_case(target.substr(0, scheme.size()), scheme)) {
            target.remove_prefix(scheme.size());
            const size_t slash = target.find('/');
            target = slash == std::string_view::npos ? "/" : target.substr(slash);
            break;
        }
    }
    return target.substr(0, target.find('#'));
}

// Parses "method SP target SP version"; false if malformed.
bool parse_request_line(std::string_view line, HttpRequest& request, bool& http11) {
    const size_t first = line.find(' ');
    if (first == std::string_view::npos) return false;
    const size_t second = line.find(' ', first + 1);
    if (second == std::string_view::npos) return false;
    const std::string_view method = line.substr(0, first);
    const std::string_view target = line.substr(first + 1, second - first - 1);
    const std::string_view version = line.substr(second + 1);
    if (!token(method) || !visible(target)) return false;
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
    http11 = version == "HTTP/1.1";
    request.method = method;
    const std::string_view origin = origin_form(target);
    const size_t mark = origin.find('?');
    request.path = origin.substr(0, mark);
    if (mark != std::string_view::npos) request.query = origin.substr(mark + 1);
    return true;
}

// A field line "name: value"; counts Host fields. False if malformed.
bool check_field_line(std::string_view line, int& hosts) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = line.substr(0, colon);
    if (!token(name) || !field_value(line.substr(colon + 1))) return false;
    if (equals_ignoring_case(name, "host")) ++hosts;
    return true;
}

const char* reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Form-decodes `text`; nothing on a bad escape or a decoded control character.
std::optional<std::string> form_decoded(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int high = hex_digit(text[i + 1]);
            const int low = hex_digit(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return std::nullopt;
        out += c;
    }
    return out;
}

// The raw value of the first pair named `name` ("" for a bare name).
std::optional<std::string_view> raw_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const size_t equals = pair.find('=');
        if (pair.substr(0, equals) != name) continue;
        return equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
    const auto raw = raw_parameter(query, name);
    return raw ? form_decoded(*raw) : std::nullopt;
}

bool has_query_parameter(std::string_view query, std::string_view name) {
    return raw_parameter(query, name).has_value();
}

HttpHead parse_http_head(std::string_view bytes) {
    HttpHead head;
    std::string_view rest = bytes;
    std::string_view line;
    do {
        if (!next_line(rest, line)) {
            // A control character already in the request line will not
            // get better with more bytes (a CR at the end may be a CRLF's).
            if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
            return field_value(rest) ? head : HttpHead{HeadStatus::kMalformed, {}};
        }
    } while (line.empty());
    bool http11 = false;
    if (!parse_request_line(line, head.request, http11)) return {HeadStatus::kMalformed, {}};
    int hosts = 0;
    for (;;) {
        if (!next_line(rest, line)) return {HeadStatus::kIncomplete, {}};
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') return {HeadStatus::kMalformed, {}};
        if (!check_field_line(line, hosts)) return {HeadStatus::kMalformed, {}};
    }
    if (hosts > 1 || (http11 && hosts != 1)) return {HeadStatus::kMalformed, {}};
    head.status = HeadStatus::kComplete;
    return head;
}

std::string http_response_text(const HttpResponse& response, bool head_only) {
    std::string out =
        "HTTP/1.1 " + std::to_string(response.status) + ' ' + reason(response.status) + "\r\n";
    if (!response.content_type.empty()) out += "Content-Type: " + response.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    out += response.extra_fields;
    out += "\r\n";
    if (!head_only) out += response.body;
    return out;
}

}  // namespace cairn::net
