// Drops what a server has no authority to tell us (DESIGN.md "Upstream
// hygiene", in the spirit of Unbound's iter_scrub.c): records outside the
// zone the server was asked as, and additional data nobody asked for.
#pragma once

#include <cstddef>

#include "wire/message.h"

namespace cairn::resolve {

// Scrubs `response`, which came from a server queried as authoritative for
// `zone`, in place. Returns how many records were dropped.
//  - answer: only records at or below `zone`;
//  - authority: only NS/SOA/DS/NSEC/NSEC3/RRSIG at or below `zone`;
//  - additional: only A/AAAA (and their RRSIGs) at or below `zone` whose
//    owner is a name server named in the authority section or a target of
//    the answer (MX, SRV, NS).
size_t scrub_response(wire::Message& response, const wire::Name& zone);

}  // namespace cairn::resolve
