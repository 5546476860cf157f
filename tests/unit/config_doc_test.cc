// docs/configuration.md is generated from the option table and must match it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_doc.h"
#include "config/options_table.h"

namespace cairn::config {
namespace {

std::filesystem::path documentation_path() {
#ifdef CAIRN_SOURCE_DIR
    return std::filesystem::path(CAIRN_SOURCE_DIR) / "docs" / "configuration.md";
#else
    // tests/unit/config_doc_test.cc → docs/configuration.md
    return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" /
           "configuration.md";
#endif
}

TEST(ConfigDoc, CommittedDocumentationIsUpToDate) {
    const std::string generated = configuration_markdown();
    const auto path = documentation_path();
    // scripts/gen-config-doc.sh runs this test with the variable set.
    if (const char* update = std::getenv("CAIRN_UPDATE_CONFIG_DOC"); update && *update == '1') {
        std::ofstream(path, std::ios::binary) << generated;
        GTEST_SKIP() << "wrote " << path;
    }
    std::ifstream file(path, std::ios::binary);
    ASSERT_TRUE(file) << "cannot read " << path;
    std::ostringstream committed;
    committed << file.rdbuf();
    EXPECT_TRUE(committed.str() == generated)
        << path << " differs from configuration_markdown(); run scripts/gen-config-doc.sh";
}

TEST(ConfigDoc, EveryOptionIsDocumentedWithItsDefault) {
    const std::string doc = configuration_markdown();
    const Config defaults;
    for (const Option& entry : options()) {
        const std::string heading = "### `" + std::string(entry.key) + "`\n";
        const auto at = doc.find(heading);
        ASSERT_NE(at, std::string::npos) << entry.key;
        const std::string section = doc.substr(at, doc.find("\n### ", at + 1) - at);
        EXPECT_NE(section.find(std::string(entry.help)), std::string::npos) << entry.key;
        EXPECT_NE(section.find("- default: `" + entry.show(defaults) + "`"), std::string::npos)
            << entry.key;
        EXPECT_NE(section.find("- type: " + entry.type), std::string::npos) << entry.key;
        if (!entry.range.empty()) {
            EXPECT_NE(section.find("- allowed: " + entry.range), std::string::npos) << entry.key;
        }
    }
    for (const Rule& rule : rules())
        EXPECT_NE(doc.find(std::string(rule.description)), std::string::npos);
}

TEST(ConfigDoc, EveryTypeHasItsSyntaxExplained) {
    const std::string doc = configuration_markdown();
    for (const Option& entry : options()) {
        const std::string type = entry.takes_records ? "mapping"
                                 : entry.is_list     ? entry.element_type
                                                     : entry.type;
        EXPECT_NE(doc.find("\n| " + type + " | "), std::string::npos) << entry.key;
        if (entry.is_list) {
            EXPECT_NE(doc.find("\n| list | "), std::string::npos);
        }
    }
}

TEST(ConfigDoc, ShowsRealErrorMessages) {
    const std::string doc = configuration_markdown();
    EXPECT_NE(doc.find("cairn.yaml:2: qname-minimization: unknown option (did you mean "
                       "'qname-minimisation'?)"),
              std::string::npos);
    EXPECT_NE(doc.find("cairn.yaml:3: cache-size: '12q' is not a size"), std::string::npos);
    EXPECT_NE(doc.find("cairn.yaml:5: cache-size: given more than once (first on line 3)"),
              std::string::npos);
}

}  // namespace
}  // namespace cairn::config
