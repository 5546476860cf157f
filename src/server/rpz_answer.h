// What a response policy hit makes of an answer (policy/rpz.h), and what an
// answer shows to the triggers that need one. Pure but for the RRset cache
// it reads name servers from.
#pragma once

#include <optional>
#include <vector>

#include "cache/rrset_cache.h"
#include "policy/rpz_set.h"
#include "resolve/resolver.h"
#include "wire/record.h"

namespace cairn::server {

// The answer of a hit whose action is NXDOMAIN, NODATA or local data: no AD,
// never stored, the zone's Extended DNS Error (RFC 8914 §4.16-18), and for
// a negative answer the policy zone's SOA (so that clients cache it as
// briefly as the zone says). A local-data CNAME leaves its target in
// `cname_target`, for the caller to resolve and add_target().
resolve::Answer rpz_answer(const policy::RpzHit& hit, const wire::Question& question,
                           std::optional<wire::Name>& cname_target);

// Appends the resolution of the CNAME's target to a rewritten answer: its
// records and rcode, never its AD bit.
void add_target(resolve::Answer& rewritten, const resolve::Answer& target);

// The names `answer`'s CNAME chain leads to from `qname`, in order.
std::vector<wire::Name> cname_targets(const resolve::Answer& answer, const wire::Name& qname);

// `rewritten` (the policy's answer for `target`) behind the records of
// `original` that lead to `target`: the CNAME chain up to the name a rule
// matched.
resolve::Answer behind_chain(const resolve::Answer& original, const wire::Name& target,
                             resolve::Answer rewritten);

// What the response-IP, NSDNAME and NSIP triggers see of an answer.
struct RpzFacts {
    std::vector<wire::IpAddress> addresses;
    std::vector<wire::Name> ns_names;
    std::vector<wire::IpAddress> ns_addresses;

    policy::RpzResponseFacts view() const { return {addresses, ns_names, ns_addresses}; }
};

// The A/AAAA addresses of `answer`; with `rrsets`, the name servers of the
// closest zone cut above the answer's last owner (or `qname`) as cached,
// and their cached addresses. Reads the cache without counting hits.
RpzFacts rpz_facts(const resolve::Answer& answer, const wire::Name& qname,
                   const cache::RRsetCache* rrsets);

}  // namespace cairn::server
