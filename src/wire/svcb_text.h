// Presentation format of SVCB/HTTPS SvcParams (RFC 9460 §2.1, §7, Appendix
// A): the `key=value` list after TargetName. Kept apart from the other field
// kinds because it is a small format of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"
#include "wire/text_tokens.h"

namespace cairn::wire {

// Reads every remaining token as a SvcParam and appends the wire form (keys
// sorted ascending, as RFC 9460 §2.2 requires) to `out`. Keys may come in
// any order; a repeated key, a bad value, or a `mandatory` entry that names
// an absent key is an error.
Status<TextError> svc_params_from_text(std::span<const Token> tokens, std::vector<uint8_t>& out);

// Appends the text of wire-form SvcParams (already checked by
// field_length). Returns false, having appended nothing useful, when the
// wire holds something the text form cannot say faithfully (an unsorted or
// self-listing `mandatory`, say); the caller then prints the whole RDATA in
// RFC 3597 form so that the text still reads back to the same octets.
bool append_svc_params_text(std::string& out, std::span<const uint8_t> wire);

// "alpn", "key65000", ...: the key's presentation name.
std::string svc_param_key_name(uint16_t key);
// Accepts the names of RFC 9460 §14.3.2 (any case) and `keyNNNNN`.
std::optional<uint16_t> svc_param_key_from_text(std::string_view text);

}  // namespace cairn::wire
