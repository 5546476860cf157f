#include "config/config_diff.h"

#include "config/options_table.h"

namespace cairn::config {

std::vector<std::string_view> changed_options(const Config& before, const Config& after) {
    std::vector<std::string_view> changed;
    for (const Option& option : options())
        if (option.show(before) != option.show(after)) changed.push_back(option.key);
    return changed;
}

}  // namespace cairn::config
