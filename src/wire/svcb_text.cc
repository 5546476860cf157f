#include "wire/svcb_text.h"

#include <algorithm>
#include <utility>

#include "wire/buffer.h"
#include "wire/encoding.h"
#include "wire/name.h"

namespace cairn::wire {

namespace {

// RFC 9460 §14.3.2.
enum SvcKey : uint16_t {
    kMandatory = 0,
    kAlpn = 1,
    kNoDefaultAlpn = 2,
    kPort = 3,
    kIpv4Hint = 4,
    kEch = 5,
    kIpv6Hint = 6,
};

constexpr std::string_view kKeyNames[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                          "ipv4hint",  "ech",  "ipv6hint"};
constexpr uint16_t kNamedKeys = std::size(kKeyNames);

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(static_cast<uint8_t>(a[i])) != ascii_lower(static_cast<uint8_t>(b[i])))
            return false;
    }
    return true;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A value-list (RFC 9460 Appendix A.1): items separated by commas, where
// `\,` is a literal comma and `\\` a backslash. `value` has already had its
// <character-string> escapes decoded, so writing a comma inside an alpn id
// in a zone file takes two levels (`"a\\,b"`), as in the RFC 9460 Appendix D.2 example.
Result<std::vector<std::string>, TextError> split_value_list(std::string_view value,
                                                             std::string_view key) {
    std::vector<std::string> items(1);
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\\') {
            if (i + 1 == value.size()) return text_error(std::string(key) + ": value ends in '\\'");
            items.back().push_back(value[++i]);
        } else if (value[i] == ',') {
            items.emplace_back();
        } else {
            items.back().push_back(value[i]);
        }
    }
    for (const auto& item : items) {
        if (item.empty()) return text_error(std::string(key) + ": empty item in list");
    }
    return items;
}

// The wire value of one SvcParam from its decoded text value (nullopt when
// the text had no "=value").
Result<std::vector<uint8_t>, TextError> value_to_wire(uint16_t key,
                                                      const std::optional<std::string>& value) {
    const std::string name = svc_param_key_name(key);
    const bool needs_value = key < kNamedKeys && key != kNoDefaultAlpn;
    if (!value) {
        if (needs_value) return text_error(name + " needs a value");
        return std::vector<uint8_t>{};
    }
    std::vector<uint8_t> out;
    if (key == kNoDefaultAlpn) {
        if (!value->empty()) return text_error("no-default-alpn takes no value");
        return out;
    }
    if (key == kEch) {
        // An ECHConfigList in base64 (draft-ietf-tls-svcb-ech).
        auto decoded = decode_base64(*value);
        if (!decoded) return text_error("ech: " + decoded.error().message);
        return std::move(*decoded);
    }
    if (key == kPort) {
        auto port = parse_unsigned(*value, 0xFFFF);
        if (!port) return text_error("port: '" + *value + "' is not a number in 0..65535");
        out.push_back(static_cast<uint8_t>(*port >> 8));
        out.push_back(static_cast<uint8_t>(*port));
        return out;
    }
    if (key >= kNamedKeys) {
        out.assign(value->begin(), value->end());
        return out;
    }
    auto items = split_value_list(*value, name);
    if (!items) return Unexpected{items.error()};
    for (const auto& item : *items) {
        if (key == kMandatory) {
            auto listed = svc_param_key_from_text(item);
            if (!listed) return text_error("mandatory: unknown key '" + item + "'");
            // RFC 9460 §8: the list must not name "mandatory" itself.
            if (*listed == kMandatory) return text_error("mandatory cannot list itself");
            out.push_back(static_cast<uint8_t>(*listed >> 8));
            out.push_back(static_cast<uint8_t>(*listed));
        } else if (key == kAlpn) {
            if (item.size() > 255)
                return text_error("alpn: id longer than 255 octets: '" + item + "'");
            out.push_back(static_cast<uint8_t>(item.size()));
            out.insert(out.end(), item.begin(), item.end());
        } else if (key == kIpv4Hint) {
            auto address = parse_ipv4(item);
            if (!address) return text_error("ipv4hint: '" + item + "' is not an IPv4 address");
            out.insert(out.end(), address->begin(), address->end());
        } else {  // kIpv6Hint
            auto address = parse_ipv6(item);
            if (!address) return text_error("ipv6hint: '" + item + "' is not an IPv6 address");
            out.insert(out.end(), address->begin(), address->end());
        }
    }
    if (key == kMandatory) {
        // RFC 9460 §8: sorted, without duplicates, on the wire.
        std::vector<uint16_t> keys;
        for (size_t i = 0; i < out.size(); i += 2)
            keys.push_back(load_u16(&out[i]));
        std::sort(keys.begin(), keys.end());
        if (std::adjacent_find(keys.begin(), keys.end()) != keys.end())
            return text_error("mandatory lists a key twice");
        out.clear();
        for (uint16_t k : keys) {
            out.push_back(static_cast<uint8_t>(k >> 8));
            out.push_back(static_cast<uint8_t>(k));
        }
    }
    return out;
}

