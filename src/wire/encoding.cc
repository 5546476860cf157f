#include "wire/encoding.h"

#include <arpa/inet.h>

namespace cairn::wire {

namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase32HexUpper[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
constexpr char kBase32HexLower[] = "0123456789abcdefghijklmnopqrstuv";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int base32hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'V') return c - 'A' + 10;
    if (c >= 'a' && c <= 'v') return c - 'a' + 10;
    return -1;
}

std::string bad_character(std::string_view what, char c, size_t pos) {
    std::string message = "invalid " + std::string(what) + " character ";
    if (c > 0x20 && c < 0x7f) {
        message += '\'';
        message += c;
        message += '\'';
    } else {
        message += "\\" + std::to_string(static_cast<uint8_t>(c));
    }
    return message + " at position " + std::to_string(pos + 1);
}

}  // namespace

void append_hex(std::string& out, std::span<const uint8_t> data, Letters letters) {
    const char* digits = letters == Letters::kUpper ? kHexUpper : kHexLower;
    out.reserve(out.size() + data.size() * 2);
    for (uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xF]);
    }
}

std::string encode_hex(std::span<const uint8_t> data, Letters letters) {
    std::string out;
    append_hex(out, data, letters);
    return out;
}

Result<std::vector<uint8_t>, TextError> decode_hex(std::string_view text) {
    std::vector<uint8_t> out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); ++i) {
        if (hex_value(text[i]) < 0) return text_error(bad_character("hex", text[i], i));
    }
    if (text.size() % 2 != 0)
        return text_error("odd number of hex digits (" + std::to_string(text.size()) + ")");
    for (size_t i = 0; i < text.size(); i += 2)
        out.push_back(static_cast<uint8_t>(hex_value(text[i]) << 4 | hex_value(text[i + 1])));
    return out;
}

void append_base64(std::string& out, std::span<const uint8_t> data) {
    out.reserve(out.size() + (data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const uint32_t v = uint32_t{data[i]} << 16 | uint32_t{data[i + 1]} << 8 | data[i + 2];
        out.push_back(kBase64[v >> 18]);
        out.push_back(kBase64[v >> 12 & 63]);
        out.push_back(kBase64[v >> 6 & 63]);
        out.push_back(kBase64[v & 63]);
    }
    const size_t rest = data.size() - i;
    if (rest == 0) return;
    const uint32_t v = uint32_t{data[i]} << 16 | (rest == 2 ? uint32_t{data[i + 1]} << 8 : 0);
    out.push_back(kBase64[v >> 18]);
    out.push_back(kBase64[v >> 12 & 63]);
    out.push_back(rest == 2 ? kBase64[v >> 6 & 63] : '=');
    out.push_back('=');
}

std::string encode_base64(std::span<const uint8_t> data) {
    std::string out;
    append_base64(out, data);
    return out;
}

Result<std::vector<uint8_t>, TextError> decode_base64(std::string_view text) {
    if (text.size() % 4 != 0)
        return text_error("base64 length " + std::to_string(text.size()) +
                          " is not a multiple of 4");
    size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=')
        ++padding;
    const size_t chars = text.size() - padding;
    std::vector<uint8_t> out;
    out.reserve(text.size() / 4 * 3);
    uint32_t bits = 0;
    int nbits = 0;
    for (size_t i = 0; i < chars; ++i) {
        const int v = base64_value(text[i]);
        if (v < 0) return text_error(bad_character("base64", text[i], i));
        bits = (bits << 6 | static_cast<uint32_t>(v)) & 0xFFFF;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out.push_back(static_cast<uint8_t>(bits >> nbits));
        }
    }
    // A final group of 2 or 3 characters leaves 4 or 2 bits over; they
    // carry no data and must be zero.
    if ((bits & ((1u << nbits) - 1)) != 0)
        return text_error("base64 has non-zero bits in its last character");
    return out;
}

