// What the checks of src/dnssec conclude, as the resolver's Verdict: one
// mapping for a signed RRset and one for a denial proof, readable (and
// tested) on their own, away from the fetching around them.
#pragma once

#include <cstdint>
#include <string>

#include "cache/verdict.h"
#include "dnssec/denial.h"
#include "dnssec/rrset_verifier.h"
#include "resolve/resolver_options.h"
#include "wire/rrset.h"

namespace cairn::resolve {

using Verdict = cache::Verdict;

// Data or keys proven bogus: answered SERVFAIL with `code`, remembered for
// dnssec-bogus-ttl.
Verdict bogus_verdict(wire::ExtendedErrorCode code, std::string why, const DnssecOptions& options);
// Validation that could not finish (a work limit, a server not answering):
// SERVFAIL for this request only, never stored (Verdict::transient).
Verdict transient_verdict(wire::ExtendedErrorOption error, const DnssecOptions& options);

// `rrset`'s verdict from its signature check.
Verdict rrset_verdict(const dnssec::RRsetVerdict& v, const wire::RRset& rrset,
                      const DnssecOptions& options);

// A negative answer's verdict from its proof (about `what`, for the EDE
// text), and for a DS question whether the name is a zone cut.
struct DenialVerdict {
    Verdict verdict;
    bool delegation = false;
};
DenialVerdict denial_verdict(const dnssec::DenialResult& r, const std::string& what,
                             uint32_t ttl_cap, const DnssecOptions& options);

}  // namespace cairn::resolve
