// AnchorTracker: the RFC 5011 key states under a fake clock, with DNSKEY
// RRsets signed in-process, and the state file's text form.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dnssec/anchor_tracker.h"
#include "support/zone_signer.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {
namespace {

using testing::TestZoneSigner;
using wire::RData;

constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1800000000;  // 2027-01-15
constexpr uint16_t kRevoked = TestZoneSigner::kKskFlags | wire::DnskeyData::kRevokeFlag;

struct Published {
    wire::RRset dnskeys;
    std::vector<RData> rrsigs;
};

// The root's DNSKEY RRset of `keys`, signed by `signers` with signatures
// valid for 60 days around `now`.
Published publish(const std::vector<const TestZoneSigner*>& keys,
                  const std::vector<const TestZoneSigner*>& signers, int64_t now) {
    Published p{{wire::Name::root(), wire::RRType::DNSKEY, wire::RRClass::IN, 172800, {}}, {}};
    for (const auto* key : keys)
        p.dnskeys.add(key->dnskey_rdata());
    for (const auto* signer : signers)
        p.rrsigs.push_back(signer->sign(p.dnskeys, static_cast<uint32_t>(now - 30 * kDay),
                                        static_cast<uint32_t>(now + 30 * kDay)));
    return p;
}

TrustAnchor anchor_of(const TestZoneSigner& key) {
    TrustAnchors anchors;
    anchors.add(key.dnskey());
    return *anchors.find(wire::Name::root());
}

std::optional<KeyState> state_of(const AnchorTracker& tracker, const TestZoneSigner& key) {
    for (const auto& tracked : tracker.keys())
        if (tracked.tag() == key.key_tag()) return tracked.state;
    return std::nullopt;
}

bool trusts(const AnchorTracker& tracker, const TestZoneSigner& key) {
    const auto anchor = tracker.trusted();
    const auto& keys = anchor.dnskeys.rdatas;
    return std::find(keys.begin(), keys.end(), key.dnskey_rdata()) != keys.end();
}

struct Rollover : ::testing::Test {
    TestZoneSigner a{wire::Name::root()};
    TestZoneSigner b{wire::Name::root()};
    TestZoneSigner zsk{wire::Name::root(), algorithm::kEcdsaP256Sha256, TestZoneSigner::kZskFlags};
    AnchorTracker tracker = AnchorTracker::from_anchor(anchor_of(a), kStart);

