#include "wire/zone_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "wire/encoding.h"
#include "wire/text_tokens.h"

namespace cairn::wire {

namespace {

constexpr uint64_t kMaxTtl = 0x7FFFFFFF;  // RFC 2181 §8

// One logical line: a record or directive, possibly spanning physical lines
// inside parentheses.
struct Entry {
    std::string_view text;
    size_t line;  // where it starts, counting from 1
};

// Splits at newlines outside parentheses and quotes. It only needs to find
// the boundaries; tokenize() then checks each entry properly (an unclosed
// quote or parenthesis shows up there, reported at the entry's first line).
std::vector<Entry> split_entries(std::string_view text) {
    std::vector<Entry> entries;
    size_t start = 0;
    size_t start_line = 1;
    size_t line = 1;
    int depth = 0;
    bool in_quotes = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            if (text[i + 1] == '\n') ++line;
            ++i;
            continue;
        }
        if (c == '\n') {
            ++line;
            // A quote never spans lines; ending the entry here lets the
            // tokenizer report the unterminated string.
            if (depth <= 0 || in_quotes) {
                entries.push_back({text.substr(start, i - start), start_line});
                start = i + 1;
                start_line = line;
                depth = 0;
                in_quotes = false;
            }
            continue;
        }
        if (in_quotes) {
            if (c == '"') in_quotes = false;
            continue;
        }
        if (c == '"') {
            in_quotes = true;
        } else if (c == ';') {
            while (i + 1 < text.size() && text[i + 1] != '\n')
                ++i;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
        }
    }
    if (start < text.size()) entries.push_back({text.substr(start), start_line});
    return entries;
}

// What earlier lines set for later ones.
struct ReaderState {
    Name origin;
    std::optional<Name> last_owner;
    std::optional<uint32_t> default_ttl;  // $TTL
    std::optional<uint32_t> last_ttl;     // last TTL written on a record
    RRClass last_class = RRClass::IN;
};

bool starts_with_digit(std::string_view s) {
    return !s.empty() && s[0] >= '0' && s[0] <= '9';
}

Result<Name, TextError> owner_from_token(const Token& token, const Name& origin) {
    if (!token.quoted && token.text == "@") return origin;
    return Name::from_text(token.text, origin);
}

// "owner [ttl] [class] type rdata"; with `blank_owner` the owner is left out
// and is the previous record's.
Result<Record, TextError> parse_entry(std::span<const Token> tokens, bool blank_owner,
                                      ReaderState& state) {
    Record record;
    size_t next = 0;
    if (blank_owner) {
        if (!state.last_owner)
            return text_error("line starts with whitespace but there is no previous owner");
        record.owner = *state.last_owner;
    } else {
        auto owner = owner_from_token(tokens[next++], state.origin);
        if (!owner) return text_error("owner: " + owner.error().message);
        record.owner = *owner;
    }
    std::optional<uint32_t> ttl;
    std::optional<RRClass> rclass;
    // Up to one TTL and one class, in either order (RFC 1035 §5.1). Type
    // mnemonics never start with a digit, so a digit means a TTL.
    while (next < tokens.size()) {
        const Token& token = tokens[next];
        if (!ttl && starts_with_digit(token.text)) {
            auto value = parse_ttl(token.text);
            if (!value) return Unexpected{value.error()};
            ttl = *value;
        } else if (auto c = rrclass_from_string(token.text); c && !rclass) {
            rclass = *c;
        } else {
            break;
        }
        ++next;
    }
    if (next >= tokens.size()) return text_error("missing record type");
    auto type = rrtype_from_string(tokens[next].text);
    if (!type) return text_error("unknown record type '" + tokens[next].text + "'");
    if (is_meta_type(*type))
        return text_error("type " + to_string(*type) + " cannot appear in zone data");
    ++next;
    auto rdata = RData::from_text(*type, tokens.subspan(next), state.origin);
    if (!rdata) return Unexpected{rdata.error()};
    if (ttl) {
        state.last_ttl = ttl;
    } else if (state.default_ttl) {
        ttl = state.default_ttl;
    } else if (state.last_ttl) {
        ttl = state.last_ttl;
    } else {
        return text_error("no TTL: give one or set $TTL first");
    }
    record.type = *type;
    record.rclass = rclass.value_or(state.last_class);
    record.ttl = *ttl;
    record.rdata = std::move(*rdata);
    state.last_owner = record.owner;
    state.last_class = record.rclass;
    return record;
}

