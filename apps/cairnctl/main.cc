// cairnctl: control and diagnostics. Argument parsing and wiring only: each
// subcommand registers itself here and does its work in its own files.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cairnctl/command.h"
#include "cairnctl/control_command.h"
#include "cairnctl/query_command.h"

int main(int argc, char** argv) {
    CLI::App app{"cairnctl: control and diagnostics for the cairn resolver"};
    // At most one; none at all is handled below with the full help, and an
    // unknown word is reported as such rather than as a missing subcommand.
    app.require_subcommand(0, 1);

    cairn::ctl::Command command;
    cairn::ctl::add_query_command(app, command);
    cairn::ctl::add_control_commands(app, command);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and friends end parsing "successfully"; anything else is a
        // usage error, whatever exit code CLI11 would pick for it.
        const int status = app.exit(e);
        return status == 0 ? cairn::ctl::kExitOk : cairn::ctl::kExitUsage;
    }
    if (!command) {
        std::fputs(app.help().c_str(), stderr);
        return cairn::ctl::kExitUsage;
    }
    return command();
}
