// Writing JSON by hand for the control commands' `--json` output: strings
// escaped as RFC 8259 §7 requires, nothing more.
#pragma once

#include <string>
#include <string_view>

namespace cairn::server {

// Appends `text` to `out` as a JSON string, quotes included. Bytes that
// are not valid UTF-8 (DNS names may hold any octet) become U+FFFD.
void append_json_string(std::string& out, std::string_view text);

std::string json_string(std::string_view text);

}  // namespace cairn::server
