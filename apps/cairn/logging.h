// Where the daemon's log goes, and what it says about itself at start.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "resolve/resolver_options.h"
#include "wire/result.h"

namespace cairn::daemon {

// The logger named "cairn": to standard error, or appended to `file`. An
// error names the file and why it cannot be opened.
Result<std::shared_ptr<spdlog::logger>, TextError> make_logger(const std::string& file);

// One line on validation: off, or on with the zones it has anchors for.
std::string validation_state(const resolve::ResolverOptions& options);

}  // namespace cairn::daemon
