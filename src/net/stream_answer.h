// What the encrypted transports add to an answer, as its query asked: the
// idle timeout (EDNS TCP keepalive, RFC 7828 §3.3.2) and block padding
// (RFC 7830, with RFC 8467 §4.1's recommended block of 468 octets).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "net/query_handler.h"

namespace cairn::net {

inline constexpr size_t kAnswerPaddingBlock = 468;

// `peer` with pad_answer / keepalive_answer set from `query`'s EDNS options
// (keepalive only where `keepalive` says the transport has it: DoT, not DoH).
Peer peer_for_query(const Peer& peer, std::span<const uint8_t> query, bool keepalive);

// Adds the keepalive option (timeout `idle_timeout`) and then the padding to
// the `length`-octet answer in `buffer`, as `peer` says, without growing
// past `max_size`. Returns the new length.
size_t finish_answer(const Peer& peer, std::span<uint8_t> buffer, size_t length, size_t max_size,
                     std::chrono::milliseconds idle_timeout);

}  // namespace cairn::net
