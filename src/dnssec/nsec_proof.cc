// Denial of existence with NSEC records (RFC 4035 §5.4, RFC 6840 §4).
#include <algorithm>
#include <vector>

#include "dnssec/denial_proof.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

namespace {

using wire::Name;
using wire::RRType;

struct Nsec {
    Name owner;
    wire::NsecData data;
};

// owner < name < next in canonical order. A next name that does not sort
// after the owner is the zone apex: the last NSEC of the zone wraps around
// (RFC 4034 §4.1.1) and spans every name after it within the apex.
bool in_span(const Name& owner, const Name& next, const Name& name) {
    if (Name::canonical_compare(owner, name) >= 0) return false;
    if (Name::canonical_compare(owner, next) < 0) return Name::canonical_compare(name, next) < 0;
    return name.is_subdomain_of(next);
}

std::vector<Nsec> zone_nsecs(std::span<const wire::Record> records, const Name& zone) {
    std::vector<Nsec> nsecs;
    for (const wire::Record& r : records) {
        if (r.type != RRType::NSEC || !r.owner.is_subdomain_of(zone)) continue;
        auto data = wire::NsecData::from(r.rdata);
        if (!data || !data->next.is_subdomain_of(zone)) continue;
        nsecs.push_back({r.owner, std::move(*data)});
    }
    return nsecs;
}

const Nsec* find_match(const std::vector<Nsec>& nsecs, const Name& name) {
    auto it = std::find_if(nsecs.begin(), nsecs.end(),
                           [&](const Nsec& nsec) { return nsec.owner == name; });
    return it == nsecs.end() ? nullptr : &*it;
}

// An NSEC whose span holds `name`, except that below a delegation or a
// DNAME the names belong to another zone or are redirected, so the parent's
// NSEC there proves nothing about them (RFC 6840 §4.1).
const Nsec* find_denial(const std::vector<Nsec>& nsecs, const Name& name) {
    auto it = std::find_if(nsecs.begin(), nsecs.end(), [&](const Nsec& nsec) {
        if (!in_span(nsec.owner, nsec.data.next, name)) return false;
        const wire::TypeBitmap& types = nsec.data.types;
        const bool elsewhere = detail::is_delegation(types) || types.contains(RRType::DNAME);
        return !(elsewhere && name.is_subdomain_of(nsec.owner));
    });
    return it == nsecs.end() ? nullptr : &*it;
}

// Nothing exists between the owner and the next name, so the deepest
// existing ancestor of a name in the span is the longest one it shares
// with either of them.
Name closest_encloser(const Nsec& cover, const Name& name) {
    return name.suffix(
        std::max(name.common_labels(cover.owner), name.common_labels(cover.data.next)));
}

DenialResult nxdomain(const std::vector<Nsec>& nsecs, const Name& qname) {
    const Nsec* cover = find_denial(nsecs, qname);
    if (!cover) return detail::not_proven("no NSEC denies the name");
    const Name encloser = closest_encloser(*cover, qname);
    if (encloser == qname) return detail::not_proven("the name is an empty non-terminal");
    auto wildcard = detail::wildcard_at(encloser);
    if (!wildcard || !find_denial(nsecs, *wildcard))
        return detail::not_proven("no NSEC denies the wildcard at the closest encloser");
    return detail::proven();
}

DenialResult nodata(const std::vector<Nsec>& nsecs, const Name& qname, RRType qtype) {
    if (const Nsec* match = find_match(nsecs, qname)) {
        if (const char* flaw = detail::type_denial_flaw(match->data.types, qtype, qname))
            return detail::not_proven(flaw);
        return detail::proven();
    }
    const Nsec* cover = find_denial(nsecs, qname);
    if (!cover) return detail::not_proven("no NSEC matches or denies the name");
    // A name below qname exists, so qname is an empty non-terminal: it
    // exists and has no data at all.
    if (cover->data.next.is_subdomain_of(qname)) return detail::proven();
    auto wildcard = detail::wildcard_at(closest_encloser(*cover, qname));
    const Nsec* source = wildcard ? find_match(nsecs, *wildcard) : nullptr;
    if (!source) return detail::not_proven("no NSEC matches the name or its wildcard");
    if (const char* flaw = detail::type_denial_flaw(source->data.types, qtype, *wildcard))
        return detail::not_proven(flaw);
    return detail::proven();
}

// RFC 4035 §5.3.4: qname does not exist and the wildcard that answered is
// the one at its closest encloser, not one further up.
DenialResult wildcard_answer(const std::vector<Nsec>& nsecs, const Name& qname,
                             const Name& wildcard_parent) {
    const Nsec* cover = find_denial(nsecs, qname);
    if (!cover) return detail::not_proven("no NSEC denies the name");
    if (closest_encloser(*cover, qname) != wildcard_parent)
        return detail::not_proven("the wildcard is not at the closest encloser");
    return detail::proven();
}

DenialResult no_ds(const std::vector<Nsec>& nsecs, const Name& qname) {
    if (const Nsec* match = find_match(nsecs, qname)) {
        if (const char* flaw = detail::type_denial_flaw(match->data.types, RRType::DS, qname))
            return detail::not_proven(flaw);
        return detail::proven(detail::is_delegation(match->data.types));
    }
    // A name that does not exist, or exists without data, is no zone cut.
    if (find_denial(nsecs, qname)) return detail::proven();
    return detail::not_proven("no NSEC matches or denies the name");
}

}  // namespace

bool nsec_covers(const wire::Record& nsec, const wire::Name& name) {
    if (nsec.type != RRType::NSEC) return false;
    auto data = wire::NsecData::from(nsec.rdata);
    return data && in_span(nsec.owner, data->next, name);
}

DenialResult detail::prove_with_nsec(DenialGoal goal, const Name& qname, RRType qtype,
                                     const Name& zone, std::span<const wire::Record> records,
                                     const std::optional<Name>& wildcard_parent) {
    const std::vector<Nsec> nsecs = zone_nsecs(records, zone);
    switch (goal) {
        case DenialGoal::kNxdomain: return nxdomain(nsecs, qname);
        case DenialGoal::kNodata: return nodata(nsecs, qname, qtype);
        case DenialGoal::kWildcardAnswer: return wildcard_answer(nsecs, qname, *wildcard_parent);
        case DenialGoal::kNoDs: return no_ds(nsecs, qname);
    }
    return not_proven("unknown denial goal");
}

}  // namespace cairn::dnssec
