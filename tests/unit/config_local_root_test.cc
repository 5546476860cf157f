// The local-root options (RFC 8806): parsed into Config::local_root, and
// local-root refused without a source to transfer the zone from.
#include <gtest/gtest.h>

#include "config/config.h"

namespace cairn::config {
namespace {

TEST(ConfigLocalRoot, OffByDefault) {
    const auto config = load_config_text("", "test");
    ASSERT_TRUE(config);
    EXPECT_FALSE(config->local_root.enabled);
    EXPECT_TRUE(config->local_root.sources.empty());
    EXPECT_TRUE(config->local_root.file.empty());
}

TEST(ConfigLocalRoot, SourcesAndFile) {
    const auto config = load_config_text(
        "local-root: true\n"
        "local-root-sources: [\"192.0.2.1\", \"[2001:db8::1]:5353\"]\n"
        "local-root-file: /var/lib/cairn/root.zone\n",
        "test");
    ASSERT_TRUE(config) << config.error().to_string();
    EXPECT_TRUE(config->local_root.enabled);
    ASSERT_EQ(config->local_root.sources.size(), 2u);
    EXPECT_EQ(config->local_root.sources[0].to_string(), "192.0.2.1:53");
    EXPECT_EQ(config->local_root.sources[1].port, 5353);
    EXPECT_EQ(config->local_root.file, "/var/lib/cairn/root.zone");
}

TEST(ConfigLocalRoot, NeedsASource) {
    const auto config = load_config_text("local-root: true\n", "test");
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().to_string().find("local-root-sources is empty"), std::string::npos)
        << config.error().to_string();
}

}  // namespace
}  // namespace cairn::config
