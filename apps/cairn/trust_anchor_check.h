// What the daemon accepts as trust anchors (issue 14): every file given must
// hold at least one anchor cairn can validate from, and anchors that leave
// the root out are worth a warning, since everything outside their zones
// then goes unvalidated (insecure, never bogus).
#pragma once

#include <string>
#include <vector>

#include "dnssec/trust_anchors.h"
#include "wire/result.h"

namespace cairn::daemon {

struct CheckedAnchors {
    dnssec::TrustAnchors anchors;
    // For the log: records that were ignored, anchors that do not cover the
    // root. Each names the file or the zones concerned.
    std::vector<std::string> warnings;
};

// Reads `paths` (at least one) and checks them. A file that cannot be read
// or parsed, or that holds no usable anchor (no DS or DNSKEY records, or
// only records with algorithms or digests cairn does not support, revoked
// keys, keys that are not zone keys), is an error naming the file and why.
Result<CheckedAnchors, TextError> load_checked_anchors(const std::vector<std::string>& paths);

// Why a DS or DNSKEY anchor record cannot be validated from; empty when it
// can.
std::string unusable_because(const wire::Record& record);

}  // namespace cairn::daemon
