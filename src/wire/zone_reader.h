// Reading zone-file text (RFC 1035 §5) into records: enough for tests,
// trust anchors and local data in config files, not a full authoritative
// loader. Supported: one record per logical line (parentheses continue it),
// comments, $ORIGIN, $TTL (RFC 2308 §4), relative names and '@', a blank
// owner meaning the previous owner, TTL and class in either order, and
// BIND-style TTL units ("1h30m"). Not supported: $INCLUDE, $GENERATE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::wire {

// Every record of `text`, in order. Errors read "source:line: message"
// (just "line N: message" when `source_name` is empty); a record continued
// over several lines is reported at the line where it starts.
// A record without a TTL takes $TTL, or else the last TTL given explicitly
// (RFC 1035 §5.1); with neither it is an error. A record without a class
// takes the previous record's class, IN for the first.
Result<std::vector<Record>, TextError> read_zone(std::string_view text, const Name& origin,
                                                 std::string_view source_name = "");

// read_zone() on a file's contents; errors name the file.
Result<std::vector<Record>, TextError> read_zone_file(const std::string& path, const Name& origin);

// One record, "owner [ttl] [class] type rdata" (TTL and class in either
// order), e.g. "www 300 IN A 192.0.2.1". Relative names use `origin`; a
// missing TTL is `default_ttl`, a missing class IN. Parentheses and
// comments work as in a zone file; directives are not accepted.
Result<Record, TextError> parse_record(std::string_view text, const Name& origin,
                                       uint32_t default_ttl = 0);

// A TTL: plain seconds or BIND-style units, e.g. "3600", "1h30m", "2d",
// "1w" (units w d h m s, any case; each needs a number before it and a
// number needs a unit after it unless it stands alone). At most 2^31-1
// (RFC 2181 §8).
Result<uint32_t, TextError> parse_ttl(std::string_view text);

}  // namespace cairn::wire
