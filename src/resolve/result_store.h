// Puts what a lookup returned into the caches, each RRset and negative
// answer with what validation concluded about it (Indeterminate when it was
// not validated). The iterator returns its answers rather than storing
// them, so that they are stored once, with their verdict.
#pragma once

#include <span>

#include "cache/caches.h"
#include "cache/verdict.h"
#include "resolve/lookup_result.h"

namespace cairn::resolve {

// Stores `rrset` (with `proof` when it is a wildcard expansion). Returns
// whether it renewed the same Secure data (signatures included) already
// cached: a refresh that found nothing changed. `zone`: the lifetimes the
// zone-policy of the RRset's owner sets.
bool store_rrset(cache::Caches& caches, const SignedRRset& rrset,
                 std::span<const wire::Record> proof, const cache::Verdict& verdict,
                 const cache::TtlOverride& zone = {});

// Stores the NXDOMAIN or NODATA of `result` for `question`, unless it came
// without a SOA (RFC 2308 §5).
void store_negative(cache::Caches& caches, const wire::Question& question,
                    const LookupResult& result, const cache::Verdict& verdict,
                    const cache::TtlOverride& zone = {});

// Everything `result` holds for `question`, not validated: data the
// resolver uses for itself (server addresses, DS and DNSKEY RRsets, which
// the validator judges when it needs them).
void store_unvalidated(cache::Caches& caches, const wire::Question& question,
                       const LookupResult& result);

}  // namespace cairn::resolve
