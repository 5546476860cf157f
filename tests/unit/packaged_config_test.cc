// packaging/cairn.yaml, the /etc/cairn/cairn.yaml the Debian package
// installs: it loads, it fits the service unit and cairnctl, and what its
// comments show is true.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cairnctl/control_client.h"
#include "config/config.h"
#include "config/options_table.h"

namespace cairn::config {
namespace {

std::filesystem::path packaged_config() {
    return std::filesystem::path(CAIRN_SOURCE_DIR) / "packaging" / "cairn.yaml";
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(file, line);)
        lines.push_back(line);
    return lines;
}

TEST(PackagedConfig, LoadsAndFitsTheUnitAndCairnctl) {
    auto loaded = load_config_file(packaged_config().string());
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    // The unit runs cairn as this user; started by hand as root it switches.
    EXPECT_EQ(loaded->user, "cairn");
    // In the unit's RuntimeDirectory, where cairnctl looks without --socket.
    EXPECT_EQ(loaded->control_socket, std::string(ctl::kDefaultControlSocket));
    // Everything else is the built-in default: the package changes no behaviour.
    Config expected;
    expected.user = "cairn";
    expected.control_socket = std::string(ctl::kDefaultControlSocket);
    for (const Option& entry : options())
        EXPECT_EQ(entry.show(*loaded), entry.show(expected)) << entry.key;
}

// "#key: value": an option shown with its default.
TEST(PackagedConfig, CommentedOutOptionsShowTheirDefaults) {
    const std::regex shown(R"(^#([a-z0-9-]+): (.+)$)");
    const Config defaults;
    unsigned count = 0;
    for (const std::string& line : lines_of(packaged_config())) {
        std::smatch match;
        if (!std::regex_match(line, match, shown)) continue;
        ++count;
        const Option* entry = find_option(match[1].str());
        ASSERT_NE(entry, nullptr) << line;
        auto loaded = load_config_text(line.substr(1), "cairn.yaml");
        ASSERT_TRUE(loaded) << loaded.error().to_string();
        EXPECT_EQ(entry->show(*loaded), entry->show(defaults)) << line;
    }
    EXPECT_GE(count, 5u);
}

// "#   key: value" lines in a row: an example, which must read as written
// (only files it names may be missing here).
TEST(PackagedConfig, ExamplesInCommentsAreValid) {
    std::vector<std::string> examples(1);
    for (const std::string& line : lines_of(packaged_config())) {
        if (line.starts_with("#   ")) {
            examples.back() += line.substr(4) + "\n";
        } else if (!examples.back().empty()) {
            examples.emplace_back();
        }
    }
    if (examples.back().empty()) examples.pop_back();
    ASSERT_GE(examples.size(), 2u);
    for (const std::string& example : examples) {
        auto loaded = load_config_text(example, "example");
        if (loaded) continue;
        for (const auto& problem : loaded.error().problems)
            EXPECT_NE(problem.message.find("cannot read"), std::string::npos)
                << example << problem.to_string();
    }
}

}  // namespace
}  // namespace cairn::config
