// What every cairnctl subcommand shares: its exit codes and the deferred
// action that main() runs once the whole command line has been parsed.
#pragma once

#include <functional>

namespace cairn::ctl {

inline constexpr int kExitOk = 0;       // the command did its work
inline constexpr int kExitUsage = 1;    // bad arguments: nothing was attempted
inline constexpr int kExitFailure = 2;  // network error, timeout, unusable reply

// Set by a subcommand's parse callback; main() runs it after parsing, so no
// network traffic starts while arguments may still be rejected.
using Command = std::function<int()>;

}  // namespace cairn::ctl