    RefreshOutcome refresh(const Published& p, int64_t now) {
        auto outcome = tracker.refresh(p.dnskeys, p.rrsigs, now);
        EXPECT_TRUE(outcome.ok()) << outcome.error();
        return outcome ? *outcome : RefreshOutcome{};
    }
};

TEST(ActiveRefresh, FollowsRfc5011Section2_3) {
    EXPECT_EQ(active_refresh_time(172800, 30 * kDay), kDay);          // half the TTL
    EXPECT_EQ(active_refresh_time(90 * kDay, 60 * kDay), 15 * kDay);  // at most 15 days
    EXPECT_EQ(active_refresh_time(600, 30 * kDay), 3600);             // at least 1 hour
    EXPECT_EQ(active_refresh_time(172800, 4 * 3600), 2 * 3600);       // half the expiration
    EXPECT_EQ(active_retry_time(172800, 30 * kDay), 17280);           // a tenth of the TTL
    EXPECT_EQ(active_retry_time(90 * kDay, 60 * kDay), kDay);         // at most a day
    EXPECT_EQ(active_retry_time(600, 30 * kDay), 3600);               // at least 1 hour
}

TEST_F(Rollover, UnchangedSetKeepsTheAnchorAndSchedulesTheNextRefresh) {
    auto out = refresh(publish({&a, &zsk}, {&a}, kStart), kStart);
    EXPECT_FALSE(out.trusted_changed);
    EXPECT_EQ(state_of(tracker, a), KeyState::kValid);
    EXPECT_EQ(tracker.keys().size(), 1u);  // the ZSK is not tracked
    EXPECT_EQ(tracker.last_success(), kStart);
    EXPECT_EQ(tracker.next_refresh(), kStart + kDay);
}

TEST_F(Rollover, NewKeyIsTrustedOnlyAfterTheAddHoldDown) {
    const auto both = [&](int64_t now) { return publish({&a, &b, &zsk}, {&a}, now); };
    refresh(both(kStart), kStart);
    EXPECT_EQ(state_of(tracker, b), KeyState::kAddPend);
    EXPECT_FALSE(trusts(tracker, b));
    for (int64_t day = 1; day < 30; ++day) {
        auto out = refresh(both(kStart + day * kDay), kStart + day * kDay);
        EXPECT_FALSE(out.trusted_changed);
        EXPECT_FALSE(trusts(tracker, b)) << "day " << day;
    }
    auto out = refresh(both(kStart + 30 * kDay), kStart + 30 * kDay);
    EXPECT_TRUE(out.trusted_changed);
    EXPECT_EQ(state_of(tracker, b), KeyState::kValid);
    EXPECT_TRUE(trusts(tracker, a));
    EXPECT_TRUE(trusts(tracker, b));
}

TEST_F(Rollover, AddHoldDownLastsAtLeastTheOriginalTtl) {
    auto published = [&](int64_t now) {
        auto p = publish({&a, &b}, {}, now);
        p.dnskeys.ttl = 40 * kDay;
        p.rrsigs.push_back(a.sign(p.dnskeys, static_cast<uint32_t>(now - kDay),
                                  static_cast<uint32_t>(now + 60 * kDay)));
        return p;
    };
    refresh(published(kStart), kStart);
    refresh(published(kStart + 31 * kDay), kStart + 31 * kDay);
    EXPECT_EQ(state_of(tracker, b), KeyState::kAddPend);
    auto back = AnchorTracker::from_text(tracker.to_text(), "root.key");  // the TTL is kept
    ASSERT_TRUE(back.ok()) << back.error().message;
    tracker = std::move(*back);
    refresh(published(kStart + 40 * kDay), kStart + 40 * kDay);
    EXPECT_EQ(state_of(tracker, b), KeyState::kValid);
}

TEST_F(Rollover, PendingKeyThatDisappearsStartsOver) {
    refresh(publish({&a, &b}, {&a}, kStart), kStart);
    refresh(publish({&a}, {&a}, kStart + 20 * kDay), kStart + 20 * kDay);
    EXPECT_EQ(state_of(tracker, b), std::nullopt);
    refresh(publish({&a, &b}, {&a}, kStart + 25 * kDay), kStart + 25 * kDay);
    refresh(publish({&a, &b}, {&a}, kStart + 50 * kDay), kStart + 50 * kDay);
    EXPECT_EQ(state_of(tracker, b), KeyState::kAddPend);  // 25 days since it came back
    refresh(publish({&a, &b}, {&a}, kStart + 55 * kDay), kStart + 55 * kDay);
    EXPECT_EQ(state_of(tracker, b), KeyState::kValid);
}

TEST_F(Rollover, SetNotSignedByATrustedKeyCountsAsAFailure) {
    refresh(publish({&a, &b}, {&a}, kStart), kStart);
    auto out = tracker.refresh(publish({&a, &b}, {&b}, kStart + kDay).dnskeys,
                               publish({&a, &b}, {&b}, kStart + kDay).rrsigs, kStart + kDay);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().find("not signed by a trusted key"), std::string::npos);
    EXPECT_EQ(tracker.failures(), 1u);
    EXPECT_EQ(tracker.last_success(), kStart);
    EXPECT_EQ(tracker.next_refresh(), kStart + kDay + 17280);  // the retry time
    EXPECT_EQ(state_of(tracker, b), KeyState::kAddPend);

    TestZoneSigner stranger{wire::Name::root()};
    auto forged = publish({&stranger}, {&stranger}, kStart + kDay);
    EXPECT_FALSE(tracker.refresh(forged.dnskeys, forged.rrsigs, kStart + kDay).ok());
    EXPECT_TRUE(trusts(tracker, a));
}

