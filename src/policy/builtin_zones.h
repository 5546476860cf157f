// The zones every resolver should answer itself, unless told otherwise:
// special-use names (RFC 6761), the reverse zones of private and special
// addresses (RFC 6303, RFC 7793), home.arpa (RFC 8375) and onion (RFC 7686).
#pragma once

#include <vector>

#include "policy/local_zone_type.h"
#include "policy/policy_options.h"
#include "wire/name.h"
#include "wire/record.h"

namespace cairn::policy {

struct BuiltinZone {
    wire::Name name;
    LocalZoneType type = LocalZoneType::kStatic;
    // The apex SOA and NS of RFC 6303 §3, and any fixed data (localhost's
    // addresses, the loopback PTR records).
    std::vector<wire::Record> data;
};

// The built-in zones of the groups switched on.
std::vector<BuiltinZone> builtin_zones(const BuiltinZoneSwitches& switches);

// True when `name` is a built-in zone of any group, switched on or not: what
// a `nodefault` entry may name.
bool is_builtin_zone(const wire::Name& name);

}  // namespace cairn::policy
