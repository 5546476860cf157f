#include "net/doh_request.h"

#include <algorithm>
#include <cctype>

#include "wire/header.h"

namespace cairn::net {

namespace {

int base64url_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The media type without parameters ("application/dns-message; x=y").
std::string_view media_type(std::string_view content_type) {
    const auto end = content_type.find(';');
    auto type = content_type.substr(0, end);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.remove_suffix(1);
    return type;
}

// The value of the one `dns` parameter of `query` (the part after '?');
// nullopt when there is none or more than one.
std::optional<std::string_view> dns_parameter(std::string_view query) {
    std::optional<std::string_view> found;
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto pair = query.substr(0, end);
        if (pair.substr(0, 4) == "dns=") {
            if (found) return std::nullopt;
            found = pair.substr(4);
        }
        if (end == std::string_view::npos) break;
        query.remove_prefix(end + 1);
    }
    return found;
}

DohVerdict fail(unsigned status) {
    return DohVerdict{status, {}};
}

}  // namespace

void DohRequest::append_body(std::span<const uint8_t> data) {
    if (body_too_large || body.size() + data.size() > kMaxDohMessage) {
        body_too_large = true;
        body.clear();
        return;
    }
    body.insert(body.end(), data.begin(), data.end());
}

bool decode_base64url(std::string_view text, std::vector<uint8_t>& out) {
    out.clear();
    if (text.size() % 4 == 1) return false;
    uint32_t bits = 0;
    int nbits = 0;
    for (char c : text) {
        const int v = base64url_value(c);
        if (v < 0) return false;
        bits = (bits << 6 | static_cast<uint32_t>(v)) & 0xFFFF;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out.push_back(static_cast<uint8_t>(bits >> nbits));
        }
    }
    return (bits & ((1u << nbits) - 1)) == 0;
}

DohVerdict judge(const DohRequest& request, std::string_view path, std::vector<uint8_t>& scratch) {
    const std::string_view target = request.path;
    const auto question_mark = target.find('?');
    if (target.substr(0, question_mark) != path) return fail(404);
    std::span<const uint8_t> query;
    if (request.method == "POST") {
        if (request.body_too_large ||
            (request.content_length && *request.content_length > kMaxDohMessage))
            return fail(413);
        if (!equal_ignoring_case(media_type(request.content_type), kDnsMessageType))
            return fail(415);
        query = request.body;
    } else if (request.method == "GET") {
        if (question_mark == std::string_view::npos) return fail(400);
        const auto value = dns_parameter(target.substr(question_mark + 1));
        // The longest base64url text a 65,535-octet message needs.
        if (!value || value->size() > (kMaxDohMessage * 4 + 2) / 3) return fail(400);
        if (!decode_base64url(*value, scratch)) return fail(400);
        query = scratch;
    } else {
        return fail(405);
    }
    if (query.size() < wire::Header::kSize) return fail(400);
    return DohVerdict{200, query};
}

}  // namespace cairn::net
