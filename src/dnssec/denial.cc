#include "dnssec/denial.h"

#include <algorithm>
#include <array>

#include "dnssec/denial_proof.h"

namespace cairn::dnssec {

namespace detail {

std::optional<wire::Name> wildcard_at(const wire::Name& name) {
    static constexpr std::array<uint8_t, 1> kStar{'*'};
    auto wildcard = name.prepend(kStar);
    if (!wildcard) return std::nullopt;
    return *wildcard;
}

bool is_delegation(const wire::TypeBitmap& types) {
    return types.contains(wire::RRType::NS) && !types.contains(wire::RRType::SOA);
}

const char* type_denial_flaw(const wire::TypeBitmap& types, wire::RRType qtype,
                             const wire::Name& owner) {
    if (types.contains(qtype)) return "the type exists at the name";
    if (types.contains(wire::RRType::CNAME)) return "the name has a CNAME";
    if (qtype != wire::RRType::DS && is_delegation(types))
        return "a record at a delegation can only deny DS";
    // The root has no parent, so its own apex record is the only one.
    if (qtype == wire::RRType::DS && types.contains(wire::RRType::SOA) && !owner.is_root())
        return "the child zone's apex record cannot deny DS";
    return nullptr;
}

}  // namespace detail

DenialResult prove_denial(DenialGoal goal, const wire::Name& qname, wire::RRType qtype,
                          const wire::Name& zone, std::span<const wire::Record> records,
                          const std::optional<wire::Name>& wildcard_parent,
                          const ValidationLimits& limits, WorkCounter& work) {
    if (!qname.is_subdomain_of(zone)) return detail::not_proven("the name is outside the zone");
    if (goal == DenialGoal::kWildcardAnswer) {
        if (!wildcard_parent || !wildcard_parent->is_subdomain_of(zone) ||
            !qname.is_subdomain_of(*wildcard_parent) ||
            qname.label_count() <= wildcard_parent->label_count())
            return detail::not_proven("no wildcard parent above the name");
        // The RRSIG labels field never counts a leading "*" (RFC 4034
        // §3.1.3), so the wildcard's own RRset looks expanded but was not:
        // there is nothing to deny.
        if (qname.is_wildcard() && qname.parent() == *wildcard_parent) return detail::proven();
    }

    auto has_type = [&](wire::RRType type) {
        return std::any_of(records.begin(), records.end(),
                           [type](const wire::Record& r) { return r.type == type; });
    };
    const bool has_nsec = has_type(wire::RRType::NSEC);
    const bool has_nsec3 = has_type(wire::RRType::NSEC3);
    if (has_nsec) {
        DenialResult result =
            detail::prove_with_nsec(goal, qname, qtype, zone, records, wildcard_parent);
        if (result.status == DenialResult::Status::kProven || !has_nsec3) return result;
    }
    if (has_nsec3)
        return detail::prove_with_nsec3(goal, qname, qtype, zone, records, wildcard_parent, limits,
                                        work);
    return detail::not_proven("no NSEC or NSEC3 records");
}

}  // namespace cairn::dnssec
