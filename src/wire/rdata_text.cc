// Presentation format of RDATA, driven by the field table in
// rdata_schema.cc: one reader and one printer per FieldKind, no per-type
// code. Types without a typed format use RFC 3597 `\# <length> <hex>`.
#include <algorithm>

#include "wire/algorithm_mnemonic.h"
#include "wire/encoding.h"
#include "wire/rdata.h"
#include "wire/rdata_schema.h"
#include "wire/svcb_text.h"
#include "wire/type_bitmap.h"

namespace cairn::wire {

namespace {

using TextStatus = Status<TextError>;
using Bytes = std::vector<uint8_t>;

// For error messages, in FieldKind order.
constexpr std::string_view kFieldDescriptions[] = {
    "8-bit number",
    "algorithm",  // a number or a mnemonic
    "16-bit number",
    "32-bit number",
    "IPv4 address",
    "IPv6 address",
    "domain name",
    "character-string",
    "character-strings",
    "hex data",
    "base64 data",
    "time",
    "type",
    "type list",
    "salt",
    "base32hex hash",
    "CAA tag",
    "CAA value",
    "SvcParams",
    "opaque data",
};
static_assert(std::size(kFieldDescriptions) == static_cast<size_t>(FieldKind::kOpaque) + 1);

std::string describe(FieldKind kind) {
    return std::string(kFieldDescriptions[static_cast<size_t>(kind)]);
}

// Fields that consume every token left; the others take exactly one.
bool takes_rest(FieldKind kind) {
    switch (kind) {
        case FieldKind::kCharStrings:
        case FieldKind::kHexRest:
        case FieldKind::kBase64Rest:
        case FieldKind::kTypeBitmap:
        case FieldKind::kSvcParams:
        case FieldKind::kOpaque: return true;
        default: return false;
    }
}

void put_u16(Bytes& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void put_u32(Bytes& out, uint32_t v) {
    put_u16(out, static_cast<uint16_t>(v >> 16));
    put_u16(out, static_cast<uint16_t>(v));
}

void put_counted(Bytes& out, std::span<const uint8_t> data) {
    out.push_back(static_cast<uint8_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
}

// Hex and base64 may be split over several tokens (RFC 4034 §2.2, §5.3).
std::string joined(std::span<const Token> tokens) {
    std::string text;
    for (const Token& t : tokens)
        text += t.text;
    return text;
}

std::string quote(std::string_view text) {
    return "'" + std::string(text) + "'";
}

// Calendar arithmetic for RRSIG times (RFC 4034 §3.2): seconds since
// 1970-01-01 UTC, proleptic Gregorian calendar, no leap seconds.
constexpr int64_t kSecondsPerDay = 86400;

bool is_leap(int64_t year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int64_t year, int month) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from 0001-01-01 to January 1st of `year`.
int64_t days_before_year(int64_t year) {
    const int64_t y = year - 1;
    return 365 * y + y / 4 - y / 100 + y / 400;
}

// ---- text to wire, one function per field kind ----

TextStatus number_from_text(const Token& token, int octets, Bytes& out) {
    const uint64_t max = octets == 1 ? 0xFF : octets == 2 ? 0xFFFF : 0xFFFFFFFF;
    auto value = parse_unsigned(token.text, max);
    if (!value)
        return text_error(quote(token.text) + " is not a number in 0.." + std::to_string(max));
    for (int shift = (octets - 1) * 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(*value >> shift));
    return {};
}

// RFC 4034 §2.2, §3.2, §5.3: the algorithm field may hold a number or its
// mnemonic (App. A.1), read without regard to case as BIND and dnspython do.
TextStatus algorithm_from_text(const Token& token, Bytes& out) {
    if (auto number = algorithm_from_mnemonic(token.text)) {
        out.push_back(*number);
        return {};
    }
    auto value = parse_unsigned(token.text, 0xFF);
    if (!value)
        return text_error(quote(token.text) +
                          " is neither a number in 0..255 nor an algorithm mnemonic");
    out.push_back(static_cast<uint8_t>(*value));
    return {};
}

TextStatus ipv4_from_text(const Token& token, Bytes& out) {
    auto address = parse_ipv4(token.text);
    if (!address) return text_error(quote(token.text) + " is not a dotted-quad IPv4 address");
    out.insert(out.end(), address->begin(), address->end());
    return {};
}

TextStatus ipv6_from_text(const Token& token, Bytes& out) {
    auto address = parse_ipv6(token.text);
    if (!address) return text_error(quote(token.text) + " is not an IPv6 address");
    out.insert(out.end(), address->begin(), address->end());
    return {};
}

TextStatus name_from_text(const Token& token, const Name& origin, Bytes& out) {
    if (!token.quoted && token.text == "@") {
        out.insert(out.end(), origin.wire().begin(), origin.wire().end());
        return {};
    }
    auto name = Name::from_text(token.text, origin);
    if (!name) return Unexpected{name.error()};
    out.insert(out.end(), name->wire().begin(), name->wire().end());
    return {};
}

Result<std::string, TextError> char_string_bytes(const Token& token, size_t max) {
    auto bytes = unescape(token.text);
    if (!bytes) return bytes;
    if (bytes->size() > max)
        return text_error("\"" + token.text + "\" is " + std::to_string(bytes->size()) +
                          " octets, more than " + std::to_string(max));
    return bytes;
}

TextStatus char_string_from_text(const Token& token, Bytes& out) {
    auto bytes = char_string_bytes(token, 255);
    if (!bytes) return Unexpected{bytes.error()};
    out.push_back(static_cast<uint8_t>(bytes->size()));
    out.insert(out.end(), bytes->begin(), bytes->end());
    return {};
}

TextStatus char_strings_from_text(std::span<const Token> tokens, Bytes& out) {
    for (const Token& token : tokens) {
        if (auto st = char_string_from_text(token, out); !st) return st;
    }
    return {};
}

TextStatus hex_rest_from_text(std::span<const Token> tokens, Bytes& out) {
    auto bytes = decode_hex(joined(tokens));
    if (!bytes) return Unexpected{bytes.error()};
    out.insert(out.end(), bytes->begin(), bytes->end());
    return {};
}

TextStatus base64_rest_from_text(std::span<const Token> tokens, Bytes& out) {
    auto bytes = decode_base64(joined(tokens));
    if (!bytes) return Unexpected{bytes.error()};
    out.insert(out.end(), bytes->begin(), bytes->end());
    return {};
}

// RFC 4034 §3.2: YYYYMMDDHHmmSS (UTC) or a decimal number of seconds. As in
// dnspython, a plain number has at most 10 digits, so 14 digits is a date.
TextStatus time_from_text(const Token& token, Bytes& out) {
    const std::string& text = token.text;
    if (text.size() <= 10) {
        auto seconds = parse_unsigned(text, 0xFFFFFFFF);
        if (!seconds) return text_error(quote(text) + " is not a number in 0..4294967295");
        put_u32(out, static_cast<uint32_t>(*seconds));
        return {};
    }
    if (text.size() != 14 || !parse_unsigned(text, UINT64_MAX))
        return text_error(quote(text) + " is neither YYYYMMDDHHmmSS nor a number of seconds");
    auto part = [&](size_t pos, size_t len) {
        return static_cast<int>(*parse_unsigned(std::string_view(text).substr(pos, len), 9999));
    };
    const int year = part(0, 4), month = part(4, 2), day = part(6, 2);
    const int hour = part(8, 2), minute = part(10, 2), second = part(12, 2);
    // BIND's limits; 60 allows a leap second, which simply counts on.
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 60)
        return text_error(quote(text) +
                          " is not a valid date and time (YYYYMMDDHHmmSS, from 1970)");
    int64_t days = days_before_year(year) - days_before_year(1970);
    for (int m = 1; m < month; ++m)
        days += days_in_month(year, m);
    days += day - 1;
    const int64_t seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
    // The field is serial-number time (RFC 4034 §3.1.5): modulo 2^32.
    put_u32(out, static_cast<uint32_t>(seconds & 0xFFFFFFFF));
    return {};
}

TextStatus rrtype_from_text(const Token& token, Bytes& out) {
    auto type = rrtype_from_string(token.text);
    if (!type) return text_error(quote(token.text) + " is not a type mnemonic or TYPEnnn");
    put_u16(out, static_cast<uint16_t>(*type));
    return {};
}

// Any order, duplicates merged; TypeBitmap writes the canonical windows.
TextStatus type_bitmap_from_text(std::span<const Token> tokens, Bytes& out) {
    std::vector<RRType> types;
    for (const Token& token : tokens) {
        auto type = rrtype_from_string(token.text);
        if (!type) return text_error(quote(token.text) + " is not a type mnemonic or TYPEnnn");
        types.push_back(*type);
    }
    const auto bitmap = TypeBitmap::from_types(types);
    out.insert(out.end(), bitmap.wire().begin(), bitmap.wire().end());
    return {};
}

// RFC 5155 §3.3: hex, or "-" for an empty salt.
TextStatus salt_from_text(const Token& token, Bytes& out) {
    if (token.text == "-") {
        out.push_back(0);
        return {};
    }
    auto bytes = decode_hex(token.text);
    if (!bytes) return Unexpected{bytes.error()};
    if (bytes->size() > 255) return text_error("salt longer than 255 octets");
    put_counted(out, *bytes);
    return {};
}

TextStatus hash_base32_from_text(const Token& token, Bytes& out) {
    auto bytes = decode_base32hex(token.text);
    if (!bytes) return Unexpected{bytes.error()};
    if (bytes->empty() || bytes->size() > 255)
        return text_error("hash must be 1..255 octets, not " + std::to_string(bytes->size()));
    put_counted(out, *bytes);
    return {};
}

bool is_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 8659 §4.1: the tag is 1..255 ASCII letters and digits.
TextStatus caa_tag_from_text(const Token& token, Bytes& out) {
    const std::string& tag = token.text;
    if (tag.empty() || tag.size() > 255 ||
        !std::all_of(tag.begin(), tag.end(), [](char c) { return is_alnum(c); }))
        return text_error(quote(tag) + " is not 1..255 letters and digits");
    out.push_back(static_cast<uint8_t>(tag.size()));
    out.insert(out.end(), tag.begin(), tag.end());
    return {};
}

// Like a character-string, but the rest of the RDATA, so no 255 limit.
TextStatus caa_value_from_text(const Token& token, Bytes& out) {
    auto bytes = char_string_bytes(token, 0xFFFF);
    if (!bytes) return Unexpected{bytes.error()};
    out.insert(out.end(), bytes->begin(), bytes->end());
    return {};
}

// `tokens` holds one token, or all remaining tokens for takes_rest() kinds.
TextStatus field_from_text(FieldKind kind, std::span<const Token> tokens, const Name& origin,
                           Bytes& out) {
    static const Token kNoToken;
    const Token& one = tokens.empty() ? kNoToken : tokens.front();
    switch (kind) {
        case FieldKind::kU8: return number_from_text(one, 1, out);
        case FieldKind::kAlgorithm: return algorithm_from_text(one, out);
        case FieldKind::kU16: return number_from_text(one, 2, out);
        case FieldKind::kU32: return number_from_text(one, 4, out);
        case FieldKind::kIpv4: return ipv4_from_text(one, out);
        case FieldKind::kIpv6: return ipv6_from_text(one, out);
        case FieldKind::kName: return name_from_text(one, origin, out);
        case FieldKind::kCharString: return char_string_from_text(one, out);
        case FieldKind::kCharStrings: return char_strings_from_text(tokens, out);
        case FieldKind::kHexRest: return hex_rest_from_text(tokens, out);
        case FieldKind::kBase64Rest: return base64_rest_from_text(tokens, out);
        case FieldKind::kTime: return time_from_text(one, out);
        case FieldKind::kRRType: return rrtype_from_text(one, out);
        case FieldKind::kTypeBitmap: return type_bitmap_from_text(tokens, out);
        case FieldKind::kSalt: return salt_from_text(one, out);
        case FieldKind::kHashBase32: return hash_base32_from_text(one, out);
        case FieldKind::kCaaTag: return caa_tag_from_text(one, out);
        case FieldKind::kCaaValue: return caa_value_from_text(one, out);
        case FieldKind::kSvcParams: return svc_params_from_text(tokens, out);
        case FieldKind::kOpaque: break;
    }
    return text_error("only the RFC 3597 form '\\# <length> <hex>' is accepted");
}

// RFC 3597 §5: `\# <length> <hex>`; for a known type the data must also be
// valid RDATA of that type.
Result<RData, TextError> generic_from_text(RRType type, std::span<const Token> tokens) {
    const std::string what = to_string(type) + " \\#";
    if (tokens.empty()) return text_error(what + ": missing RDATA length");
    auto length = parse_unsigned(tokens[0].text, 0xFFFF);
    if (!length)
        return text_error(what + ": length " + quote(tokens[0].text) +
                          " is not a number in 0..65535");
    auto bytes = decode_hex(joined(tokens.subspan(1)));
    if (!bytes) return text_error(what + ": " + bytes.error().message);
    if (bytes->size() != *length)
        return text_error(what + ": length " + std::to_string(*length) + " does not match the " +
                          std::to_string(bytes->size()) + " octets of hex data");
    if (has_typed_format(type)) {
        auto checked = RData::from_wire(type, *bytes);
        if (!checked)
            return text_error(what + ": data is not valid " + to_string(type) + " RDATA (" +
                              std::string(to_string(checked.error())) + ")");
    }
    return RData::from_trusted_bytes(std::move(*bytes));
}

// ---- wire to text, one function per field kind ----

void time_to_text(uint32_t value, std::string& out) {
    int64_t days = value / kSecondsPerDay;
    const int64_t rest = value % kSecondsPerDay;
    int64_t year = 1970;
    while (days >= (is_leap(year) ? 366 : 365))
        days -= is_leap(year++) ? 366 : 365;
    int month = 1;
    while (days >= days_in_month(year, month))
        days -= days_in_month(year, month++);
    const int64_t parts[] = {month, days + 1, rest / 3600, rest / 60 % 60, rest % 60};
    out += std::to_string(year);
    for (int64_t p : parts) {
        out.push_back(static_cast<char>('0' + p / 10));
        out.push_back(static_cast<char>('0' + p % 10));
    }
}

// Prints NSEC/NSEC3 bitmaps; false for non-canonical ones (an empty window
// or trailing zero octets, RFC 4034 §4.1.2), whose text would read back to
// other octets.
bool type_bitmap_to_text(std::span<const uint8_t> data, std::string& out) {
    for (size_t pos = 0; pos + 2 <= data.size(); pos += 2 + data[pos + 1]) {
        if (data[pos + 1] == 0 || data[pos + 1 + data[pos + 1]] == 0) return false;
    }
    bool first = true;
    for (RRType type : TypeBitmap::from_wire(data).types()) {
        if (!first) out.push_back(' ');
        out += to_string(type);
        first = false;
    }
    return true;
}

bool char_strings_to_text(std::span<const uint8_t> data, std::string& out) {
    for (size_t pos = 0; pos < data.size(); pos += 1 + data[pos]) {
        if (pos > 0) out.push_back(' ');
        append_quoted(out, data.subspan(pos + 1, data[pos]));
    }
    return true;
}

// `field` is exactly the octets field_length() measured. False when the
// field has no faithful text form; the caller then prints RFC 3597 form.
bool field_to_text(FieldKind kind, std::span<const uint8_t> field, std::string& out) {
    switch (kind) {
        case FieldKind::kU8:
        case FieldKind::kAlgorithm: out += std::to_string(field[0]); return true;
        case FieldKind::kU16: out += std::to_string(load_u16(field.data())); return true;
        case FieldKind::kU32: out += std::to_string(load_u32(field.data())); return true;
        case FieldKind::kIpv4: append_ipv4(out, field.first<4>()); return true;
        case FieldKind::kIpv6: append_ipv6(out, field.first<16>()); return true;
        case FieldKind::kName: {
            auto name = Name::from_wire(field);
            if (!name) return false;
            name->append_text(out);
            return true;
        }
        case FieldKind::kCharString: append_quoted(out, field.subspan(1)); return true;
        case FieldKind::kCharStrings: return char_strings_to_text(field, out);
        case FieldKind::kHexRest: append_hex(out, field); return true;
        case FieldKind::kBase64Rest: append_base64(out, field); return true;
        case FieldKind::kTime: time_to_text(load_u32(field.data()), out); return true;
        case FieldKind::kRRType:
            out += to_string(static_cast<RRType>(load_u16(field.data())));
            return true;
        case FieldKind::kTypeBitmap: return type_bitmap_to_text(field, out);
        case FieldKind::kSalt:
            if (field.size() == 1) out.push_back('-');
            append_hex(out, field.subspan(1));
            return true;
        // dnspython prints the NSEC3 next hashed owner in lower case.
        case FieldKind::kHashBase32:
            append_base32hex(out, field.subspan(1), Letters::kLower);
            return true;
        case FieldKind::kCaaTag: {
            const auto tag = field.subspan(1);
            if (!std::all_of(tag.begin(), tag.end(), is_alnum)) return false;
            out.append(tag.begin(), tag.end());
            return true;
        }
        case FieldKind::kCaaValue: append_quoted(out, field); return true;
        case FieldKind::kSvcParams: return append_svc_params_text(out, field);
        case FieldKind::kOpaque: return false;
    }
    return false;
}

// Fields separated by one space; an empty trailing field (no digest, no
// types, no SvcParams) prints nothing, not even its space.
bool append_typed_text(std::string& out, RRType type, std::span<const uint8_t> data) {
    size_t pos = 0;
    for (FieldKind kind : schema_for(type).fields) {
        auto len = field_length(kind, data.subspan(pos));
        if (!len) return false;
        const size_t mark = out.size();
        if (pos > 0) out.push_back(' ');
        const size_t start = out.size();
        if (!field_to_text(kind, data.subspan(pos, *len), out)) return false;
        if (out.size() == start) out.resize(mark);
        pos += *len;
    }
    return pos == data.size();
}

}  // namespace

Result<RData, TextError> RData::from_text(RRType type, std::span<const Token> tokens,
                                          const Name& origin) {
    const std::string type_name = to_string(type);
    if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#")
        return generic_from_text(type, tokens.subspan(1));
    if (!has_typed_format(type))
        return text_error(type_name +
                          ": no known RDATA format; use the RFC 3597 form '\\# <length> <hex>'");
    const auto fields = schema_for(type).fields;
    Bytes out;
    size_t next = 0;
    for (size_t f = 0; f < fields.size(); ++f) {
        const FieldKind kind = fields[f];
        std::span<const Token> input;
        if (takes_rest(kind)) {
            input = tokens.subspan(next);
            next = tokens.size();
        } else if (next < tokens.size()) {
            input = tokens.subspan(next++, 1);
        }
        if (input.empty() && (!takes_rest(kind) || kind == FieldKind::kCharStrings))
            return text_error(type_name + ": missing field " + std::to_string(f + 1) + " (" +
                              describe(kind) + ")");
        if (auto st = field_from_text(kind, input, origin, out); !st)
            return text_error(type_name + " field " + std::to_string(f + 1) + " (" +
                              describe(kind) + "): " + st.error().message);
    }
    if (next < tokens.size())
        return text_error(type_name + ": unexpected " + quote(tokens[next].text) +
                          " after the last field");
    if (out.size() > 0xFFFF)
        return text_error(type_name + ": RDATA longer than 65535 octets (" +
                          std::to_string(out.size()) + ")");
    // The readers above build valid fields one by one; checking the whole
    // with the wire parser keeps text and wire from ever disagreeing.
    auto checked = from_wire(type, out);
    if (!checked)
        return text_error(type_name + ": text gives invalid RDATA (" +
                          std::string(wire::to_string(checked.error())) + ")");
    return std::move(*checked);
}

void RData::append_text(std::string& out, RRType type) const {
    const size_t start = out.size();
    if (has_typed_format(type) && append_typed_text(out, type, bytes_)) return;
    out.resize(start);
    out += "\\# ";
    out += std::to_string(bytes_.size());
    if (bytes_.empty()) return;
    out.push_back(' ');
    append_hex(out, bytes_);
}

std::string RData::to_text(RRType type) const {
    std::string out;
    append_text(out, type);
    return out;
}

}  // namespace cairn::wire
