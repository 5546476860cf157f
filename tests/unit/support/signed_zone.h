// Signs a whole FakeZone the way a zone signer does, so that a FakeAuthority
// serves it as a DNSSEC-signed zone (RFC 4035 §2).
#pragma once

#include <cstdint>

#include "support/fake_authority.h"
#include "support/zone_signer.h"

namespace cairn::testing {

// Adds to `zone` the DNSKEY RRset (both keys, signed by `ksk`), an RRSIG by
// `zsk` over every other authoritative RRset (not over the NS RRset of a
// delegation nor glue, which the parent does not own; over the DS RRset of
// a delegation, which it does) and the NSEC chain over the authoritative
// names and delegation points, with NSEC TTL min(SOA TTL, SOA MINIMUM)
// (RFC 9077). Signatures are valid from `inception` to `expiration`.
void sign_zone(FakeZone& zone, const TestZoneSigner& ksk, const TestZoneSigner& zsk,
               uint32_t inception, uint32_t expiration);

}  // namespace cairn::testing
