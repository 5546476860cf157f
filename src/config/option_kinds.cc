#include "config/option_kinds.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/suggest.h"
#include "wire/zone_reader.h"

namespace cairn::config {
namespace {

std::string in_quotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// sockaddr_un::sun_path holds 108 bytes including the terminating NUL.
constexpr size_t kUnixPathMax = 107;

}  // namespace

Unexpected<std::string> not_a(std::string_view text, std::string_view noun,
                              std::string_view expected) {
    return Unexpected<std::string>{in_quotes(text) + " is not " + std::string(noun) +
                                   " (expected " + std::string(expected) + ")"};
}

Unexpected<std::string> out_of_range(std::string_view text, std::string_view range) {
    return Unexpected<std::string>{in_quotes(text) +
                                   " is out of range (allowed: " + std::string(range) + ")"};
}

std::string range_text(const std::string& min, const std::string& max, bool has_min, bool has_max) {
    if (has_max) return min + " to " + max;
    if (has_min) return "at least " + min;
    return {};
}

Parsed<bool> Boolean::parse(std::string_view text) const {
    if (auto value = parse_bool(text)) return *value;
    return not_a(text, "a boolean", expected());
}

std::string Size::range() const {
    return range_text(format_size(min), format_size(max), min != 0,
                      max != std::numeric_limits<size_t>::max());
}

Parsed<size_t> Size::parse(std::string_view text) const {
    const auto value = parse_size(text);
    if (!value || *value > std::numeric_limits<size_t>::max())
        return not_a(text, "a size", expected());
    if (*value < min || *value > max) return out_of_range(text, range());
    return static_cast<size_t>(*value);
}

std::string Duration::range() const {
    return range_text(format_duration(min), format_duration(max), min.count() != 0,
                      max != std::chrono::milliseconds::max());
}

std::string Duration::expected() const {
    return "a number with a unit ms, s, m, h or d, such as 800ms or 10s; a plain number is "
           "seconds";
}

Parsed<std::chrono::milliseconds> Duration::parse(std::string_view text) const {
    const auto value = parse_duration(text);
    if (!value) return not_a(text, "a duration", expected());
    if (*value < min || *value > max) return out_of_range(text, range());
    return *value;
}

std::string Seconds::range() const {
    return range_text(format(min), format(max), min != 0,
                      max != std::numeric_limits<uint32_t>::max());
}

std::string Seconds::expected() const {
    return "whole seconds, or a number with a unit s, m, h or d, such as 300 or 1h";
}

Parsed<uint32_t> Seconds::parse(std::string_view text) const {
    const auto value = parse_duration(text);
    if (!value) return not_a(text, "a duration", expected());
    if (value->count() % 1000 != 0) return not_a(text, "a whole number of seconds", expected());
    const auto seconds = static_cast<uint64_t>(value->count() / 1000);
    if (seconds < min || seconds > max) return out_of_range(text, range());
    return static_cast<uint32_t>(seconds);
}

std::string Seconds::format(uint32_t value) const {
    return format_duration(std::chrono::seconds(value));
}

std::string Text::range() const {
    if (max_length == std::numeric_limits<size_t>::max()) return {};
    return "at most " + std::to_string(max_length) + " bytes";
}

Parsed<std::string> Text::parse(std::string_view text) const {
    if (text.size() > max_length)
        return Unexpected<std::string>{"the value is " + std::to_string(text.size()) +
                                       " bytes long (allowed: " + range() + ")"};
    return std::string(text);
}

std::string FilePath::range() const {
    if (unix_socket) return "at most " + std::to_string(kUnixPathMax) + " bytes";
    return {};
}

Parsed<std::string> FilePath::parse(std::string_view text, const LoadContext& context) const {
    std::string path(text);
    if (path.empty()) return path;
    if (path.find('\0') != std::string::npos) return not_a(text, "a file path", "no NUL bytes");
    if (!context.base_dir.empty() && std::filesystem::path(path).is_relative())
        path = (std::filesystem::path(context.base_dir) / path).lexically_normal().string();
    if (unix_socket && path.size() > kUnixPathMax)
        return Unexpected<std::string>{in_quotes(path) +
                                       " is too long for a Unix socket (allowed: " + range() + ")"};
    if (must_be_readable && ::access(path.c_str(), R_OK) != 0)
        return Unexpected<std::string>{"cannot read " + in_quotes(path) + ": " +
                                       std::strerror(errno)};
    return path;
}

std::string Keyword::range() const {
    std::string out;
    for (std::string_view word : words) {
        if (!out.empty()) out += ", ";
        out += word;
    }
    return out;
}

std::string Keyword::expected() const {
    return "one of " + range();
}

Parsed<std::string> Keyword::parse(std::string_view text) const {
    for (std::string_view word : words)
        if (word.size() == text.size() &&
            std::equal(word.begin(), word.end(), text.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            }))
            return std::string(word);
    std::string message = not_a(text, "a known keyword", expected()).error;
    if (const auto close = closest_word(text, words))
        message += "; did you mean '" + std::string(*close) + "'?";
    return Unexpected<std::string>{std::move(message)};
}

