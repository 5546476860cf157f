// Which cached entries an operator's flush removes (`cairnctl flush`): those
// of one name or of a whole subtree, perhaps of one type only, or those
// validation found bogus.
#pragma once

#include <optional>

#include "cache/security.h"
#include "wire/name.h"
#include "wire/types.h"

namespace cairn::cache {

struct CacheSelection {
    // None: every name.
    std::optional<wire::Name> name;
    // `name` and every name below it.
    bool subtree = false;
    // None: every type.
    std::optional<wire::RRType> type;
    // Only entries validation found bogus.
    bool bogus_only = false;

    // Whether an entry owned by `owner` picks it. (The type and the
    // security are each cache's to compare: a NXDOMAIN answers every type.)
    bool covers_name(const wire::Name& owner) const {
        if (!name) return true;
        return subtree ? owner.is_subdomain_of(*name) : owner == *name;
    }
    bool covers_type(wire::RRType t) const { return !type || *type == t; }
    bool covers_security(Security s) const { return !bogus_only || s == Security::kBogus; }
    // Only the entries of one name: one shard holds them all.
    bool single_name() const { return name && !subtree; }
};

}  // namespace cairn::cache
