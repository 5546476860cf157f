// What the operator configures about local names: local zones, local data
// and the built-in zones of special-use names (docs/configuration.md,
// "Local policy").
#pragma once

#include <string>
#include <vector>

#include "wire/name.h"
#include "wire/record.h"

namespace cairn::policy {

// One `local-zones` item: a name and how its zone answers (local_zones.h).
struct LocalZoneSpec {
    wire::Name name;
    std::string type;  // deny, refuse, static, transparent, redirect or nodefault

    bool operator==(const LocalZoneSpec&) const = default;
};

// The built-in zones, each group switchable (builtin_zones.h).
struct BuiltinZoneSwitches {
    bool special_use = true;      // RFC 6761: localhost., invalid., test.
    bool private_reverse = true;  // RFC 6303 (and RFC 7793): reverse zones of private addresses
    bool home_arpa = true;        // RFC 8375
    bool onion = true;            // RFC 7686

    bool operator==(const BuiltinZoneSwitches&) const = default;
};

struct PolicyOptions {
    std::vector<LocalZoneSpec> local_zones;
    std::vector<wire::Record> local_data;
    BuiltinZoneSwitches builtin_zones;

    bool operator==(const PolicyOptions&) const = default;
};

}  // namespace cairn::policy
