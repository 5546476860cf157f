#include "cairnctl/control_command.h"

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "cairnctl/control_client.h"

namespace cairn::ctl {

namespace {

struct ControlCommandInfo {
    std::string_view name;
    std::string_view help;
};

constexpr std::array<ControlCommandInfo, 4> kControlCommands = {{
    {"stats", "Print the daemon's counters, one 'name value' per line, summed over workers"},
    {"reload", "Reread the configuration file and apply it (errors leave it unchanged)"},
    {"flush", "Empty the caches"},
    {"stop", "Stop the daemon gracefully"},
}};

// Long enough for a reload: new workers start, old ones finish their answers.
constexpr std::chrono::seconds kReplyTimeout{30};

const ControlCommandInfo& info(std::string_view name) {
    for (const auto& c : kControlCommands)
        if (c.name == name) return c;
    throw std::logic_error("unknown control command");
}

}  // namespace

void add_control_command(CLI::App& app, Command& command, std::string_view name) {
    const auto& command_info = info(name);
    auto socket_path = std::make_shared<std::string>(kDefaultControlSocket);
    CLI::App* sub =
        app.add_subcommand(std::string(command_info.name), std::string(command_info.help));
    sub->add_option("--socket", *socket_path, "The daemon's control socket (control-socket)")
        ->capture_default_str();
    sub->callback([socket_path, name = command_info.name, &command] {
        command = [socket_path, name] { return run_control_command(*socket_path, name); };
    });
}

int run_control_command(const std::string& socket_path, std::string_view name) {
    auto reply = control_exchange(socket_path, name, kReplyTimeout);
    if (!reply) {
        std::fprintf(stderr, "cairnctl: %s\n", reply.error().message.c_str());
        return kExitFailure;
    }
    constexpr std::string_view kError = "error: ";
    if (reply->starts_with(kError)) {
        std::fprintf(stderr, "cairnctl: %s: %s", std::string(name).c_str(),
                     reply->c_str() + kError.size());
        return kExitFailure;
    }
    std::fwrite(reply->data(), 1, reply->size(), stdout);
    return kExitOk;
}

}  // namespace cairn::ctl
