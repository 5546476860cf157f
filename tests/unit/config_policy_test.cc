// The DNS64 and zone-policy options: what they read and what they refuse.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"

namespace cairn::config {
namespace {

std::string error_of(std::string_view yaml) {
    auto loaded = load_config_text(yaml, "cairn.yaml");
    if (loaded) return "(loaded without error)";
    return loaded.error().to_string();
}

TEST(ConfigPolicy, ReadsDns64) {
    auto loaded = load_config_text(
        "dns64: true\n"
        "dns64-prefix: 2001:db8:64:ff00::/64\n"
        "dns64-exclude: [\"::ffff:0:0/96\", \"2001:db8:dead::/48\"]\n"
        "dns64-exclude-ipv4: []\n"
        "dns64-ignore-aaaa: [broken.example]\n"
        "dns64-ptr: false\n",
        "cairn.yaml");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    const auto& dns64 = loaded->dns64;
    EXPECT_TRUE(dns64.enabled);
    EXPECT_EQ(dns64.prefix.to_string(), "2001:db8:64:ff00::/64");
    EXPECT_EQ(dns64.exclude.size(), 2u);
    EXPECT_TRUE(dns64.exclude_ipv4.empty());
    ASSERT_EQ(dns64.ignore_aaaa.size(), 1u);
    EXPECT_EQ(dns64.ignore_aaaa[0].to_text(), "broken.example.");
    EXPECT_FALSE(dns64.synthesise_ptr);
}

TEST(ConfigPolicy, Dns64DefaultsAreOffWithTheWellKnownPrefix) {
    auto loaded = load_config_text("", "cairn.yaml");
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(loaded->dns64.enabled);
    EXPECT_EQ(loaded->dns64.prefix.to_string(), "64:ff9b::/96");
    ASSERT_EQ(loaded->dns64.exclude.size(), 1u);
    EXPECT_TRUE(loaded->resolver.zone_policy.empty());
}

TEST(ConfigPolicy, RefusesPrefixesRfc6052DoesNotAllow) {
    EXPECT_NE(error_of("dns64-prefix: 2001:db8::/33\n").find("32, 40, 48, 56, 64 or 96"),
              std::string::npos);
    EXPECT_NE(error_of("dns64-prefix: 192.0.2.0/24\n").find("IPv6"), std::string::npos);
    EXPECT_NE(error_of("dns64-prefix: \"2001:db8:0:0:ff00::/96\"\n").find("bits 64 to 71"),
              std::string::npos);
    EXPECT_NE(error_of("dns64-exclude-ipv4: [\"2001:db8::/32\"]\n").find("not an IPv4 prefix"),
              std::string::npos);
    EXPECT_NE(error_of("dns64-exclude: [10.0.0.0/8]\n").find("not an IPv6 prefix"),
              std::string::npos);
}

TEST(ConfigPolicy, ReadsZonePolicyWithUnsetFieldsLeftUnset) {
    auto loaded = load_config_text(
        "zone-policy:\n"
        "  - name: corp.example\n"
        "    cache-max-ttl: 5m\n"
        "    serve-stale: false\n"
        "  - name: cdn.example.net\n"
        "    prefetch: off\n"
        "    stale-max: 2h\n"
        "    stale-recheck-interval: 10s\n"
        "    cache-min-ttl: 30\n",
        "cairn.yaml");
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    const auto& entries = loaded->resolver.zone_policy;
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].name.to_text(), "corp.example.");
    EXPECT_EQ(entries[0].cache_max_ttl, 300u);
    EXPECT_EQ(entries[0].serve_stale, false);
    EXPECT_FALSE(entries[0].cache_min_ttl);
    EXPECT_FALSE(entries[0].prefetch);
    EXPECT_FALSE(entries[0].stale_max);
    EXPECT_EQ(entries[1].prefetch, false);
    EXPECT_EQ(entries[1].stale_max, 7200u);
    EXPECT_EQ(entries[1].stale_recheck_interval, std::chrono::seconds(10));
    EXPECT_EQ(entries[1].cache_min_ttl, 30u);
}

TEST(ConfigPolicy, ZonePolicyErrorsNameTheFieldOrTheZone) {
    EXPECT_NE(error_of("zone-policy:\n  - cache-max-ttl: 5m\n").find("without 'name'"),
              std::string::npos);
    EXPECT_NE(
        error_of("zone-policy:\n  - name: a.example\n    max-ttl: 5m\n").find("unknown field"),
        std::string::npos);
    EXPECT_NE(error_of("zone-policy:\n  - name: a.example\n    cache-min-ttl: 2h\n"
                       "    cache-max-ttl: 1h\n")
                  .find("cache-min-ttl is greater than cache-max-ttl"),
              std::string::npos);
    EXPECT_NE(error_of("zone-policy:\n  - name: a.example\n  - name: A.Example.\n").find("twice"),
              std::string::npos);
    EXPECT_NE(error_of("zone-policy:\n  - name: a.example\n    stale-max: 40d\n").find("stale-max"),
              std::string::npos);
}

}  // namespace
}  // namespace cairn::config
