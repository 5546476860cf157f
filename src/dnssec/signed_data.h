// The octets an RRSIG signs (RFC 4034 §3.1.8.1, §6.2; RFC 4035 §5.3.2).
#pragma once

#include <cstdint>
#include <vector>

#include "wire/rrset.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

// RRSIG RDATA without the signature (signer name lower-cased) followed by
// each RR of `rrset` in canonical form and order: owner lower-cased (or
// "*." + its rightmost `sig.labels` labels when the RRSIG's labels field
// shows wildcard expansion), type, class, the RRSIG's original TTL, RDATA
// in canonical form; duplicate RRs once.
std::vector<uint8_t> signed_data(const wire::RrsigData& sig, const wire::RRset& rrset);

}  // namespace cairn::dnssec
