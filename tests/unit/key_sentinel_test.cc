// RFC 8509 root key trust anchor sentinel, as a pure decision.
#include "resolve/key_sentinel.h"

#include <gtest/gtest.h>

#include "dnssec/key_tag.h"
#include "wire/zone_reader.h"

namespace cairn::resolve {
namespace {

using wire::RRType;

wire::Question question(std::string_view name, RRType type = RRType::A) {
    return {*wire::Name::from_text(name), type, wire::RRClass::IN};
}

TEST(KeySentinel, LabelIsExactlyPrefixAndFiveDigits) {
    struct Case {
        std::string_view name;
        std::optional<bool> is_ta;  // nullopt: no sentinel
        uint32_t key_tag;
    };
    const Case cases[] = {
        {"root-key-sentinel-is-ta-20326.example.", true, 20326},
        {"root-key-sentinel-not-ta-20326.example.", false, 20326},
        {"ROOT-Key-Sentinel-IS-TA-00042.example.", true, 42},
        {"root-key-sentinel-not-ta-99999.", false, 99999},
        {"root-key-sentinel-is-ta-2032.example.", std::nullopt, 0},    // four digits
        {"root-key-sentinel-is-ta-203260.example.", std::nullopt, 0},  // six
        {"root-key-sentinel-is-ta-2032a.example.", std::nullopt, 0},
        {"root-key-sentinel-is-ta--2032.example.", std::nullopt, 0},
        {"root-key-sentinel-maybe-20326.example.", std::nullopt, 0},
        {"xroot-key-sentinel-is-ta-2032.example.", std::nullopt, 0},
        {"www.root-key-sentinel-is-ta-20326.example.", std::nullopt, 0},  // not leftmost
        {"kskroll-sentinel-is-ta-20326.example.", std::nullopt, 0},       // a draft's label
        {".", std::nullopt, 0},
    };
    for (const auto& c : cases) {
        const auto label = sentinel_label(*wire::Name::from_text(c.name));
        ASSERT_EQ(label.has_value(), c.is_ta.has_value()) << c.name;
        if (!label) continue;
        EXPECT_EQ(label->is_ta, *c.is_ta) << c.name;
        EXPECT_EQ(label->key_tag, c.key_tag) << c.name;
    }
}

TEST(KeySentinel, RootAnchorTagsComeFromDsAndDnskeyAnchors) {
    // The built-in root anchors are DS records for KSK-2017 and KSK-2024.
    EXPECT_EQ(root_anchor_key_tags(dnssec::TrustAnchors::builtin()),
              (std::vector<uint16_t>{20326, 38696}));

    dnssec::TrustAnchors anchors;
    const auto key = *wire::parse_record(
        ". 0 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", wire::Name::root());
    const auto revoked = *wire::parse_record(
        ". 0 IN DNSKEY 385 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", wire::Name::root());
    const auto elsewhere = *wire::parse_record("example. 0 IN DS 1234 8 2 " + std::string(64, '0'),
                                               wire::Name::root());
    anchors.add(key);
    anchors.add(revoked);
    anchors.add(elsewhere);
    EXPECT_EQ(root_anchor_key_tags(anchors), std::vector<uint16_t>{dnssec::key_tag(key.rdata)});
    EXPECT_TRUE(root_anchor_key_tags(dnssec::TrustAnchors()).empty());
}

// RFC 8509 §3.2's table, and §3.1's preconditions each left out once.
TEST(KeySentinel, ServfailOnlyWhenTheLabelDisagreesWithTheAnchors) {
    const auto anchors = dnssec::TrustAnchors::builtin();
    struct Case {
        std::string_view name;
        RRType type;
        bool validated;
        bool secure;
        bool servfail;
    };
    const Case cases[] = {
        {"root-key-sentinel-is-ta-20326.example.", RRType::A, true, true, false},
        {"root-key-sentinel-is-ta-38696.example.", RRType::AAAA, true, true, false},
        {"root-key-sentinel-is-ta-12345.example.", RRType::A, true, true, true},
        {"root-key-sentinel-is-ta-99999.example.", RRType::A, true, true, true},
        {"root-key-sentinel-not-ta-20326.example.", RRType::A, true, true, true},
        {"root-key-sentinel-not-ta-12345.example.", RRType::AAAA, true, true, false},
        {"ROOT-KEY-SENTINEL-NOT-TA-38696.example.", RRType::A, true, true, true},
        // Preconditions: validated, Secure, A or AAAA, the leftmost label.
        {"root-key-sentinel-is-ta-12345.example.", RRType::A, false, true, false},
        {"root-key-sentinel-is-ta-12345.example.", RRType::A, true, false, false},
        {"root-key-sentinel-not-ta-20326.example.", RRType::A, false, false, false},
        {"root-key-sentinel-is-ta-12345.example.", RRType::TXT, true, true, false},
        {"root-key-sentinel-not-ta-20326.example.", RRType::MX, true, true, false},
        {"a.root-key-sentinel-is-ta-12345.example.", RRType::A, true, true, false},
        {"www.example.", RRType::A, true, true, false},
    };
    for (const auto& c : cases) {
        const auto failure =
            key_sentinel_failure(question(c.name, c.type), c.validated, c.secure, anchors);
        EXPECT_EQ(failure.has_value(), c.servfail)
            << c.name << " " << wire::to_string(c.type) << " validated=" << c.validated
            << " secure=" << c.secure;
    }
    EXPECT_EQ(key_sentinel_failure(question("root-key-sentinel-is-ta-12345.example."), true, true,
                                   anchors),
              "root key sentinel (RFC 8509): key tag 12345 is not a root trust anchor");
    EXPECT_EQ(key_sentinel_failure(question("root-key-sentinel-not-ta-20326.example."), true, true,
                                   anchors),
              "root key sentinel (RFC 8509): key tag 20326 is a root trust anchor");
}

TEST(KeySentinel, WithoutRootAnchorsNoKeyIsTrusted) {
    const dnssec::TrustAnchors none;
    EXPECT_TRUE(
        key_sentinel_failure(question("root-key-sentinel-is-ta-20326.example."), true, true, none));
    EXPECT_FALSE(key_sentinel_failure(question("root-key-sentinel-not-ta-20326.example."), true,
                                      true, none));
}

}  // namespace
}  // namespace cairn::resolve