TEST_F(Rollover, SelfSignedRevocationRemovesTheKeyAtOnce) {
    for (int64_t day : {0, 30})
        refresh(publish({&a, &b}, {&a}, kStart + day * kDay), kStart + day * kDay);
    ASSERT_TRUE(trusts(tracker, b));
    a.set_flags(kRevoked);
    const int64_t now = kStart + 40 * kDay;
    auto out = refresh(publish({&a, &b}, {&a, &b}, now), now);
    EXPECT_TRUE(out.trusted_changed);
    EXPECT_EQ(state_of(tracker, a), KeyState::kRevoked);
    EXPECT_EQ(tracker.trusted().dnskeys.rdatas, std::vector<RData>{b.dnskey_rdata()});
    // A set signed by the revoked key alone no longer counts.
    EXPECT_FALSE(tracker
                     .refresh(publish({&a, &b}, {&a}, now + kDay).dnskeys,
                              publish({&a, &b}, {&a}, now + kDay).rrsigs, now + kDay)
                     .ok());
    refresh(publish({&a, &b}, {&b}, now + 29 * kDay), now + 29 * kDay);
    EXPECT_EQ(state_of(tracker, a), KeyState::kRevoked);
    refresh(publish({&b}, {&b}, now + 30 * kDay), now + 30 * kDay);
    EXPECT_EQ(state_of(tracker, a), KeyState::kRemoved);
}

TEST_F(Rollover, RevocationNeedsTheKeysOwnSignature) {
    for (int64_t day : {0, 30})
        refresh(publish({&a, &b}, {&a}, kStart + day * kDay), kStart + day * kDay);
    a.set_flags(kRevoked);
    const int64_t now = kStart + 40 * kDay;
    refresh(publish({&a, &b}, {&b}, now), now);  // A's revoked form, unsigned by A
    ASSERT_EQ(tracker.keys().size(), 2u);
    EXPECT_EQ(tracker.keys()[0].state, KeyState::kMissing);
    EXPECT_EQ(state_of(tracker, b), KeyState::kValid);
    EXPECT_TRUE(tracker.trusted().dnskeys.rdatas.size() == 2);
}

TEST_F(Rollover, MissingKeyStaysTrustedAndReturns) {
    for (int64_t day : {0, 30})
        refresh(publish({&a, &b}, {&a}, kStart + day * kDay), kStart + day * kDay);
    refresh(publish({&b}, {&b}, kStart + 31 * kDay), kStart + 31 * kDay);
    EXPECT_EQ(state_of(tracker, a), KeyState::kMissing);
    EXPECT_TRUE(trusts(tracker, a));
    refresh(publish({&a, &b}, {&b}, kStart + 32 * kDay), kStart + 32 * kDay);
    EXPECT_EQ(state_of(tracker, a), KeyState::kValid);
}

TEST_F(Rollover, TheLastTrustedKeyIsNeverDropped) {
    TestZoneSigner revoked_a = std::move(a);
    // A set with A both plain and revoked, each self-signed: revoking A
    // would leave nothing trusted.
    tracker = AnchorTracker::from_anchor(anchor_of(revoked_a), kStart);
    const RData plain = revoked_a.dnskey_rdata();
    revoked_a.set_flags(kRevoked);
    Published p{{wire::Name::root(), wire::RRType::DNSKEY, wire::RRClass::IN, 172800, {}}, {}};
    p.dnskeys.add(plain);
    p.dnskeys.add(revoked_a.dnskey_rdata());
    p.rrsigs.push_back(revoked_a.sign(p.dnskeys, kStart - kDay, kStart + kDay));
    revoked_a.set_flags(TestZoneSigner::kKskFlags);
    p.rrsigs.push_back(revoked_a.sign(p.dnskeys, kStart - kDay, kStart + kDay));
    auto out = refresh(p, kStart);
    EXPECT_FALSE(out.trusted_changed);
    ASSERT_EQ(out.events.size(), 1u);
    EXPECT_NE(out.events[0].find("last trusted key"), std::string::npos);
    EXPECT_EQ(tracker.trusted().dnskeys.rdatas, std::vector<RData>{plain});
}

