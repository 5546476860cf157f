#include "config/config_diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::config {
namespace {

Config load(std::string_view yaml) {
    auto config = load_config_text(yaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << (config ? "" : config.error().to_string());
    return config ? *config : Config{};
}

using Keys = std::vector<std::string_view>;

TEST(ConfigDiff, SameTextNoChange) {
    const std::string yaml = "listen: [\"127.0.0.1:5353\"]\ncache-size: 64M\n";
    EXPECT_EQ(changed_options(load(yaml), load(yaml)), Keys{});
    EXPECT_EQ(changed_options(Config{}, load("")), Keys{});
}

TEST(ConfigDiff, ASettingWrittenDifferentlyIsNoChange) {
    EXPECT_EQ(changed_options(load("cache-size: 64M\n"), load("cache-size: 65536K\n")), Keys{});
}

// Any readable files do for paths: the reader only checks that.
const std::string kFileA = CAIRN_SOURCE_DIR "/README.md";
const std::string kFileB = CAIRN_SOURCE_DIR "/CMakeLists.txt";

std::string tls_files(const std::string& certificate, const std::string& key) {
    return "tls-certificate: " + certificate + "\ntls-key: " + key + "\n";
}

TEST(ConfigDiff, NamesEachChangedOption) {
    const Config before = load(tls_files(kFileA, kFileA) + "allow: [10.0.0.0/8]\n");
    EXPECT_EQ(changed_options(before, load(tls_files(kFileB, kFileA) + "allow: [10.0.0.0/8]\n")),
              Keys{"tls-certificate"});
    EXPECT_EQ(changed_options(before, load(tls_files(kFileB, kFileB) + "allow: [10.0.0.0/8]\n")),
              (Keys{"tls-certificate", "tls-key"}));
    const Keys both = changed_options(
        before, load(tls_files(kFileA, kFileA) + "allow: [10.0.0.0/16]\nlog-level: debug\n"));
    ASSERT_EQ(both.size(), 2u);
    EXPECT_NE(std::find(both.begin(), both.end(), "allow"), both.end());
    EXPECT_NE(std::find(both.begin(), both.end(), "log-level"), both.end());
}

}  // namespace
}  // namespace cairn::config