Parsed<HexKey::Value> HexKey::parse(std::string_view text) const {
    if (text.empty()) return Value{};
    std::array<uint8_t, 16> key{};
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    if (text.size() != 2 * key.size()) return not_a(text, "a 16-octet hex key", expected());
    for (size_t i = 0; i < key.size(); ++i) {
        const int high = digit(text[2 * i]);
        const int low = digit(text[2 * i + 1]);
        if (high < 0 || low < 0) return not_a(text, "a 16-octet hex key", expected());
        key[i] = static_cast<uint8_t>(high << 4 | low);
    }
    return Value{key};
}

std::string HexKey::format(const Value& value) const {
    if (!value) return "\"\"";
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "\"";
    for (const uint8_t octet : *value) {
        out += kDigits[octet >> 4];
        out += kDigits[octet & 0xf];
    }
    return out + "\"";
}

std::string Endpoint::expected() const {
    return "ADDRESS or ADDRESS:PORT, with an IPv6 address in brackets when a port follows, as in "
           "[::1]:" +
           std::to_string(default_port == 0 ? 853 : default_port);
}

Parsed<wire::SocketAddress> Endpoint::parse(std::string_view text) const {
    const auto value = wire::SocketAddress::parse(text, default_port);
    if (!value) return not_a(text, "a socket address", expected());
    const bool port_given = wire::SocketAddress::parse(text, 1)->port != 1 || value->port != 0;
    if (value->port == 0 && port_given) return out_of_range(text, "ports 1 to 65535");
    return *value;
}

std::string Endpoint::format(const wire::SocketAddress& value) const {
    if (value.port == 0) return yaml_scalar(value.address.to_string());
    return yaml_scalar(value.to_string());
}

Parsed<OptionalEndpoint::Value> OptionalEndpoint::parse(std::string_view text) const {
    if (text.empty()) return Value{};
    auto value = endpoint.parse(text);
    if (!value) return Unexpected{value.error()};
    return Value{*value};
}

std::string OptionalEndpoint::format(const Value& value) const {
    return value ? endpoint.format(*value) : "\"\"";
}

std::string Prefix::expected() const {
    return "ADDRESS/LENGTH such as 192.0.2.0/24 or 2001:db8::/32, or a single address";
}

Parsed<wire::IpPrefix> Prefix::parse(std::string_view text) const {
    if (auto value = wire::IpPrefix::parse(text)) return *value;
    return not_a(text, "an IP prefix", expected());
}

std::string Prefix::format(const wire::IpPrefix& value) const {
    return yaml_scalar(value.to_string());
}

std::string Address::expected() const {
    return "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1";
}

Parsed<wire::IpAddress> Address::parse(std::string_view text) const {
    if (auto value = wire::IpAddress::parse(text)) return *value;
    return not_a(text, "an IP address", expected());
}

std::string Address::format(const wire::IpAddress& value) const {
    return yaml_scalar(value.to_string());
}

Parsed<wire::Name> DomainName::parse(std::string_view text) const {
    std::string absolute(text);
    if (absolute.empty() || absolute.back() != '.') absolute.push_back('.');
    if (auto value = wire::Name::from_text(absolute)) return *value;
    return not_a(text, "a domain name", expected());
}

std::string DomainName::format(const wire::Name& value) const {
    return yaml_scalar(value.to_text());
}

Parsed<wire::Record> ZoneRecord::parse(std::string_view text) const {
    auto record = wire::parse_record(text, wire::Name::root(), default_ttl);
    if (!record)
        return Unexpected<std::string>{"'" + std::string(text) +
                                       "' is not a record: " + record.error().message};
    return std::move(*record);
}

std::string ZoneRecord::format(const wire::Record& value) const {
    return yaml_scalar(value.to_text());
}

}  // namespace cairn::config