struct Param {
    uint16_t key;
    std::span<const uint8_t> value;
};

// Splits wire SvcParams; field_length has checked the framing.
std::vector<Param> split_params(std::span<const uint8_t> wire) {
    std::vector<Param> params;
    size_t pos = 0;
    while (pos + 4 <= wire.size()) {
        const uint16_t key = load_u16(&wire[pos]);
        const size_t len = load_u16(&wire[pos + 2]);
        if (pos + 4 + len > wire.size()) break;
        params.push_back({key, wire.subspan(pos + 4, len)});
        pos += 4 + len;
    }
    return params;
}

bool has_key(const std::vector<Param>& params, uint16_t key) {
    return std::any_of(params.begin(), params.end(),
                       [key](const Param& p) { return p.key == key; });
}

// The rules the text reader enforces beyond what field_length checks; wire
// data breaking them is printed in RFC 3597 form instead.
bool consistent(const std::vector<Param>& params) {
    for (const Param& p : params) {
        if (p.key != kMandatory) continue;
        long last = -1;
        for (size_t i = 0; i + 1 < p.value.size(); i += 2) {
            const uint16_t listed = load_u16(&p.value[i]);
            if (listed == kMandatory || listed <= last || !has_key(params, listed)) return false;
            last = listed;
        }
    }
    // RFC 9460 §7.1.1: no-default-alpn without alpn is not self-consistent.
    return !has_key(params, kNoDefaultAlpn) || has_key(params, kAlpn);
}

// Appends one alpn id with the value-list escapes (the outer quoting adds
// the <character-string> level).
void append_alpn_id(std::string& out, std::span<const uint8_t> id) {
    for (uint8_t c : id) {
        if (c == ',' || c == '\\') out.push_back('\\');
        out.push_back(static_cast<char>(c));
    }
}

void append_value(std::string& out, uint16_t key, std::span<const uint8_t> value) {
    std::string text;
    switch (key) {
        case kMandatory:
            for (size_t i = 0; i + 1 < value.size(); i += 2) {
                if (i > 0) text.push_back(',');
                text += svc_param_key_name(load_u16(&value[i]));
            }
            break;
        case kAlpn:
            for (size_t i = 0; i < value.size(); i += 1 + value[i]) {
                if (i > 0) text.push_back(',');
                append_alpn_id(text, value.subspan(i + 1, value[i]));
            }
            break;
        case kPort: text = std::to_string(load_u16(value.data())); break;
        case kIpv4Hint:
            for (size_t i = 0; i + 4 <= value.size(); i += 4) {
                if (i > 0) text.push_back(',');
                append_ipv4(text, value.subspan(i).first<4>());
            }
            break;
        case kEch: append_base64(text, value); break;
        case kIpv6Hint:
            for (size_t i = 0; i + 16 <= value.size(); i += 16) {
                if (i > 0) text.push_back(',');
                append_ipv6(text, value.subspan(i).first<16>());
            }
            break;
        default: text.assign(value.begin(), value.end()); break;
    }
    append_quoted(out, as_bytes(text));
}

}  // namespace

std::string svc_param_key_name(uint16_t key) {
    if (key < kNamedKeys) return std::string(kKeyNames[key]);
    return "key" + std::to_string(key);
}

