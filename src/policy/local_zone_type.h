// How a local zone answers (as Unbound's local-zone types; local_zones.h).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace cairn::policy {

enum class LocalZoneType {
    kDeny,         // local data, else no answer at all
    kRefuse,       // local data, else REFUSED
    kStatic,       // local data, else NXDOMAIN or NODATA with the zone's SOA
    kTransparent,  // local data, else resolved as usual
    kRedirect,     // the apex's data answers every name in the zone
    kNodefault,    // no zone: switches a built-in zone of that name off
};

// The names the configuration uses, in this order.
const std::vector<std::string_view>& local_zone_type_names();
std::optional<LocalZoneType> local_zone_type_from_string(std::string_view text);
std::string_view to_string(LocalZoneType type);

}  // namespace cairn::policy
