// `cairnctl stats|reload|flush|stop [--socket PATH]`: commands for a running
// cairn, sent over its control socket (config `control-socket`).
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

#include "cairnctl/command.h"

namespace cairn::ctl {

// Registers the subcommand `name` (one of stats, reload, flush, stop).
void add_control_command(CLI::App& app, Command& command, std::string_view name);

// Sends `name` to the daemon at `socket_path` and prints its reply: on
// stdout and exit 0, or (a reply starting with "error: ") on stderr and
// kExitFailure, as for an unreachable socket.
int run_control_command(const std::string& socket_path, std::string_view name);

}  // namespace cairn::ctl
