// What differs between two configurations, option by option: a reload uses
// it to tell whether the running service can stay (only the certificate and
// key to read again) or must be rebuilt.
#pragma once

#include <string_view>
#include <vector>

#include "config/config.h"

namespace cairn::config {

// The keys of the options whose values differ (as the option table shows
// them), in table order. Values the daemon fills in from files (root hints,
// trust anchors) are not options: compare those apart.
std::vector<std::string_view> changed_options(const Config& before, const Config& after);

}  // namespace cairn::config
