// Byte <-> text encodings used by presentation format: hex, base64 and
// base32hex (RFC 4648), quoted <character-string>s and IP addresses.
// Decoders are strict so that decoding then encoding gives back the text
// (up to letter case): DNS text must round-trip exactly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"

namespace cairn::wire {

enum class Letters : uint8_t { kLower, kUpper };

// Hex without separators; lower-case by default, as dnspython prints digests.
void append_hex(std::string& out, std::span<const uint8_t> data, Letters letters = Letters::kLower);
std::string encode_hex(std::span<const uint8_t> data, Letters letters = Letters::kLower);
// Either case; an even number of hex digits and nothing else.
Result<std::vector<uint8_t>, TextError> decode_hex(std::string_view text);

// RFC 4648 §4, with '=' padding.
void append_base64(std::string& out, std::span<const uint8_t> data);
std::string encode_base64(std::span<const uint8_t> data);
// Length a multiple of four, '=' only as the final padding, and unused bits
// of the last character zero (RFC 4648 §3.5 lets decoders insist on this).
Result<std::vector<uint8_t>, TextError> decode_base64(std::string_view text);

// RFC 4648 §7 "base32hex" (0-9, A-V). NSEC3 (RFC 5155 §3.3) uses it without
// padding, which is the default here.
void append_base32hex(std::string& out, std::span<const uint8_t> data,
                      Letters letters = Letters::kUpper, bool pad = false);
std::string encode_base32hex(std::span<const uint8_t> data, Letters letters = Letters::kUpper,
                             bool pad = false);
// Either case; '=' padding optional but, if present, complete. Unused bits of
// the last character must be zero.
Result<std::vector<uint8_t>, TextError> decode_base32hex(std::string_view text);

// A <character-string> (or CAA value) in double quotes: '"' and '\' escaped
// with a backslash, octets outside 0x20..0x7e as \DDD. This is dnspython's
// rule, and the result always reads back through tokenize() + unescape().
void append_quoted(std::string& out, std::span<const uint8_t> data);
inline void append_quoted(std::string& out, std::string_view data) {
    append_quoted(out, {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
}

// An unsigned decimal number of at most `max`: digits only, no sign or
// space (leading zeros are fine, as in BIND and dnspython).
std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max);

// Dotted quad, strictly: four decimal parts 0..255 without leading zeros
// (a leading zero means octal to some parsers) and nothing around them.
std::optional<std::array<uint8_t, 4>> parse_ipv4(std::string_view text);
// Any RFC 4291 §2.2 form, including an embedded dotted quad.
std::optional<std::array<uint8_t, 16>> parse_ipv6(std::string_view text);
void append_ipv4(std::string& out, std::span<const uint8_t, 4> address);
// RFC 5952 canonical text.
void append_ipv6(std::string& out, std::span<const uint8_t, 16> address);

}  // namespace cairn::wire
