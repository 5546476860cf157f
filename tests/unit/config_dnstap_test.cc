// The options of dnstap, the query log and client-address-privacy: their
// defaults, their values through YAML, and the rule between the two
// readers.
#include <gtest/gtest.h>

#include "config/config.h"

namespace cairn::config {
namespace {

Result<Config, ConfigError> load(std::string_view yaml) {
    return load_config_text(yaml, "cairn.yaml");
}

TEST(ConfigDnstap, OffByDefaultAndClientEventsOnceAReaderIsNamed) {
    const auto config = load("");
    ASSERT_TRUE(config);
    EXPECT_FALSE(config->dnstap.enabled());
    EXPECT_FALSE(config->log_queries);
    EXPECT_EQ(config->client_address_privacy, "prefix");
    const auto& selection = config->dnstap.selection;
    EXPECT_TRUE(selection.client_queries);
    EXPECT_TRUE(selection.client_responses);
    EXPECT_FALSE(selection.resolver_queries);
    EXPECT_FALSE(selection.resolver_responses);

    const auto with_reader = load("dnstap-socket: /run/dnstap.sock\n");
    ASSERT_TRUE(with_reader) << with_reader.error().to_string();
    EXPECT_TRUE(with_reader->dnstap.enabled());
    EXPECT_EQ(with_reader->dnstap.socket, "/run/dnstap.sock");
}

TEST(ConfigDnstap, EveryOptionThroughYaml) {
    const auto config = load(
        "dnstap-address: 127.0.0.1\n"
        "dnstap-identity: resolver-7\n"
        "dnstap-version: v1\n"
        "dnstap-client-queries: off\n"
        "dnstap-client-responses: no\n"
        "dnstap-resolver-queries: on\n"
        "dnstap-resolver-responses: yes\n"
        "dnstap-queue-size: 1000\n"
        "log-queries: true\n"
        "client-address-privacy: HASH\n");
    ASSERT_TRUE(config) << config.error().to_string();
    const auto& d = config->dnstap;
    ASSERT_TRUE(d.address);
    EXPECT_EQ(d.address->to_string(), "127.0.0.1:6000");  // the port collectors use
    EXPECT_EQ(d.identity, "resolver-7");
    EXPECT_EQ(d.version, "v1");
    EXPECT_EQ(d.selection, (observe::DnstapSelection{false, false, true, true}));
    EXPECT_EQ(d.queue_size, 1000u);
    EXPECT_TRUE(d.enabled());
    EXPECT_TRUE(config->log_queries);
    EXPECT_EQ(config->client_address_privacy, "hash");
}

TEST(ConfigDnstap, NothingSelectedIsOff) {
    const auto config = load(
        "dnstap-socket: /run/dnstap.sock\n"
        "dnstap-client-queries: off\n"
        "dnstap-client-responses: off\n");
    ASSERT_TRUE(config);
    EXPECT_FALSE(config->dnstap.enabled());
}

TEST(ConfigDnstap, BadValuesAreRefusedWithTheirLine) {
    const auto privacy = load("client-address-privacy: anonymous\n");
    ASSERT_FALSE(privacy);
    EXPECT_NE(privacy.error().to_string().find("cairn.yaml:1: client-address-privacy:"),
              std::string::npos)
        << privacy.error().to_string();
    const auto address = load("dnstap-address: collector.example\n");
    ASSERT_FALSE(address);
    EXPECT_NE(address.error().to_string().find("dnstap-address"), std::string::npos);
    const auto size = load("dnstap-queue-size: 100000\n");
    ASSERT_FALSE(size);
    EXPECT_NE(size.error().to_string().find("out of range"), std::string::npos);
    const auto path = load("dnstap-socket: /" + std::string(200, 'x') + "\n");
    ASSERT_FALSE(path);
}

TEST(ConfigDnstap, OneReaderOnly) {
    const auto both = load(
        "dnstap-socket: /run/dnstap.sock\n"
        "dnstap-address: 127.0.0.1:6000\n");
    ASSERT_FALSE(both);
    EXPECT_NE(both.error().to_string().find("dnstap-socket and dnstap-address are both set"),
              std::string::npos)
        << both.error().to_string();
}

TEST(ConfigDnstap, EmptyAddressMeansNone) {
    const auto config = load("dnstap-address: \"\"\n");
    ASSERT_TRUE(config) << config.error().to_string();
    EXPECT_FALSE(config->dnstap.address);
}

}  // namespace
}  // namespace cairn::config
