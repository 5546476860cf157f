// Drops what a server has no authority to tell us (DESIGN.md "Upstream
// hygiene", in the spirit of Unbound's iter_scrub.c). It runs after the
// response was classified, on the raw sections, so that what it removes
// cannot change what the response means.
#pragma once

#include <cstddef>

#include "resolve/response_kind.h"
#include "wire/message.h"

namespace cairn::resolve {

// Scrubs `response`, an answer to `question` from a server asked as
// authoritative for `zone` and classified as `c`, in place. Returns how
// many records were dropped.
//  - answer: only the RRsets on the question's CNAME/DNAME chain (with
//    their RRSIGs), at or below `zone` (RFC 2181 §5.4.1);
//  - authority: SOA/NSEC/NSEC3/RRSIG at or below `zone`; NS only for the
//    child of a referral, or for `zone` itself in an authoritative answer;
//    DS only for the child of a referral;
//  - additional: only A/AAAA (and their RRSIGs) at or below `zone` whose
//    owner is a name server or a target (MX, SRV, CNAME) kept above.
size_t scrub_response(wire::Message& response, const wire::Question& question,
                      const wire::Name& zone, const Classification& c);

}  // namespace cairn::resolve
