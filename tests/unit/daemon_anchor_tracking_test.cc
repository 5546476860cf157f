// The daemon's RFC 5011 side: when the root anchor is tracked
// (trust-anchor-tracking), the state file read at start and written
// atomically, answers turned into refreshes, the RFC 8145 signal name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cairn/anchor_refresher.h"
#include "support/zone_signer.h"
#include "wire/zone_reader.h"

namespace cairn::daemon {
namespace {

using testing::TestZoneSigner;

constexpr int64_t kNow = 1800000000;

struct AnchorTracking : ::testing::Test {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("cairn-anchor-tracking-" + std::to_string(::getpid()));
    TestZoneSigner ksk{wire::Name::root()};
    policy::AnchorTrackingOptions options;
    resolve::DnssecOptions dnssec;
    std::vector<std::string> notes;

    void SetUp() override {
        std::filesystem::create_directories(dir);
        options.state_file = (dir / "root.key").string();
        dnssec.anchors.add(ksk.ds());
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::unique_ptr<AnchorRefresher> start() {
        auto refresher = start_anchor_tracking(options, dnssec, kNow, notes);
        EXPECT_TRUE(refresher.ok()) << refresher.error().message;
        return refresher ? std::move(*refresher) : nullptr;
    }

    resolve::Answer answer(int64_t now) const {
        wire::RRset keys{wire::Name::root(), wire::RRType::DNSKEY, wire::RRClass::IN, 172800, {}};
        keys.add(ksk.dnskey_rdata());
        resolve::Answer out;
        out.answer = keys.to_records();
        out.answer.push_back(ksk.rrsig(keys, static_cast<uint32_t>(now - 86400),
                                       static_cast<uint32_t>(now + 30 * 86400)));
        return out;
    }
};

TEST_F(AnchorTracking, AutoTracksOnlyBuiltInAnchorsInAnExistingDirectory) {
    EXPECT_NE(start(), nullptr);
    dnssec.trust_anchor_files = {"/etc/cairn/root.ds"};
    EXPECT_EQ(start(), nullptr);  // the operator's files stay as given
    options.tracking = "on";
    EXPECT_NE(start(), nullptr);
    options.tracking = "auto";
    dnssec.trust_anchor_files.clear();
    options.state_file = (dir / "missing" / "root.key").string();
    EXPECT_EQ(start(), nullptr);
    EXPECT_NE(notes.back().find("does not exist"), std::string::npos) << notes.back();
    options.tracking = "off";
    options.state_file = (dir / "root.key").string();
    EXPECT_EQ(start(), nullptr);
}

TEST_F(AnchorTracking, AnswerRefreshesSavesAndIsReadBackAtStart) {
    auto refresher = start();
    ASSERT_NE(refresher, nullptr);
    EXPECT_TRUE(refresher->due(kNow));
    refresher->asked(kNow);
    EXPECT_FALSE(refresher->due(kNow + 10));  // a question is out
    EXPECT_FALSE(refresher->apply(answer(kNow), kNow));
    EXPECT_EQ(refresher->tracker().count(dnssec::KeyState::kValid), 1u);
    EXPECT_FALSE(refresher->due(kNow + 60));
    ASSERT_TRUE(refresher->save().ok());
    EXPECT_FALSE(std::filesystem::exists(options.state_file + ".new"));

    auto again = start();
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->tracker().to_text(), refresher->tracker().to_text());
    const auto anchors = again->with_tracked(dnssec.anchors);
    EXPECT_EQ(anchors.find(wire::Name::root())->dnskeys.rdatas,
              std::vector<wire::RData>{ksk.dnskey_rdata()});
    EXPECT_TRUE(anchors.find(wire::Name::root())->ds.rdatas.empty());

    server::Stats stats;
    again->append_stats(stats, kNow + 100);
    bool found = false;
    for (const auto& stat : stats)
        if (stat.name == "trust_anchor.keys_valid") found = stat.value == 1;
    EXPECT_TRUE(found);
}

TEST_F(AnchorTracking, FailedAnswerCountsAndRetries) {
    auto refresher = start();
    ASSERT_NE(refresher, nullptr);
    resolve::Answer servfail;
    servfail.rcode = wire::Rcode::SERVFAIL;
    EXPECT_FALSE(refresher->apply(servfail, kNow));
    EXPECT_EQ(refresher->tracker().failures(), 1u);
    EXPECT_EQ(refresher->tracker().next_refresh(), kNow + 3600);
}

TEST_F(AnchorTracking, CorruptStateFileIsAnErrorNamingIt) {
    std::ofstream(options.state_file) << ";;tracker zone=. started=1\n";
    auto refresher = start_anchor_tracking(options, dnssec, kNow, notes);
    ASSERT_FALSE(refresher.ok());
    EXPECT_EQ(refresher.error().message,
              options.state_file + ":1: no number last-success= in the ;;tracker line");
}

TEST_F(AnchorTracking, SignalNameListsTrustedTagsInHexSorted) {
    dnssec::TrustAnchors anchors;
    anchors.add(*wire::parse_record(
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
        wire::Name::root()));
    anchors.add(*wire::parse_record(
        ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
        wire::Name::root()));
    dnssec.anchors = anchors;
    auto refresher = start();
    ASSERT_NE(refresher, nullptr);
    EXPECT_EQ(refresher->signal_name().to_text(), "_ta-4f66-9728.");
    EXPECT_EQ(refresher->signal_question().question.type, wire::RRType::NULL_);
}

}  // namespace
}  // namespace cairn::daemon
