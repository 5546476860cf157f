#include "config/value_syntax.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <limits>

namespace cairn::config {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads the leading digits of `text` into `value`; returns how many there
// were, or 0 on none or on overflow.
size_t take_number(std::string_view text, uint64_t& value) {
    size_t used = 0;
    value = 0;
    while (used < text.size() && is_digit(text[used])) {
        const uint64_t digit = static_cast<uint64_t>(text[used] - '0');
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return 0;
        value = value * 10 + digit;
        ++used;
    }
    return used;
}

bool multiply(uint64_t a, uint64_t b, uint64_t& out) {
    return !__builtin_mul_overflow(a, b, &out);
}

struct Unit {
    std::string_view name;
    uint64_t milliseconds;
};

// Largest first: format_duration takes the first that divides exactly.
constexpr std::array<Unit, 5> kDurationUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

// Ten thousand years: anything longer is a typo, and the limit keeps all
// arithmetic far from overflow.
constexpr uint64_t kLongestDurationMs = 10'000ull * 366 * 86'400'000;

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
    for (std::string_view yes : {"true", "yes", "on"})
        if (equals_ignoring_case(text, yes)) return true;
    for (std::string_view no : {"false", "no", "off"})
        if (equals_ignoring_case(text, no)) return false;
    return std::nullopt;
}

std::optional<uint64_t> parse_unsigned(std::string_view text) {
    uint64_t value = 0;
    const size_t used = take_number(text, value);
    if (used == 0 || used != text.size()) return std::nullopt;
    return value;
}

std::optional<uint64_t> parse_size(std::string_view text) {
    uint64_t value = 0;
    const size_t used = take_number(text, value);
    if (used == 0) return std::nullopt;
    std::string_view suffix = text.substr(used);
    uint64_t scale = 1;
    if (!suffix.empty()) {
        switch (lower(suffix.front())) {
            case 'k': scale = uint64_t{1} << 10; break;
            case 'm': scale = uint64_t{1} << 20; break;
            case 'g': scale = uint64_t{1} << 30; break;
            case 't': scale = uint64_t{1} << 40; break;
            case 'b': scale = 1; break;
            default: return std::nullopt;
        }
        const std::string_view rest = suffix.substr(1);
        const bool plain_bytes = lower(suffix.front()) == 'b';
        if (!(rest.empty() || (!plain_bytes && equals_ignoring_case(rest, "b")) ||
              (!plain_bytes && equals_ignoring_case(rest, "ib"))))
            return std::nullopt;
    }
    uint64_t bytes = 0;
    if (!multiply(value, scale, bytes)) return std::nullopt;
    return bytes;
}

std::string format_size(uint64_t bytes) {
    constexpr std::array<std::pair<char, unsigned>, 4> units = {
        {{'t', 40}, {'g', 30}, {'m', 20}, {'k', 10}}};
    if (bytes != 0) {
        for (const auto& [letter, shift] : units) {
            const uint64_t unit = uint64_t{1} << shift;
            if (bytes % unit == 0) return std::to_string(bytes / unit) + letter;
        }
    }
    return std::to_string(bytes);
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    uint64_t total = 0;
    // A plain number is seconds, as in TTLs.
    if (auto seconds = parse_unsigned(text)) {
        if (*seconds > kLongestDurationMs / 1000) return std::nullopt;
        return std::chrono::milliseconds(*seconds * 1000);
    }
    if (text.empty()) return std::nullopt;
    while (!text.empty()) {
        uint64_t count = 0;
        const size_t used = take_number(text, count);
        if (used == 0) return std::nullopt;
        text.remove_prefix(used);
        size_t unit_length = 0;
        while (unit_length < text.size() && !is_digit(text[unit_length]))
            ++unit_length;
        const std::string_view unit_name = text.substr(0, unit_length);
        text.remove_prefix(unit_length);
        const Unit* unit = nullptr;
        for (const Unit& candidate : kDurationUnits)
            if (candidate.name == unit_name) unit = &candidate;
        if (unit == nullptr) return std::nullopt;
        uint64_t part = 0;
        if (!multiply(count, unit->milliseconds, part) || part > kLongestDurationMs)
            return std::nullopt;
        total += part;
        if (total > kLongestDurationMs) return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<int64_t>(total));
}

std::string format_duration(std::chrono::milliseconds duration) {
    const int64_t count = duration.count();
    if (count == 0) return "0s";
    if (count < 0) return std::to_string(count) + "ms";
    const uint64_t ms = static_cast<uint64_t>(count);
    for (const Unit& unit : kDurationUnits)
        if (ms % unit.milliseconds == 0)
            return std::to_string(ms / unit.milliseconds) + std::string(unit.name);
    return std::to_string(ms) + "ms";  // not reached: every count divides by 1 ms
}

std::string yaml_scalar(std::string_view text) {
    bool plain =
        !text.empty() && text.front() != '-' && text != "null" && text != "Null" && text != "NULL";
    for (char c : text) {
        const bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                          c == '/' || c == '-';
        if (!word) plain = false;
    }
    if (plain) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

}  // namespace cairn::config
