// How the daemon keeps the root trust anchor current by itself (RFC 5011)
// and tells the root which keys it trusts (RFC 8145).
#pragma once

#include <string>

namespace cairn::policy {

struct AnchorTrackingOptions {
    // auto: track the built-in root anchors when the state file's directory
    // exists; on: track the root anchor (built-in or from `trust-anchors`),
    // the state file must be writable; off: anchors stay as configured.
    std::string tracking = "auto";
    // The tracked anchor's state file (dnssec/anchor_tracker.h).
    std::string state_file = "/var/lib/cairn/root.key";
    // RFC 8145 §5: a "_ta-<tags>" query to the root after each refresh.
    bool signaling = true;

    bool operator==(const AnchorTrackingOptions&) const = default;
};

}  // namespace cairn::policy
