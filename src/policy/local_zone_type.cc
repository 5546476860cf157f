#include "policy/local_zone_type.h"

#include <array>

namespace cairn::policy {

namespace {

constexpr std::array kNames = {std::string_view("deny"),     std::string_view("refuse"),
                               std::string_view("static"),   std::string_view("transparent"),
                               std::string_view("redirect"), std::string_view("nodefault")};

}  // namespace

const std::vector<std::string_view>& local_zone_type_names() {
    static const std::vector<std::string_view> names(kNames.begin(), kNames.end());
    return names;
}

std::optional<LocalZoneType> local_zone_type_from_string(std::string_view text) {
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == text) return static_cast<LocalZoneType>(i);
    return std::nullopt;
}

std::string_view to_string(LocalZoneType type) {
    return kNames[static_cast<size_t>(type)];
}

}  // namespace cairn::policy
