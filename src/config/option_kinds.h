// The kinds of option values. Each kind is a small value type with:
//   using Value = <the Config field's type>;
//   type()      the kind's name in the documentation ("size")
//   range()     the allowed range in words, or empty
//   expected()  what a value must look like, for error messages
//   parse(text) -> Result<Value, std::string>, the error a whole message
//               ("'12q' is not a size (expected ...)"); a kind that needs the
//               LoadContext takes it as a second argument
//   format(v)   the value as YAML text that parse() reads back
// Kinds that can be list elements also have plural() ("socket addresses");
// list kinds (ListOf) have `Element` and `check(list)`.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/option.h"
#include "config/value_syntax.h"
#include "wire/ip_address.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::config {

template <class T>
using Parsed = Result<T, std::string>;

// "'12q' is not a size (expected bytes, or a number with k/m/g)".
Unexpected<std::string> not_a(std::string_view text, std::string_view noun,
                              std::string_view expected);
// "'9000' is out of range (allowed: 512 to 4096)".
Unexpected<std::string> out_of_range(std::string_view text, std::string_view range);
// "512 to 4096", "0s to 1d", "at least 1m", or empty for the whole domain.
std::string range_text(const std::string& min, const std::string& max, bool has_min, bool has_max);

struct Boolean {
    using Value = bool;
    std::string type() const { return "boolean"; }
    std::string range() const { return {}; }
    std::string expected() const { return "true/false, yes/no or on/off"; }
    Parsed<bool> parse(std::string_view text) const;
    std::string format(bool value) const { return value ? "true" : "false"; }
};

// A whole number in [min, max].
template <class T>
struct Number {
    using Value = T;
    T min = 0;
    T max = std::numeric_limits<T>::max();

    std::string type() const { return "integer"; }
    std::string range() const {
        return range_text(std::to_string(min), std::to_string(max), min != 0,
                          max != std::numeric_limits<T>::max());
    }
    std::string expected() const {
        const std::string limits = range();
        return limits.empty() ? "a whole number" : "a whole number, " + limits;
    }
    Parsed<T> parse(std::string_view text) const {
        const auto value = parse_unsigned(text);
        if (!value) return not_a(text, "a whole number", range().empty() ? "digits" : range());
        if (*value < min || *value > max) return out_of_range(text, range());
        return static_cast<T>(*value);
    }
    std::string format(T value) const { return std::to_string(value); }
};

// Bytes, with k/m/g/t suffixes.
struct Size {
    using Value = size_t;
    size_t min = 0;
    size_t max = std::numeric_limits<size_t>::max();

    std::string type() const { return "size"; }
    std::string range() const;
    std::string expected() const { return "bytes, or a number with k/m/g"; }
    Parsed<size_t> parse(std::string_view text) const;
    std::string format(size_t value) const { return format_size(value); }
};

// A duration kept in milliseconds (timeouts).
struct Duration {
    using Value = std::chrono::milliseconds;
    std::chrono::milliseconds min{0};
    std::chrono::milliseconds max = std::chrono::milliseconds::max();

    std::string type() const { return "duration"; }
    std::string range() const;
    std::string expected() const;
    Parsed<std::chrono::milliseconds> parse(std::string_view text) const;
    std::string format(std::chrono::milliseconds value) const { return format_duration(value); }
};

// A duration kept in whole seconds (TTLs).
struct Seconds {
    using Value = uint32_t;
    uint32_t min = 0;
    uint32_t max = std::numeric_limits<uint32_t>::max();

    std::string type() const { return "duration"; }
    std::string range() const;
    std::string expected() const;
    Parsed<uint32_t> parse(std::string_view text) const;
    std::string format(uint32_t value) const;
};

// Free text, at most max_length bytes.
struct Text {
    using Value = std::string;
    size_t max_length = std::numeric_limits<size_t>::max();

    std::string type() const { return "string"; }
    std::string plural() const { return "strings"; }
    std::string range() const;
    std::string expected() const { return "text"; }
    Parsed<std::string> parse(std::string_view text) const;
    std::string format(const std::string& value) const { return yaml_scalar(value); }
};

// A file name; empty means the option's documented fallback. Relative names
// are resolved against LoadContext::base_dir.
struct FilePath {
    using Value = std::string;
    bool must_be_readable = false;  // an input file, checked when the file is read
    bool unix_socket = false;       // must fit in sockaddr_un::sun_path

    std::string type() const { return "file path"; }
    std::string plural() const { return "file paths"; }
    std::string range() const;
    std::string expected() const { return "a file path"; }
    Parsed<std::string> parse(std::string_view text, const LoadContext& context) const;
    std::string format(const std::string& value) const { return yaml_scalar(value); }
};

