// cairn: the resolver daemon. Argument parsing and wiring only.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "config/config.h"
#include "config/config_doc.h"
#include "config/config_man.h"
#include "daemon.h"
#include "logging.h"

namespace {

constexpr const char* kVersion = "cairn 0.1.0";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cairn: a caching, validating, recursive DNS resolver"};
    std::string config_path;
    bool print_config_doc = false;
    bool print_config_man = false;
    app.add_option("-c,--config", config_path,
                   "YAML configuration file (built-in defaults if absent)");
    app.add_flag("--print-config-doc", print_config_doc,
                 "Print the configuration reference (Markdown) and exit");
    app.add_flag("--print-config-man", print_config_man,
                 "Print the configuration reference as the cairn.yaml(5) manual page (roff) "
                 "and exit");
    app.set_version_flag("-V,--version", kVersion);
    CLI11_PARSE(app, argc, argv);

    if (print_config_doc) {
        std::fputs(cairn::config::configuration_markdown().c_str(), stdout);
        return 0;
    }
    if (print_config_man) {
        std::fputs(cairn::config::configuration_man_page(kVersion).c_str(), stdout);
        return 0;
    }

    cairn::config::Config config;
    if (!config_path.empty()) {
        auto loaded = cairn::config::load_config_file(config_path);
        if (!loaded) {
            for (const auto& problem : loaded.error().problems)
                std::fprintf(stderr, "cairn: %s\n", problem.to_string().c_str());
            return 1;
        }
        config = std::move(*loaded);
    }
    auto hints = cairn::daemon::load_root_hints(config.resolver);
    if (!hints) {
        std::fprintf(stderr, "cairn: %s\n", hints.error().message.c_str());
        return 1;
    }
    auto anchors = cairn::daemon::load_trust_anchors(config.resolver);
    if (!anchors) {
        std::fprintf(stderr, "cairn: %s\n", anchors.error().message.c_str());
        return 1;
    }

    // Logs go to stderr (the journal, or whatever supervises the process)
    // unless a file is named.
    if (auto logger = cairn::daemon::make_logger(config.log_file); logger) {
        spdlog::set_default_logger(*logger);
    } else {
        std::fprintf(stderr, "cairn: %s\n", logger.error().message.c_str());
        return 1;
    }
    cairn::daemon::apply_log_level(config.log_level);
    spdlog::info("{}", cairn::daemon::validation_state(config.resolver));
    for (const auto& warning : *anchors)
        spdlog::warn("{}", warning);
    // Writes to a socket whose peer has gone must fail, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    cairn::daemon::Daemon daemon(config_path, std::move(config), std::move(*hints));
    if (!daemon.start()) return 1;
    return daemon.run();
}
