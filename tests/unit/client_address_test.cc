// client-address-privacy: how a client address is shown in each form, and
// the hash form's keys, which change from one period to the next.
#include "observe/client_address.h"

#include <gtest/gtest.h>

#include <numeric>
#include <regex>
#include <set>

namespace cairn::observe {
namespace {

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

AddressSecret secret(uint8_t first) {
    AddressSecret s{};
    std::iota(s.begin(), s.end(), first);
    return s;
}

AddressPolicy policy(AddressPrivacy privacy, uint8_t secret_seed = 1) {
    return {privacy, secret(secret_seed), kAddressKeyPeriod};
}

constexpr int64_t kNoon = 1'700'000'000 / kAddressKeyPeriod * kAddressKeyPeriod + 43'200;

TEST(ClientAddress, FullAndPrefixForms) {
    struct Case {
        AddressPrivacy privacy;
        const char* client;
        const char* address;  // as shown, in dnstap
        const char* text;     // as shown, in logs
    };
    const Case cases[] = {
        {AddressPrivacy::kFull, "192.0.2.77", "192.0.2.77", "192.0.2.77"},
        {AddressPrivacy::kFull, "2001:db8:1:2::77", "2001:db8:1:2::77", "2001:db8:1:2::77"},
        {AddressPrivacy::kPrefix, "192.0.2.77", "192.0.2.0", "192.0.2.0/24"},
        {AddressPrivacy::kPrefix, "198.51.100.255", "198.51.100.0", "198.51.100.0/24"},
        {AddressPrivacy::kPrefix, "2001:db8:1:2::77", "2001:db8:1::", "2001:db8:1::/48"},
        {AddressPrivacy::kPrefix, "2001:db8:abcd:ffff:1:2:3:4",
         "2001:db8:abcd::", "2001:db8:abcd::/48"},
        {AddressPrivacy::kPrefix, "::1", "::", "::/48"},
        // A dual-stack socket's view of an IPv4 client is shown as IPv4.
        {AddressPrivacy::kFull, "::ffff:192.0.2.77", "192.0.2.77", "192.0.2.77"},
        {AddressPrivacy::kPrefix, "::ffff:192.0.2.77", "192.0.2.0", "192.0.2.0/24"},
    };
    for (const auto& c : cases) {
        const auto shown = show_client_address(ip(c.client), policy(c.privacy), kNoon);
        EXPECT_EQ(shown.form, c.privacy) << c.client;
        EXPECT_EQ(shown.address, ip(c.address)) << c.client;
        EXPECT_EQ(shown.to_string(), c.text) << c.client;
    }
}

TEST(ClientAddress, HashFormIsATokenOfTheClientsFamily) {
    struct Case {
        const char* client;
        bool v4;
        const char* text_pattern;
    };
    const Case cases[] = {
        {"192.0.2.77", true, "hash:[0-9a-f]{8}"},
        {"::ffff:192.0.2.77", true, "hash:[0-9a-f]{8}"},
        {"2001:db8:1:2::77", false, "hash:[0-9a-f]{16}"},
    };
    for (const auto& c : cases) {
        const auto shown = show_client_address(ip(c.client), policy(AddressPrivacy::kHash), kNoon);
        EXPECT_EQ(shown.form, AddressPrivacy::kHash);
        EXPECT_EQ(shown.address.is_v4(), c.v4) << c.client;
        EXPECT_NE(shown.address, ip(c.client).mapped_v4().value_or(ip(c.client))) << c.client;
        EXPECT_TRUE(std::regex_match(shown.to_string(), std::regex(c.text_pattern)))
            << shown.to_string();
        if (!c.v4) {
            // Eight octets of token, then zeros.
            const auto octets = shown.address.bytes();
            EXPECT_TRUE(
                std::all_of(octets.begin() + 8, octets.end(), [](uint8_t o) { return o == 0; }));
        }
    }
    // The mapped form and the plain IPv4 address are one client.
    EXPECT_EQ(
        show_client_address(ip("::ffff:192.0.2.77"), policy(AddressPrivacy::kHash), kNoon).address,
        show_client_address(ip("192.0.2.77"), policy(AddressPrivacy::kHash), kNoon).address);
}

TEST(ClientAddress, HashIsStableWithinAPeriodAndChangesWithTheNext) {
    const auto p = policy(AddressPrivacy::kHash);
    const int64_t day_start = kNoon - 43'200;
    for (const char* client : {"192.0.2.77", "2001:db8::77"}) {
        const auto at = [&](int64_t when) {
            return show_client_address(ip(client), p, when).address;
        };
        // The same token all day: clients can be counted.
        EXPECT_EQ(at(day_start), at(kNoon)) << client;
        EXPECT_EQ(at(day_start + kAddressKeyPeriod - 1), at(kNoon)) << client;
        // A new key at midnight UTC, and a new key each day after.
        std::set<wire::IpAddress> tokens;
        for (int day = -1; day <= 3; ++day)
            tokens.insert(at(day_start + day * kAddressKeyPeriod));
        EXPECT_EQ(tokens.size(), 5u) << client;
    }
}

TEST(ClientAddress, HashDependsOnTheSecretAndTellsClientsApart) {
    const auto a = show_client_address(ip("192.0.2.77"), policy(AddressPrivacy::kHash, 1), kNoon);
    const auto b = show_client_address(ip("192.0.2.77"), policy(AddressPrivacy::kHash, 2), kNoon);
    EXPECT_NE(a.address, b.address);
    // Neighbours, which one prefix would merge, stay apart.
    std::set<wire::IpAddress> tokens;
    for (int host = 0; host < 256; ++host) {
        const auto client = wire::IpAddress::v4({192, 0, 2, static_cast<uint8_t>(host)});
        tokens.insert(show_client_address(client, policy(AddressPrivacy::kHash), kNoon).address);
    }
    EXPECT_EQ(tokens.size(), 256u);
}

TEST(ClientAddress, PeriodsBeforeTheEpochAreWholeToo) {
    AddressPolicy p = policy(AddressPrivacy::kHash);
    p.key_period = 100;
    const auto at = [&](int64_t when) {
        return show_client_address(ip("192.0.2.1"), p, when).address;
    };
    EXPECT_EQ(at(-1), at(-100));
    EXPECT_NE(at(-1), at(0));
    EXPECT_EQ(at(0), at(99));
}

TEST(ClientAddress, PrivacyWords) {
    for (const auto privacy :
         {AddressPrivacy::kFull, AddressPrivacy::kPrefix, AddressPrivacy::kHash})
        EXPECT_EQ(address_privacy_from(address_privacy_name(privacy)), privacy);
    EXPECT_FALSE(address_privacy_from("anonymous"));
    EXPECT_FALSE(address_privacy_from(""));
}

TEST(ClientAddress, RandomSecretsDiffer) {
    EXPECT_NE(random_address_secret(), random_address_secret());
}

}  // namespace
}  // namespace cairn::observe