// One word out of a fixed set, in any letter case (stored as listed).
struct Keyword {
    using Value = std::string;
    std::vector<std::string_view> words;

    std::string type() const { return "keyword"; }
    std::string range() const;
    std::string expected() const;
    Parsed<std::string> parse(std::string_view text) const;
    std::string format(const std::string& value) const { return yaml_scalar(value); }
};

// A secret key of 16 octets written as 32 hexadecimal digits; empty: none.
struct HexKey {
    using Value = std::optional<std::array<uint8_t, 16>>;

    std::string type() const { return "hex key"; }
    std::string range() const { return {}; }
    std::string expected() const { return "32 hexadecimal digits (16 octets), or empty"; }
    Parsed<Value> parse(std::string_view text) const;
    std::string format(const Value& value) const;
};

// Elements of lists.

// "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353"; `default_port` (53)
// unless given. A `default_port` of 0 leaves a missing port 0, for the
// program to decide (a forwarder's depends on whether it speaks TLS).
struct Endpoint {
    using Value = wire::SocketAddress;
    uint16_t default_port = 53;
    std::string type() const { return "socket address"; }
    std::string plural() const { return "socket addresses"; }
    std::string range() const { return {}; }
    std::string expected() const;
    Parsed<wire::SocketAddress> parse(std::string_view text) const;
    std::string format(const wire::SocketAddress& value) const;
};

// An Endpoint, or empty ("") for none.
struct OptionalEndpoint {
    using Value = std::optional<wire::SocketAddress>;
    Endpoint endpoint{};
    std::string type() const { return endpoint.type(); }
    std::string range() const { return {}; }
    std::string expected() const { return endpoint.expected() + ", or empty"; }
    Parsed<Value> parse(std::string_view text) const;
    std::string format(const Value& value) const;
};

// "192.0.2.0/24", "2001:db8::/32", or one address as a host prefix.
struct Prefix {
    using Value = wire::IpPrefix;
    std::string type() const { return "IP prefix"; }
    std::string plural() const { return "IP prefixes"; }
    std::string range() const { return {}; }
    std::string expected() const;
    Parsed<wire::IpPrefix> parse(std::string_view text) const;
    std::string format(const wire::IpPrefix& value) const;
};

struct Address {
    using Value = wire::IpAddress;
    std::string type() const { return "IP address"; }
    std::string plural() const { return "IP addresses"; }
    std::string range() const { return {}; }
    std::string expected() const;
    Parsed<wire::IpAddress> parse(std::string_view text) const;
    std::string format(const wire::IpAddress& value) const;
};

// "example.com" or "example.com.": always absolute.
struct DomainName {
    using Value = wire::Name;
    std::string type() const { return "domain name"; }
    std::string plural() const { return "domain names"; }
    std::string range() const { return {}; }
    std::string expected() const { return "a domain name such as example.com"; }
    Parsed<wire::Name> parse(std::string_view text) const;
    std::string format(const wire::Name& value) const;
};

// One resource record in zone-file syntax, "owner [ttl] [class] type rdata"
// (wire/zone_reader.h): names are absolute with or without the final dot, the
// TTL is `default_ttl` unless given, the class IN unless given.
struct ZoneRecord {
    using Value = wire::Record;
    uint32_t default_ttl = 3600;
    std::string type() const { return "record"; }
    std::string plural() const { return "records"; }
    std::string range() const { return {}; }
    std::string expected() const {
        return "a record in zone-file syntax such as \"www.example. 300 IN A 192.0.2.1\"";
    }
    Parsed<wire::Record> parse(std::string_view text) const;
    std::string format(const wire::Record& value) const;
};

// A YAML list of elements, or one scalar for a list of one.
template <class E>
struct ListOf {
    using Element = E;
    using Value = std::vector<typename E::Value>;
    E element{};
    bool at_least_one = false;

    std::string type() const { return "list of " + element.plural(); }
    std::string range() const { return at_least_one ? "at least one" : ""; }
    std::string expected() const {
        return "one or a list of " + element.plural() + ": " + element.expected();
    }
    std::optional<std::string> check(const Value& list) const {
        if (at_least_one && list.empty()) return "needs at least one " + element.type();
        return std::nullopt;
    }
    std::string format(const Value& list) const {
        std::string out = "[";
        for (const auto& item : list) {
            if (out.size() > 1) out += ", ";
            out += element.format(item);
        }
        return out + "]";
    }
};

}  // namespace cairn::config
