// A whole zone held in memory, answering as the zone's authoritative servers
// would (RFC 1034 §4.3.2 with the DNSSEC records of RFC 4035 §3.1): data
// with its RRSIGs, referrals with glue and the DS or its NSEC denial, and
// NXDOMAIN and NODATA with their NSEC proofs. Made for a local copy of the
// root zone (RFC 8806), whose answers the resolver then takes and validates
// exactly as if a root server had sent them.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <vector>

#include "wire/message.h"
#include "wire/rrset.h"

namespace cairn::policy {

class ZoneCopy {
public:
    // The zone at `apex` from all its records (an AXFR's, in any order;
    // repeats are held once). Records outside the zone are left out.
    ZoneCopy(const wire::Name& apex, std::span<const wire::Record> records);

    // The response to `question` (as asked with DO set), or nullopt where
    // the copy does not answer as the zone's servers would: a name outside
    // the zone, another class, a name a wildcard or DNAME would answer, or a
    // denial the zone has no NSEC records to prove (an NSEC3-signed zone).
    // The caller then asks the zone's servers.
    std::optional<wire::Message> answer(const wire::Question& question) const;

private:
    struct SignedSet {
        wire::RRset data;
        wire::RRset signatures;  // RRSIG records covering `data` (may be empty)
    };
    struct Node {
        std::vector<SignedSet> sets;
        const SignedSet* find(wire::RRType type) const;
    };
    using Nodes = std::map<wire::Name, Node>;

    void add(const wire::Record& record);
    // The closest delegation at or above `name`, below the apex.
    const Nodes::value_type* cut_above(const wire::Name& name) const;
    // `name` owns records or has descendants that do.
    bool exists(const wire::Name& name) const;
    // The NSEC whose owner precedes `name` and whose next name follows it.
    const SignedSet* covering_nsec(const wire::Name& name) const;
    // A DNAME owned by a proper ancestor of `name` (below the apex).
    bool dname_above(const wire::Name& name) const;

    std::optional<wire::Message> referral(wire::Message response,
                                          const Nodes::value_type& cut) const;
    std::optional<wire::Message> at_node(wire::Message response, const wire::Name& name,
                                         const Node& node, wire::RRType type) const;
    std::optional<wire::Message> nodata(wire::Message response, const wire::Name& name) const;
    std::optional<wire::Message> nxdomain(wire::Message response, const wire::Name& name) const;
    // SOA (TTL capped by its MINIMUM, RFC 2308 §3) and RRSIG, for denials.
    void add_soa(wire::Message& response) const;
    // Addresses the zone holds for the name servers of `ns` (glue).
    void add_glue(wire::Message& response, const wire::RRset& ns) const;

    wire::Name apex_;
    Nodes nodes_;
};

}  // namespace cairn::policy
