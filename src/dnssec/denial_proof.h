// Private to denial*.cc and nsec*_proof.cc: the NSEC and NSEC3 halves of
// prove_denial() and what they share.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>

#include "dnssec/denial.h"
#include "wire/type_bitmap.h"

namespace cairn::dnssec::detail {

inline DenialResult proven(bool delegation = false) {
    return {DenialResult::Status::kProven, delegation, {}};
}

inline DenialResult not_proven(std::string why) {
    return {DenialResult::Status::kNotProven, false, std::move(why)};
}

// "*.<name>", or nothing when that would be too long.
std::optional<wire::Name> wildcard_at(const wire::Name& name);

// A zone cut as the parent side of it sees it: NS without SOA.
bool is_delegation(const wire::TypeBitmap& types);

// Why the type bitmap of an NSEC or NSEC3 record owned by `owner` does not
// prove that `owner` has no `qtype` RRset, or nullptr when it does. Besides
// qtype and CNAME (which would have answered instead), RFC 6840 §4.4: the
// parent's record at a delegation only speaks for DS, and the child apex's
// record (SOA set) cannot speak for DS, which lives in the parent.
const char* type_denial_flaw(const wire::TypeBitmap& types, wire::RRType qtype,
                             const wire::Name& owner);

// prove_denial() with the NSEC or the NSEC3 records of `records`; the caller
// has checked that qname (and wildcard_parent for kWildcardAnswer) lie
// within `zone`.
DenialResult prove_with_nsec(DenialGoal goal, const wire::Name& qname, wire::RRType qtype,
                             const wire::Name& zone, std::span<const wire::Record> records,
                             const std::optional<wire::Name>& wildcard_parent);
DenialResult prove_with_nsec3(DenialGoal goal, const wire::Name& qname, wire::RRType qtype,
                              const wire::Name& zone, std::span<const wire::Record> records,
                              const std::optional<wire::Name>& wildcard_parent,
                              const ValidationLimits& limits, WorkCounter& work);

}  // namespace cairn::dnssec::detail
