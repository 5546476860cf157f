// A zone's DNSKEY RRset checked directly against a trust anchor (RFC 4035
// §5.2 with the anchor in the parent's DS role): for a zone copy that comes
// without the DNS to fetch its chain of trust, such as a local root (RFC 8806).
#pragma once

#include <cstdint>
#include <span>

#include "dnssec/limits.h"
#include "dnssec/rrset_verifier.h"
#include "dnssec/trust_anchors.h"
#include "wire/rrset.h"

namespace cairn::dnssec {

// The keys of `dnskeys` that `anchor` vouches for: zone keys, not revoked,
// equal to a DNSKEY anchor or matching a DS anchor of a supported algorithm
// and digest type.
wire::RRset anchored_keys(const wire::RRset& dnskeys, const TrustAnchor& anchor);

// kValid when an RRSIG in `signatures` by one of anchored_keys() verifies
// `dnskeys` at wall-clock second `now`; signatures by other keys of the set
// do not count. kBogus with reason 9 (DNSKEY Missing) when the anchor
// vouches for no key of the set.
RRsetVerdict verify_anchored_dnskeys(const wire::RRset& dnskeys,
                                     std::span<const wire::RData> signatures,
                                     const TrustAnchor& anchor, int64_t now,
                                     const ValidationLimits& limits, WorkCounter& work);

}  // namespace cairn::dnssec
