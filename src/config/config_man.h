// The cairn.yaml(5) manual page, generated from the option table with the
// same words as docs/configuration.md (doc_text.h), so the page installed
// with the package cannot drift from the code either. `cairn
// --print-config-man` prints it; the build turns that into cairn.yaml.5.gz.
#pragma once

#include <string>
#include <string_view>

namespace cairn::config {

// The whole page in roff (man macros). `source` is the footer's program and
// version: "cairn 0.1.0".
std::string configuration_man_page(std::string_view source);

// Documentation prose (Markdown whose only markup is `code` spans) as roff
// text: code in bold, backslashes, hyphens and non-ASCII characters escaped,
// and a leading '.' or '\'' kept from reading as a request.
std::string roff_text(std::string_view markdown);

}  // namespace cairn::config
