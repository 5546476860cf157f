// Adds an EDNS option to an answer already built: the cookie of each client
// goes into answers that were built, or stored in the packet cache, without
// it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cairn::server {

// Appends option `code` with `data` to the OPT record that ends the message
// in the first `length` octets of `buffer` (every answer Cairn builds has
// its OPT record last: wire::MessageBuilder writes it at finish()). Returns
// the new length; 0 when the message does not end with an OPT record or
// `buffer` has no room. No allocation.
size_t append_opt_option(std::span<uint8_t> buffer, size_t length, uint16_t code,
                         std::span<const uint8_t> data);

}  // namespace cairn::server
