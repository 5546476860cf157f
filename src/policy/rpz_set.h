// The policy zones in force, in configuration order, and which rule of which
// zone applies to a query (draft-vixie-dnsop-dns-rpz §5, as BIND orders it):
// the first zone in order with a hit wins; within a zone, client-IP before
// QNAME before response-IP before NSDNAME before NSIP; within a trigger,
// the most specific rule.
//
// Client-IP and QNAME are known before resolving, the others only after.
// A hit before resolving in zone k is final only when no zone before k has
// triggers that need the answer (BIND's qname-wait-recurse): otherwise the
// query is resolved first and those zones checked with check_response(...,
// until = k).
//
// Immutable once built: a new version of any zone makes a new set, which
// workers pick up whole.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "policy/rpz.h"

namespace cairn::policy {

struct RpzHit {
    size_t zone_index = 0;
    const RpzZone* zone = nullptr;
    const RpzRule* rule = nullptr;
    RpzTrigger trigger = RpzTrigger::kQname;
    // The rule's action after the zone's override.
    RpzAction action = RpzAction::kNxdomain;
    // The zone's policy is `disabled`: log and count the hit, apply nothing,
    // and look on in the zones after it.
    bool disabled = false;
};

// What an answer shows to the triggers that need one.
struct RpzResponseFacts {
    // A and AAAA records in the answer section.
    std::span<const wire::IpAddress> addresses;
    // Name servers of the closest enclosing zone cut of the answer, and
    // their addresses.
    std::span<const wire::Name> ns_names;
    std::span<const wire::IpAddress> ns_addresses;
};

class RpzSet {
public:
    RpzSet() = default;
    explicit RpzSet(std::vector<std::shared_ptr<const RpzZone>> zones);

    bool empty() const { return zones_.empty(); }
    size_t size() const { return zones_.size(); }
    const RpzZone& zone(size_t index) const { return *zones_[index]; }

    // Client-IP and QNAME, in the zones from `from` on.
    std::optional<RpzHit> check_query(const wire::IpAddress& client, const wire::Name& qname,
                                      size_t from = 0) const;
    // QNAME alone, for a name the answer's CNAME chain leads to, in the
    // zones [from, until).
    std::optional<RpzHit> check_name(const wire::Name& name, size_t from, size_t until) const;
    // Response-IP, NSDNAME and NSIP, in the zones [from, until).
    std::optional<RpzHit> check_response(const RpzResponseFacts& facts, size_t from,
                                         size_t until) const;
    // Whether a zone before `zone` has triggers that need the answer.
    bool response_triggers_before(size_t zone) const {
        return zone > 0 && first_response_zone_ < zone;
    }
    bool has_response_triggers() const { return first_response_zone_ < zones_.size(); }
    bool has_nameserver_triggers() const { return nameserver_triggers_; }

private:
    RpzHit hit(size_t index, const RpzRule& rule, RpzTrigger trigger) const;
    std::optional<RpzHit> check_response_in(size_t index, const RpzResponseFacts& facts) const;

    std::vector<std::shared_ptr<const RpzZone>> zones_;
    size_t first_response_zone_ = SIZE_MAX;
    bool nameserver_triggers_ = false;
};

}  // namespace cairn::policy