TEST(AnchorTrackerDs, KeyNamedByAConfiguredDsIsTrustedAtOnce) {
    TestZoneSigner a{wire::Name::root()};
    TestZoneSigner future{wire::Name::root()};
    TrustAnchors anchors;
    anchors.add(a.ds());
    anchors.add(future.ds());
    auto tracker = AnchorTracker::from_anchor(*anchors.find(wire::Name::root()), kStart);
    EXPECT_EQ(tracker.trusted_tags().size(), 2u);
    auto p = publish({&a}, {&a}, kStart);
    auto out = tracker.refresh(p.dnskeys, p.rrsigs, kStart);
    ASSERT_TRUE(out.ok()) << out.error();
    EXPECT_FALSE(out->trusted_changed);  // the DS became the key it names
    EXPECT_EQ(tracker.trusted().dnskeys.rdatas, std::vector<RData>{a.dnskey_rdata()});
    EXPECT_EQ(tracker.ds_anchors(), std::vector<RData>{future.ds_rdata()});
    p = publish({&a, &future}, {&a}, kStart + kDay);
    ASSERT_TRUE(tracker.refresh(p.dnskeys, p.rrsigs, kStart + kDay).ok());
    EXPECT_TRUE(tracker.ds_anchors().empty());
    EXPECT_EQ(tracker.count(KeyState::kValid), 2u);
}

TEST_F(Rollover, WarnsWhenStalePendingMissingOrRevoked) {
    EXPECT_TRUE(tracker.warnings(kStart + 3600).empty());
    refresh(publish({&a, &b}, {&a}, kStart), kStart);
    auto warnings = tracker.warnings(kStart + 3600);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("is new; trusted from 2027-02-14"), std::string::npos)
        << warnings[0];
    tracker.refresh_failed(kStart + 3 * kDay);
    warnings = tracker.warnings(kStart + 3 * kDay);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("no successful DNSKEY refresh since"), std::string::npos);
}

TEST_F(Rollover, StateFileRoundTripsAndReadsAsATrustAnchorFile) {
    refresh(publish({&a, &b}, {&a}, kStart), kStart);
    const std::string text = tracker.to_text();
    auto back = AnchorTracker::from_text(text, "root.key");
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->to_text(), text);
    EXPECT_EQ(state_of(*back, b), KeyState::kAddPend);
    EXPECT_EQ(back->next_refresh(), tracker.next_refresh());
    // The pending key keeps its hold-down across the restart.
    auto p = publish({&a, &b}, {&a}, kStart + 30 * kDay);
    ASSERT_TRUE(back->refresh(p.dnskeys, p.rrsigs, kStart + 30 * kDay).ok());
    EXPECT_EQ(state_of(*back, b), KeyState::kValid);

    const auto path = std::filesystem::temp_directory_path() / "cairn-anchor-tracker-test.key";
    std::ofstream(path) << text;
    auto as_anchors = TrustAnchors::load_files({path.string()});
    std::filesystem::remove(path);
    ASSERT_TRUE(as_anchors.ok()) << as_anchors.error().message;
    EXPECT_EQ(as_anchors->find(wire::Name::root())->dnskeys.rdatas,
              std::vector<RData>{a.dnskey_rdata()});
}

TEST_F(Rollover, CorruptStateFileIsAnErrorNamingFileAndLine) {
    refresh(publish({&a, &b}, {&a}, kStart), kStart);
    const std::string good = tracker.to_text();
    const auto expect_error = [](std::string text, std::string_view message) {
        auto parsed = AnchorTracker::from_text(text, "/var/lib/cairn/root.key");
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error().message.substr(0, message.size()), message)
            << parsed.error().message;
    };
    expect_error("", "/var/lib/cairn/root.key: no ;;tracker line");
    expect_error("garbage\n", "/var/lib/cairn/root.key:1: a record before the ;;tracker line");
    std::string bad = good;
    bad.replace(bad.find("state=valid"), 11, "state=happy");
    expect_error(bad, "/var/lib/cairn/root.key:4: unknown state 'happy'");
    bad = good;
    bad.replace(bad.find("DNSKEY"), 6, "DNSKEX");
    expect_error(bad, "/var/lib/cairn/root.key:4: ");
    bad = good;
    bad.replace(bad.find("last-success="), 13, "last-succ=");
    expect_error(bad, "/var/lib/cairn/root.key:3: no number last-success=");
    bad = good;
    bad.erase(bad.find(". 0 IN DNSKEY"), 2);  // the trusted key commented out
    bad.insert(bad.find("0 IN DNSKEY"), ";;. ");
    expect_error(bad, "/var/lib/cairn/root.key:4: a valid key must not be commented out");
}

}  // namespace
}  // namespace cairn::dnssec
