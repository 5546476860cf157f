// Commands for a running cairn, sent over its control socket (config
// `control-socket`): stats, status, reload, flush and its variants, cache
// dump and load, trace, stop.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

#include "cairnctl/command.h"
#include "wire/result.h"

namespace cairn::ctl {

// Registers every control subcommand.
void add_control_commands(CLI::App& app, Command& command);

// Sends the command line `line` to the daemon at `socket_path` and prints
// its reply: on stdout and exit 0, or (a reply starting with "error: ") on
// stderr and kExitFailure, as for an unreachable socket.
int run_control_command(const std::string& socket_path, std::string_view line);

// The line `cairnctl trace` sends, from its arguments.
std::string trace_line(const std::string& name, const std::string& type, bool json, bool no_cache);
// The line `cairnctl flush` sends: everything without a name.
std::string flush_line(const std::string& name, bool subtree, const std::string& type);
// The line `cairnctl cache load` sends: the path made absolute, since the
// daemon reads it from its own working directory. Fails for a path that
// cannot go on one line.
Result<std::string, TextError> cache_load_line(const std::string& path);

}  // namespace cairn::ctl
