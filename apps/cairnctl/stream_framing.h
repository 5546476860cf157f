// How a DNS message travels on a stream (TCP, DoT): preceded by its length
// in two octets, most significant first (RFC 1035 §4.2.2, RFC 7766 §8,
// RFC 7858 §3.3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace cairn::ctl {

// The largest message the two-octet length can announce.
inline constexpr size_t kMaxStreamMessage = 65535;

// `message` (at most kMaxStreamMessage octets) with its length in front.
std::vector<uint8_t> length_prefixed(std::span<const uint8_t> message);

}  // namespace cairn::ctl
