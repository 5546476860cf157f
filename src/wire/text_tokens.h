// Splitting presentation-format text (zone files, RDATA) into tokens.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"

namespace cairn::wire {

// One whitespace-separated token. `text` is raw: quotes removed but escapes
// (`\.`, `\DDD`) kept, because what an escape means depends on the field (a
// name keeps `\.` as a literal dot inside a label).
struct Token {
    std::string text;
    bool quoted = false;
    // No whitespace between this token and the previous one, as in
    // `alpn="h2"` (two tokens: `alpn=` and the quoted `h2`). SVCB's key=value
    // form (RFC 9460 §2.1) needs to know this; most fields ignore it.
    bool attached = false;
};

// Tokens of one logical record: handles "quoted strings", ';' comments and
// parentheses spanning lines. `text` may contain several physical lines when
// a record continues in parentheses; a newline outside parentheses is plain
// whitespace here (splitting a zone into records is the zone reader's job).
// '"', '(', ')' and ';' end an unquoted token, as in BIND and dnspython;
// unbalanced parentheses or an unterminated quote are errors.
Result<std::vector<Token>, TextError> tokenize(std::string_view text);

// Decodes the escapes of a <character-string> token into bytes: `\X` is X,
// `\DDD` is the octet with decimal value DDD (RFC 1035 §5.1).
Result<std::string, TextError> unescape(std::string_view raw);

}  // namespace cairn::wire
