// The options of local zones and local data: defaults, values through YAML,
// and errors that name the line and the option.
#include <gtest/gtest.h>

#include "config/config.h"

namespace cairn::config {
namespace {

Result<Config, ConfigError> load(std::string_view yaml) {
    return load_config_text(yaml, "cairn.yaml");
}

TEST(ConfigLocalZones, BuiltinZonesOnAndNothingElseByDefault) {
    const auto config = load("");
    ASSERT_TRUE(config);
    EXPECT_TRUE(config->policy.local_zones.empty());
    EXPECT_TRUE(config->policy.local_data.empty());
    EXPECT_EQ(config->policy.builtin_zones, policy::BuiltinZoneSwitches{});
    EXPECT_TRUE(config->policy.builtin_zones.special_use);
    EXPECT_TRUE(config->policy.builtin_zones.onion);
}

TEST(ConfigLocalZones, EveryOptionThroughYaml) {
    const auto config = load(
        "local-zones:\n"
        "  - name: ads.example\n"
        "    type: redirect\n"
        "  - {name: 10.in-addr.arpa, type: nodefault}\n"
        "local-data:\n"
        "  - \"ads.example. 60 IN A 127.0.0.1\"\n"
        "  - printer.home.arpa A 192.168.1.5\n"
        "local-zones-special-use: off\n"
        "local-zones-private-reverse: no\n"
        "local-zones-home-arpa: false\n"
        "local-zones-onion: off\n");
    ASSERT_TRUE(config) << config.error().to_string();
    const auto& policy = config->policy;
    ASSERT_EQ(policy.local_zones.size(), 2u);
    EXPECT_EQ(policy.local_zones[0].name.to_text(), "ads.example.");
    EXPECT_EQ(policy.local_zones[0].type, "redirect");
    EXPECT_EQ(policy.local_zones[1].type, "nodefault");
    ASSERT_EQ(policy.local_data.size(), 2u);
    EXPECT_EQ(policy.local_data[0].to_text(), "ads.example. 60 IN A 127.0.0.1");
    EXPECT_EQ(policy.local_data[1].to_text(), "printer.home.arpa. 3600 IN A 192.168.1.5");
    EXPECT_EQ(policy.builtin_zones, (policy::BuiltinZoneSwitches{false, false, false, false}));
}

TEST(ConfigLocalZones, ErrorsNameTheLineAndTheOption) {
    struct Case {
        std::string yaml;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"local-data:\n  - \"a.example. A 192.0.2.1\"\n  - \"b.example. A 192.0.2.300\"\n",
         "cairn.yaml:3: local-data: 'b.example. A 192.0.2.300' is not a record"},
        {"local-zones:\n  - name: example\n    type: statik\n",
         "cairn.yaml:3: local-zones: type: 'statik'"},
        {"local-zones:\n  - name: example\n",
         "cairn.yaml:2: local-zones: local zone without 'type'"},
        {"threads: 1\nlocal-data:\n  - \"www.example. CNAME x.example.\"\n"
         "  - \"www.example. A 192.0.2.1\"\n",
         "cairn.yaml:2: local data at www.example.: a CNAME and other data"},
        {"local-zones: [{name: example, type: nodefault}]\n",
         "cairn.yaml:1: local zone example.: nodefault names no built-in zone"},
    };
    for (const Case& c : cases) {
        const auto config = load(c.yaml);
        ASSERT_FALSE(config) << c.yaml;
        const std::string text = config.error().to_string();
        EXPECT_EQ(text.substr(0, c.message.size()), c.message) << text;
    }
}

}  // namespace
}  // namespace cairn::config
