// How much an RRset is believed: its source (RFC 2181 §5.4.1 ranking) and
// what DNSSEC validation concluded about it.
#pragma once

#include <cstdint>

#include "dnssec/security.h"

namespace cairn::cache {

// Higher is more trustworthy. Data of lower rank never replaces unexpired
// data of higher rank (RFC 2181 §5.4.1).
enum class Trust : uint8_t {
    kAdditional = 0,         // additional section (glue among it)
    kAuthorityReferral = 1,  // NS/glue in a non-authoritative referral
    kAnswerNonAuth = 2,      // answer section without AA (e.g. from a forwarder)
    kAuthorityAuth = 3,      // authority section of an authoritative answer
    kAnswerAuth = 4,         // answer section of an authoritative answer
    kValidated = 5,          // proven by DNSSEC
};

using Security = dnssec::Security;

}  // namespace cairn::cache
