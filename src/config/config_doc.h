// Text generated from the option table: the reference documentation
// (docs/configuration.md) and a configuration written back out as YAML.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace cairn::config {

// The whole of docs/configuration.md. A unit test keeps the committed file
// equal to it; scripts/gen-config-doc.sh rewrites the file.
std::string configuration_markdown();

// The example configuration shown in the documentation (valid, as a unit
// test checks).
std::string_view example_configuration();

// Every option with its value in `config`, grouped and commented, in a form
// load_config_text reads back to the same Config: for `cairn
// --print-config`-style output.
std::string config_to_yaml(const Config& config);

}  // namespace cairn::config