void append_base32hex(std::string& out, std::span<const uint8_t> data, Letters letters, bool pad) {
    const char* digits = letters == Letters::kUpper ? kBase32HexUpper : kBase32HexLower;
    uint32_t bits = 0;
    int nbits = 0;
    size_t written = 0;
    for (uint8_t b : data) {
        bits = (bits << 8 | b) & 0xFFFF;
        nbits += 8;
        while (nbits >= 5) {
            nbits -= 5;
            out.push_back(digits[bits >> nbits & 31]);
            ++written;
        }
    }
    if (nbits > 0) {
        out.push_back(digits[bits << (5 - nbits) & 31]);
        ++written;
    }
    if (pad) {
        while (written % 8 != 0) {
            out.push_back('=');
            ++written;
        }
    }
}

std::string encode_base32hex(std::span<const uint8_t> data, Letters letters, bool pad) {
    std::string out;
    append_base32hex(out, data, letters, pad);
    return out;
}

Result<std::vector<uint8_t>, TextError> decode_base32hex(std::string_view text) {
    size_t chars = text.size();
    while (chars > 0 && text[chars - 1] == '=')
        --chars;
    const bool padded = chars != text.size();
    if (padded && text.size() % 8 != 0)
        return text_error("padded base32hex length " + std::to_string(text.size()) +
                          " is not a multiple of 8");
    // 1, 3 or 6 characters in the last group cannot hold whole octets.
    const size_t tail = chars % 8;
    if (tail == 1 || tail == 3 || tail == 6)
        return text_error("base32hex length " + std::to_string(chars) + " is not valid");
    if (padded && text.size() - chars >= 8) return text_error("base32hex has too much padding");
    std::vector<uint8_t> out;
    out.reserve(chars * 5 / 8);
    uint32_t bits = 0;
    int nbits = 0;
    for (size_t i = 0; i < chars; ++i) {
        const int v = base32hex_value(text[i]);
        if (v < 0) return text_error(bad_character("base32hex", text[i], i));
        bits = (bits << 5 | static_cast<uint32_t>(v)) & 0xFFFF;
        nbits += 5;
        if (nbits >= 8) {
            nbits -= 8;
            out.push_back(static_cast<uint8_t>(bits >> nbits));
        }
    }
    if ((bits & ((1u << nbits) - 1)) != 0)
        return text_error("base32hex has non-zero bits in its last character");
    return out;
}

void append_quoted(std::string& out, std::span<const uint8_t> data) {
    out.push_back('"');
    for (uint8_t c : data) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c > 0x7e) {
            out.push_back('\\');
            out.push_back(static_cast<char>('0' + c / 100));
            out.push_back(static_cast<char>('0' + c / 10 % 10));
            out.push_back(static_cast<char>('0' + c % 10));
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max) {
    if (text.empty()) return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<uint64_t>(c - '0');
        if (digit > max || value > (max - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view text) {
    std::array<uint8_t, 4> address{};
    size_t pos = 0;
    for (size_t part = 0; part < 4; ++part) {
        if (part > 0) {
            if (pos >= text.size() || text[pos] != '.') return std::nullopt;
            ++pos;
        }
        const size_t start = pos;
        unsigned value = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
            value = value * 10 + static_cast<unsigned>(text[pos] - '0');
            ++pos;
        }
        const size_t digits = pos - start;
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
        address[part] = static_cast<uint8_t>(value);
    }
    if (pos != text.size()) return std::nullopt;
    return address;
}

std::optional<std::array<uint8_t, 16>> parse_ipv6(std::string_view text) {
    // inet_pton needs a terminated string; an address is at most 45 chars.
    if (text.size() > 45) return std::nullopt;
    const std::string terminated(text);
    std::array<uint8_t, 16> address{};
    if (inet_pton(AF_INET6, terminated.c_str(), address.data()) != 1) return std::nullopt;
    return address;
}

void append_ipv4(std::string& out, std::span<const uint8_t, 4> address) {
    for (size_t i = 0; i < 4; ++i) {
        if (i > 0) out.push_back('.');
        out += std::to_string(address[i]);
    }
}

void append_ipv6(std::string& out, std::span<const uint8_t, 16> address) {
    // glibc's inet_ntop writes RFC 5952 text: lower case, the longest
    // (first, on a tie) run of two or more zero groups as "::", and a dotted
    // quad for the IPv4-mapped and -compatible prefixes.
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, address.data(), text, sizeof text) != nullptr) out += text;
}

}  // namespace cairn::wire