Status<TextError> apply_directive(std::span<const Token> tokens, ReaderState& state) {
    const std::string& directive = tokens[0].text;
    if (directive == "$ORIGIN" || directive == "$TTL") {
        if (tokens.size() != 2) return text_error(directive + " needs exactly one argument");
        if (directive == "$TTL") {
            auto ttl = parse_ttl(tokens[1].text);
            if (!ttl) return Unexpected{ttl.error()};
            state.default_ttl = *ttl;
            return {};
        }
        // A relative $ORIGIN is relative to the current origin (RFC 1035 §5.1).
        auto origin = Name::from_text(tokens[1].text, state.origin);
        if (!origin) return text_error("$ORIGIN: " + origin.error().message);
        state.origin = *origin;
        return {};
    }
    if (directive == "$INCLUDE" || directive == "$GENERATE")
        return text_error(directive + " is not supported");
    return text_error("unknown directive " + directive);
}

std::string locate(std::string_view source_name, size_t line) {
    if (source_name.empty()) return "line " + std::to_string(line);
    return std::string(source_name) + ":" + std::to_string(line);
}

}  // namespace

Result<uint32_t, TextError> parse_ttl(std::string_view text) {
    const std::string shown = "TTL '" + std::string(text) + "'";
    if (auto plain = parse_unsigned(text, UINT64_MAX); plain || text.empty()) {
        if (!plain || *plain > kMaxTtl)
            return text_error(shown + " is not a number in 0.." + std::to_string(kMaxTtl));
        return static_cast<uint32_t>(*plain);
    }
    uint64_t total = 0;
    uint64_t number = 0;
    bool have_digits = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            number = number * 10 + static_cast<uint64_t>(c - '0');
            have_digits = true;
            if (number > kMaxTtl) return text_error(shown + " is larger than 2147483647");
            continue;
        }
        uint64_t unit = 0;
        switch (c) {
            case 'w':
            case 'W': unit = 7 * 86400; break;
            case 'd':
            case 'D': unit = 86400; break;
            case 'h':
            case 'H': unit = 3600; break;
            case 'm':
            case 'M': unit = 60; break;
            case 's':
            case 'S': unit = 1; break;
            default: return text_error(shown + ": unexpected '" + std::string(1, c) + "'");
        }
        if (!have_digits)
            return text_error(shown + ": unit '" + std::string(1, c) + "' without a number");
        total += number * unit;
        if (total > kMaxTtl) return text_error(shown + " is larger than 2147483647");
        number = 0;
        have_digits = false;
    }
    if (have_digits) return text_error(shown + ": number without a unit at the end");
    return static_cast<uint32_t>(total);
}

Result<std::vector<Record>, TextError> read_zone(std::string_view text, const Name& origin,
                                                 std::string_view source_name) {
    std::vector<Record> records;
    ReaderState state;
    state.origin = origin;
    for (const Entry& entry : split_entries(text)) {
        auto fail = [&](const std::string& message) {
            return text_error(locate(source_name, entry.line) + ": " + message);
        };
        auto tokens = tokenize(entry.text);
        if (!tokens) return fail(tokens.error().message);
        if (tokens->empty()) continue;  // blank or comment only
        const bool blank_owner = entry.text[0] == ' ' || entry.text[0] == '\t';
        if (!blank_owner && !(*tokens)[0].quoted && (*tokens)[0].text.starts_with('$')) {
            if (auto st = apply_directive(*tokens, state); !st) return fail(st.error().message);
            continue;
        }
        auto record = parse_entry(*tokens, blank_owner, state);
        if (!record) return fail(record.error().message);
        records.push_back(std::move(*record));
    }
    return records;
}

Result<std::vector<Record>, TextError> read_zone_file(const std::string& path, const Name& origin) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return text_error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) return text_error(path + ": read error: " + std::strerror(errno));
    return read_zone(contents.str(), origin, path);
}

Result<Record, TextError> parse_record(std::string_view text, const Name& origin,
                                       uint32_t default_ttl) {
    auto tokens = tokenize(text);
    if (!tokens) return Unexpected{tokens.error()};
    if (tokens->empty()) return text_error("empty record");
    if (!(*tokens)[0].quoted && (*tokens)[0].text.starts_with('$'))
        return text_error("directive " + (*tokens)[0].text + " where a record was expected");
    ReaderState state;
    state.origin = origin;
    state.default_ttl = default_ttl;
    return parse_entry(*tokens, false, state);
}

}  // namespace cairn::wire
