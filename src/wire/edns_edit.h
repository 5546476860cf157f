// Small edits of whole DNS messages on the wire, for the stream transports:
// which EDNS options a query carries, adding an option to an answer's OPT
// record (TCP keepalive, RFC 7828; padding, RFC 7830), and the smallest TTL
// of an answer (DoH's Cache-Control, RFC 8484 §5.1). Nothing here
// allocates; a message that does not walk cleanly is left alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace cairn::wire {

// Options of a query's OPT record that change how it is answered on a stream.
struct StreamEdnsOptions {
    bool padding = false;    // RFC 7830: the answer must be padded (RFC 8467)
    bool keepalive = false;  // RFC 7828: the answer tells the idle timeout
};

// The options above in `query`'s OPT record; all false without one.
StreamEdnsOptions stream_edns_options(std::span<const uint8_t> query);

// Appends option `code` with `data` to the OPT record of the `length`-octet
// message in `buffer`. Returns the new length, or `length` unchanged when the
// message has no OPT record, does not walk, or would outgrow `max_size` or
// `buffer`.
size_t add_edns_option(std::span<uint8_t> buffer, size_t length, size_t max_size, uint16_t code,
                       std::span<const uint8_t> data);

// Pads the `length`-octet message in `buffer` with a Padding option so its
// length becomes a multiple of `block` (RFC 8467 §4.1, block-length
// padding). Returns the new length; `length` when it cannot (no OPT record,
// no room within `max_size`).
size_t pad_to_block(std::span<uint8_t> buffer, size_t length, size_t max_size, size_t block);

// The smallest TTL of the records of `message` (all sections, not OPT);
// nullopt when it has none or does not walk.
std::optional<uint32_t> smallest_ttl(std::span<const uint8_t> message);

}  // namespace cairn::wire
