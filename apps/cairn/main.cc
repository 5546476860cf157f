// cairn: the resolver daemon. Argument parsing and wiring only.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    CLI::App app{"cairn: a caching, validating, recursive DNS resolver"};
    std::string config_path;
    app.add_option("-c,--config", config_path, "YAML configuration file (built-in defaults if absent)");
    app.set_version_flag("-V,--version", "cairn 0.1.0");
    CLI11_PARSE(app, argc, argv);

    std::printf("cairn 0.1.0: configuration %s\n",
                config_path.empty() ? "built-in defaults" : config_path.c_str());
    std::printf("cairn: the wire-format layer is in place; recursive resolution arrives with the "
                "next milestone, so there is nothing to serve yet.\n");
    return 0;
}
