#include "cairnctl/server_address.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <charconv>
#include <cstring>

namespace cairn::ctl {

namespace {

Result<uint16_t, TextError> parse_port(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535)
        return text_error("bad port '" + std::string(text) + "': expected a number 1..65535");
    return static_cast<uint16_t>(value);
}

// IPv6 zone index (RFC 4007 §11): an interface name or its number.
Result<uint32_t, TextError> parse_scope(std::string_view text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (!text.empty() && ec == std::errc() && ptr == end) return static_cast<uint32_t>(value);
    const std::string name(text);
    if (const unsigned index = if_nametoindex(name.c_str()); index != 0) return uint32_t{index};
    return text_error("unknown interface '" + name + "' in IPv6 scope");
}

Result<ServerAddress, TextError> ipv6_address(std::string_view text, uint16_t port) {
    std::string_view host = text;
    uint32_t scope = 0;
    if (const size_t percent = text.find('%'); percent != std::string_view::npos) {
        auto parsed = parse_scope(text.substr(percent + 1));
        if (!parsed) return Unexpected{parsed.error()};
        scope = *parsed;
        host = text.substr(0, percent);
    }
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    sin6.sin6_scope_id = scope;
    const std::string host_string(host);
    if (inet_pton(AF_INET6, host_string.c_str(), &sin6.sin6_addr) != 1)
        return text_error("'" + std::string(text) + "' is not an IPv6 address");
    ServerAddress out;
    std::memcpy(&out.storage, &sin6, sizeof sin6);
    out.length = sizeof sin6;
    return out;
}

Result<ServerAddress, TextError> ipv4_address(std::string_view text, uint16_t port) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    const std::string host(text);
    if (inet_pton(AF_INET, host.c_str(), &sin.sin_addr) != 1)
        return text_error("'" + host +
                          "' is not an IP address (give the server as an IPv4 or IPv6 literal)");
    ServerAddress out;
    std::memcpy(&out.storage, &sin, sizeof sin);
    out.length = sizeof sin;
    return out;
}

}  // namespace

uint16_t ServerAddress::port() const {
    if (family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

std::string ServerAddress::host_text() const {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1] = {};
    if (family() == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        inet_ntop(AF_INET6, &sin6->sin6_addr, buf, INET6_ADDRSTRLEN);
        std::string out(buf);
        if (sin6->sin6_scope_id != 0) {
            char name[IF_NAMESIZE] = {};
            out += '%';
            out += if_indextoname(sin6->sin6_scope_id, name) != nullptr
                       ? std::string(name)
                       : std::to_string(sin6->sin6_scope_id);
        }
        return out;
    }
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    return buf;
}

std::string ServerAddress::to_text() const {
    return host_text() + "#" + std::to_string(port());
}

Result<ServerAddress, TextError> parse_server_address(std::string_view text,
                                                      uint16_t default_port) {
    if (text.empty()) return text_error("empty server address");
    if (text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string_view::npos)
            return text_error("missing ']' in server address '" + std::string(text) + "'");
        const std::string_view rest = text.substr(close + 1);
        uint16_t port = default_port;
        if (!rest.empty()) {
            if (rest.front() != ':')
                return text_error("expected ':PORT' after ']' in '" + std::string(text) + "'");
            auto parsed = parse_port(rest.substr(1));
            if (!parsed) return Unexpected{parsed.error()};
            port = *parsed;
        }
        return ipv6_address(text.substr(1, close - 1), port);
    }
    const size_t first_colon = text.find(':');
    if (first_colon == std::string_view::npos) return ipv4_address(text, default_port);
    // Two or more colons: a bare IPv6 address, which cannot carry a port
    // unambiguously; "[addr]:port" is the form for that.
    if (text.find(':', first_colon + 1) != std::string_view::npos) {
        auto address = ipv6_address(text, default_port);
        if (!address)
            return text_error(address.error().message +
                              " (write an IPv6 address with a port as [ADDRESS]:PORT)");
        return address;
    }
    auto port = parse_port(text.substr(first_colon + 1));
    if (!port) return Unexpected{port.error()};
    return ipv4_address(text.substr(0, first_colon), *port);
}

}  // namespace cairn::ctl
