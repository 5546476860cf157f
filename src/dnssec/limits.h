// Work bounds of validation (KeyTrap CVE-2023-50387, NSEC3 CVE-2023-50868)
// and the counter a client request spends them from.
#pragma once

#include <algorithm>
#include <cstdint>

namespace cairn::dnssec {

struct ValidationLimits {
    uint32_t max_verifications_per_rrset = 8;     // signature checks for one RRset
    uint32_t max_verifications_per_request = 64;  // for one client request, chain included
    uint32_t max_keys_per_tag = 4;                // DNSKEYs tried for one RRSIG key tag
    uint32_t max_nsec3_hashes = 128;              // NSEC3 hash computations per client answer
    uint16_t max_nsec3_iterations = 50;           // above: insecure, EDE 27 (RFC 9276 §3.2)
    // For a zone held after its keys exhausted these limits (KeyTrap): one
    // signature check per RRset; and for an RRSIG whose tag and algorithm
    // more than max_keys_per_tag keys share, only a key of them that has
    // verified before is tried (or, while none has, up to max_keys_per_tag).
    bool held = false;

    // The limits for the data of a held zone.
    ValidationLimits for_held_zone() const {
        ValidationLimits h = *this;
        h.max_verifications_per_rrset = std::min<uint32_t>(h.max_verifications_per_rrset, 1);
        h.held = true;
        return h;
    }
};

// What one client request has spent so far.
struct WorkCounter {
    uint32_t verifications = 0;
    uint32_t nsec3_hashes = 0;
};

}  // namespace cairn::dnssec
