#include "cairnctl/doh_message.h"

#include <algorithm>
#include <cctype>

#include "wire/encoding.h"

namespace cairn::ctl {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// RFC 9110 §8.3.1: the type and subtype compare without regard to case;
// parameters (";charset=...") do not change what the body is.
bool is_dns_message(std::string_view content_type) {
    const std::string_view type = trim(content_type.substr(0, content_type.find(';')));
    return std::equal(
        type.begin(), type.end(), kDnsMessageType.begin(), kDnsMessageType.end(),
        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// RFC 6874 §2: the '%' before an IPv6 zone is written "%25" in a URI.
std::string percent_encoded_zone(std::string address) {
    const size_t percent = address.find('%');
    if (percent != std::string::npos) address.insert(percent + 1, "25");
    return address;
}

}  // namespace

std::string base64url(std::span<const uint8_t> data) {
    std::string text = wire::encode_base64(data);
    while (!text.empty() && text.back() == '=')
        text.pop_back();
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

std::string doh_get_path(std::string_view path, std::span<const uint8_t> query) {
    std::string out(path);
    if (out.find('?') == std::string::npos)
        out += '?';
    else if (out.back() != '?' && out.back() != '&')
        out += '&';
    out += "dns=";
    out += base64url(query);
    return out;
}

std::string doh_authority(const ServerAddress& server, std::string_view name) {
    std::string out;
    if (!name.empty())
        out = name;
    else if (server.family() == AF_INET6)
        out = "[" + percent_encoded_zone(server.host_text()) + "]";
    else
        out = server.host_text();
    if (server.port() != kDefaultDohPort) out += ":" + std::to_string(server.port());
    return out;
}

Result<std::vector<uint8_t>, TextError> doh_answer(DohResponse response) {
    if (response.status != 200)
        return text_error("HTTP status " + std::to_string(response.status) +
                          " instead of an answer");
    if (!is_dns_message(response.content_type))
        return text_error("the answer's content-type is '" + response.content_type + "', not " +
                          std::string(kDnsMessageType));
    if (response.body.empty()) return text_error("the answer's body is empty");
    return std::move(response.body);
}

}  // namespace cairn::ctl
