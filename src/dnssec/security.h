// What DNSSEC validation concluded about a piece of data (RFC 4035 §4.3).
#pragma once

#include <cstdint>

namespace cairn::dnssec {

enum class Security : uint8_t {
    kIndeterminate = 0,  // not validated (yet), or validation is off
    kInsecure = 1,       // proven to have no chain of trust (unsigned zone, NTA)
    kSecure = 2,         // proven by a chain of trust from an anchor
    kBogus = 3,          // should have verified and did not
};

const char* security_name(Security s);

}  // namespace cairn::dnssec
