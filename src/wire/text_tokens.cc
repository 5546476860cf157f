#include "wire/text_tokens.h"

namespace cairn::wire {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Characters that end an unquoted token even without whitespace.
bool is_delimiter(char c) {
    return is_space(c) || c == '"' || c == '(' || c == ')' || c == ';';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

Result<std::vector<Token>, TextError> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    int depth = 0;
    // Where the previous token ended, to tell `key="value"` from `key= "value"`.
    size_t previous_end = std::string_view::npos;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (is_space(c)) {
            ++i;
            continue;
        }
        if (c == ';') {
            // A comment runs to the end of the physical line; inside
            // parentheses the record goes on after it.
            while (i < text.size() && text[i] != '\n')
                ++i;
            continue;
        }
        if (c == '(') {
            // RFC 1035 §5.1 gives no meaning to nested parentheses; BIND
            // rejects them too, and they are always a typo.
            if (depth > 0) return text_error("nested '(' in record");
            ++depth;
            ++i;
            continue;
        }
        if (c == ')') {
            if (depth == 0) return text_error("')' without matching '('");
            --depth;
            ++i;
            continue;
        }
        Token token;
        token.attached = previous_end == i;
        if (c == '"') {
            token.quoted = true;
            ++i;
            for (;;) {
                if (i >= text.size()) return text_error("unterminated quoted string");
                const char q = text[i];
                if (q == '"') break;
                if (q == '\n') return text_error("newline in quoted string");
                if (q == '\\') {
                    if (i + 1 >= text.size()) return text_error("unterminated quoted string");
                    token.text.push_back(q);
                    ++i;
                }
                token.text.push_back(text[i]);
                ++i;
            }
            ++i;  // the closing quote
        } else {
            while (i < text.size() && !is_delimiter(text[i])) {
                if (text[i] == '\\') {
                    // The escaped character is part of the token even when
                    // it is a delimiter (`a\ b`, `\;`); `\DDD` digits are
                    // ordinary characters and are copied by the loop.
                    if (i + 1 >= text.size()) return text_error("'\\' at end of text");
                    token.text.push_back(text[i]);
                    ++i;
                }
                token.text.push_back(text[i]);
                ++i;
            }
        }
        previous_end = i;
        tokens.push_back(std::move(token));
    }
    if (depth > 0) return text_error("'(' without matching ')'");
    return tokens;
}

Result<std::string, TextError> unescape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            out.push_back(raw[i]);
            continue;
        }
        if (i + 1 >= raw.size()) return text_error("'\\' at end of '" + std::string(raw) + "'");
        if (!is_digit(raw[i + 1])) {
            out.push_back(raw[i + 1]);
            ++i;
            continue;
        }
        if (i + 3 >= raw.size() || !is_digit(raw[i + 2]) || !is_digit(raw[i + 3]))
            return text_error("bad \\DDD escape in '" + std::string(raw) +
                              "' (needs exactly three digits)");
        const int value = (raw[i + 1] - '0') * 100 + (raw[i + 2] - '0') * 10 + (raw[i + 3] - '0');
        if (value > 255) return text_error("\\DDD escape above 255 in '" + std::string(raw) + "'");
        out.push_back(static_cast<char>(value));
        i += 3;
    }
    return out;
}

}  // namespace cairn::wire
