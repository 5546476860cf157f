// forward-zones, stub-zones and forward-tls-ca-file through YAML: fields,
// the port a forwarder gets, and the errors an operator sees.
#include <gtest/gtest.h>

#include "config/config.h"

namespace cairn::config {
namespace {

Result<Config, ConfigError> load(std::string_view yaml) {
    return load_config_text(yaml, "cairn.yaml");
}

TEST(ConfigForwarding, NoneByDefault) {
    const auto config = load("");
    ASSERT_TRUE(config);
    EXPECT_TRUE(config->forwarding.forward_zones.empty());
    EXPECT_TRUE(config->forwarding.stub_zones.empty());
    EXPECT_TRUE(config->forwarding.tls_ca_file.empty());
}

TEST(ConfigForwarding, ZonesThroughYaml) {
    const auto config = load(
        "forward-zones:\n"
        "  - name: corp.example\n"
        "    addresses: [192.0.2.1, \"[2001:db8::1]:5353\"]\n"
        "  - name: .\n"
        "    addresses: 192.0.2.9\n"
        "    tls: dns.example.net\n"
        "    first: yes\n"
        "stub-zones:\n"
        "  - name: lab.example\n"
        "    addresses: [\"192.0.2.10:5300\"]\n");
    ASSERT_TRUE(config) << config.error().to_string();
    const auto& f = config->forwarding;
    ASSERT_EQ(f.forward_zones.size(), 2u);
    EXPECT_EQ(f.forward_zones[0].name.to_text(), "corp.example.");
    EXPECT_EQ(f.forward_zones[0].addresses[0].port, 0);  // decided by tls: 53 here
    EXPECT_EQ(f.forward_zones[0].addresses[1].port, 5353);
    EXPECT_FALSE(f.forward_zones[0].first);
    EXPECT_TRUE(f.forward_zones[0].tls.empty());
    EXPECT_TRUE(f.forward_zones[1].name.is_root());
    EXPECT_EQ(f.forward_zones[1].tls, "dns.example.net");
    EXPECT_TRUE(f.forward_zones[1].first);
    ASSERT_EQ(f.stub_zones.size(), 1u);
    EXPECT_EQ(f.stub_zones[0].addresses[0].port, 5300);
}

TEST(ConfigForwarding, MistakesAreNamedWithTheirLine) {
    struct Case {
        std::string yaml;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"forward-zones:\n  - name: a.example\n", "forward zone without 'addresses'"},
        {"forward-zones:\n  - name: a.example\n    addresses: 192.0.2.1:0\n",
         "cairn.yaml:3: forward-zones: addresses: '192.0.2.1:0'"},
        {"stub-zones:\n  - name: a.example\n    addresses: []\n", "needs at least one"},
        {"forward-zones:\n  - {name: a.example, addresses: 192.0.2.1}\n"
         "stub-zones:\n  - {name: A.example., addresses: 192.0.2.2}\n",
         "A.example. is both a forward zone and a stub zone"},
        {"forward-zones:\n  - {name: a.example, addresses: 192.0.2.1}\n"
         "  - {name: a.example, addresses: 192.0.2.2}\n",
         "forward-zones names a.example. more than once"},
        {"forward-zones:\n  - {name: a.example, addresses: 192.0.2.1, tsl: x}\n", "unknown field"},
    };
    for (const Case& c : cases) {
        const auto config = load(c.yaml);
        ASSERT_FALSE(config) << c.yaml;
        EXPECT_NE(config.error().to_string().find(c.message), std::string::npos)
            << config.error().to_string();
    }
}

}  // namespace
}  // namespace cairn::config
