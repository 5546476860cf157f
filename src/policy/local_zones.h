// Local zones and local data: names the resolver answers itself, as the
// operator configured them (`local-zones`, `local-data`) and as the RFCs ask
// of every resolver (builtin_zones.h). Unbound's local-zone is the model.
//
// The closest enclosing local zone of a question's name decides:
//   deny         local data, else no answer at all (the query is dropped)
//   refuse       local data, else REFUSED with EDE 15 (Blocked: the name is
//                refused by the operator's policy; EDE 18 Prohibited is for
//                clients that may not ask at all, as `allow` answers them)
//   static       local data, else NODATA for a name that has data of other
//                types (or data below it), NXDOMAIN for any other name; both
//                with the zone's SOA in the authority section
//   transparent  local data, NODATA for a name that has data but not of the
//                type asked; any other name is resolved as usual
//   redirect     the apex's data answers for every name in the zone, with
//                the owner rewritten to the name asked (CNAME included)
//   nodefault    not a zone: switches off the built-in zone of that name
// Local data for a name answers its type with AA, and a CNAME answers every
// other type; a CNAME chain is followed through local data (at most
// kMaxChain links) and, where it leaves local data, the answer says which
// name remains to be resolved. ANY is answered with every RRset of the name.
// deny and refuse zones drop or refuse a name whose data has no RRset of
// the type asked, as Unbound does.
//
// Every answer has AA set (as Unbound's); negative answers carry the zone's
// SOA with the TTL RFC 2308 §3 gives it, the lower of the SOA's TTL and
// MINIMUM. A zone without a SOA in local data gets the RFC 6303 §3 one
// ("<apex> 10800 IN SOA <apex> nobody.invalid. 1 3600 1200 604800 10800").
//
// Local data whose owner lies in no local zone makes a transparent zone at
// that owner (as Unbound). Local data under a built-in zone overrides the
// built-in data of its name; a local zone of the same name as a built-in one
// replaces it. Wildcard owners are refused: Unbound and the RFCs disagree on
// what they should match here, and a redirect zone says it plainly.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/local_zone_type.h"
#include "policy/policy_options.h"
#include "policy/zone_map.h"
#include "wire/edns.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"
#include "wire/rrset.h"
#include "wire/types.h"

namespace cairn::policy {

struct LocalAnswer {
    // deny: send nothing.
    bool drop = false;
    wire::Rcode rcode = wire::Rcode::NOERROR;
    std::vector<wire::Record> answer;
    std::vector<wire::Record> authority;
    std::optional<wire::ExtendedErrorOption> extended_error;
    // Where a CNAME chain leaves local data: the name the resolver is to
    // answer, whose answer follows `answer`.
    std::optional<wire::Name> continue_at;
};

class LocalZones {
public:
    static constexpr size_t kMaxChain = 8;

    LocalZones() = default;

    // The zones and data of `options` with the built-in zones switched on,
    // to be shared by every worker. Errors name the zone or record at fault.
    static Result<std::shared_ptr<const LocalZones>, std::string> build(
        const PolicyOptions& options);

    // The local answer to `question`, or nothing when it is to be resolved.
    std::optional<LocalAnswer> answer(const wire::Question& question) const;

    bool empty() const { return zones_.empty(); }
    size_t zone_count() const { return zones_.size(); }

private:
    struct Zone {
        LocalZoneType type = LocalZoneType::kStatic;
        size_t soa = 0;  // in soas_: the SOA of its negative answers
    };
    // The data at one name; no RRsets: an empty non-terminal.
    struct Node {
        std::vector<wire::RRset> rrsets;
    };

    Status<std::string> add_zone(const wire::Name& apex, LocalZoneType type);
    Status<std::string> add_record(const wire::Record& record);
    Status<std::string> finish();
    void add_empty_non_terminals(const wire::Name& owner, const wire::Name& apex);

    // False when no local zone can hold `name`: its top-level label is no
    // zone's. Most questions are decided by this alone, without a hash probe
    // per label.
    bool may_hold(const wire::Name& name) const;
    const Node* node(const wire::Name& name) const;
    // answer() for `name`, reached after `links` CNAME links.
    std::optional<LocalAnswer> answer_at(const wire::Name& name, wire::RRType type,
                                         size_t links) const;
    // The answer from the data at `node` (owners shown as `name`), if it has
    // any for `type`.
    std::optional<LocalAnswer> data_answer(const Node& node, const wire::Name& name,
                                           wire::RRType type) const;
    void follow_chain(LocalAnswer& answer, wire::RRType type, size_t links) const;
    LocalAnswer negative(const Zone& zone, wire::Rcode rcode) const;

    ZoneMap<Zone> zones_;
    std::vector<wire::Record> soas_;
    // The top-level labels of all zones, lower-cased and sorted; and whether
    // a zone is the root itself.
    std::vector<std::string> top_labels_;
    bool covers_root_ = false;
    std::unordered_map<wire::Name, Node, wire::NameHash> nodes_;
};

}  // namespace cairn::policy
