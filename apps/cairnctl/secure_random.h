// Unpredictable numbers for query IDs and source ports (RFC 5452 §9.2): an
// off-path attacker must not be able to guess either.
#pragma once

#include <cstdint>

namespace cairn::ctl {

// From the kernel's CSPRNG (getrandom); std::random_device if that fails.
uint16_t random_u16();

}  // namespace cairn::ctl