std::optional<uint16_t> svc_param_key_from_text(std::string_view text) {
    for (uint16_t k = 0; k < kNamedKeys; ++k) {
        if (iequals(text, kKeyNames[k])) return k;
    }
    if (text.size() < 4 || !iequals(text.substr(0, 3), "key")) return std::nullopt;
    const auto digits = text.substr(3);
    // RFC 9460 §2.1: the number is written without leading zeros.
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    auto number = parse_unsigned(digits, 0xFFFF);
    if (!number) return std::nullopt;
    return static_cast<uint16_t>(*number);
}

Status<TextError> svc_params_from_text(std::span<const Token> tokens, std::vector<uint8_t>& out) {
    std::vector<std::pair<uint16_t, std::vector<uint8_t>>> params;
    for (size_t i = 0; i < tokens.size(); ++i) {
        const Token& token = tokens[i];
        if (token.quoted) return text_error("expected key=value, found \"" + token.text + "\"");
        if (token.attached && i > 0)
            return text_error("'" + token.text + "' must be separated by a space from '" +
                              tokens[i - 1].text + "'");
        const size_t eq = token.text.find('=');
        const std::string_view key_text = std::string_view(token.text).substr(0, eq);
        auto key = svc_param_key_from_text(key_text);
        if (!key) return text_error("unknown key '" + std::string(key_text) + "'");
        std::optional<std::string> value;
        if (eq != std::string::npos) {
            std::string raw = token.text.substr(eq + 1);
            if (raw.empty()) {
                // `key="value"` arrives as `key=` and an attached quoted token.
                if (i + 1 >= tokens.size() || !tokens[i + 1].attached || !tokens[i + 1].quoted)
                    return text_error("'" + token.text + "' needs a value right after '='");
                raw = tokens[++i].text;
            }
            auto decoded = unescape(raw);
            if (!decoded) return Unexpected{decoded.error()};
            value = std::move(*decoded);
        }
        auto wire = value_to_wire(*key, value);
        if (!wire) return Unexpected{wire.error()};
        if (wire->size() > 0xFFFF)
            return text_error(svc_param_key_name(*key) + ": value longer than 65535 octets");
        params.emplace_back(*key, std::move(*wire));
    }
    std::sort(params.begin(), params.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < params.size(); ++i) {
        if (params[i].first == params[i - 1].first)
            return text_error("key " + svc_param_key_name(params[i].first) + " appears twice");
    }
    std::vector<uint8_t> wire;
    for (const auto& [key, value] : params) {
        wire.push_back(static_cast<uint8_t>(key >> 8));
        wire.push_back(static_cast<uint8_t>(key));
        wire.push_back(static_cast<uint8_t>(value.size() >> 8));
        wire.push_back(static_cast<uint8_t>(value.size()));
        wire.insert(wire.end(), value.begin(), value.end());
    }
    const auto split = split_params(wire);
    for (const Param& p : split) {
        if (p.key != kMandatory) continue;
        for (size_t i = 0; i + 1 < p.value.size(); i += 2) {
            const uint16_t listed = load_u16(&p.value[i]);
            if (!has_key(split, listed))
                return text_error("mandatory lists " + svc_param_key_name(listed) +
                                  ", which is not present");
        }
    }
    if (has_key(split, kNoDefaultAlpn) && !has_key(split, kAlpn))
        return text_error("no-default-alpn needs alpn as well (RFC 9460 §7.1.1)");
    out.insert(out.end(), wire.begin(), wire.end());
    return {};
}

bool append_svc_params_text(std::string& out, std::span<const uint8_t> wire) {
    const auto params = split_params(wire);
    if (!consistent(params)) return false;
    for (size_t i = 0; i < params.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += svc_param_key_name(params[i].key);
        // An empty value is shown as a bare key (no-default-alpn, unknown
        // keys); ech is the one named key that prints `ech=""`, as dnspython.
        if (params[i].value.empty() && params[i].key != kEch) continue;
        out.push_back('=');
        append_value(out, params[i].key, params[i].value);
    }
    return true;
}

}  // namespace cairn::wire
