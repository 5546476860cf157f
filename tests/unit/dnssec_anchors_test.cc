// Trust anchors: the built-in root anchors against the published root KSKs,
// and anchor files.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/trust_anchors.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {
namespace {

using wire::Name;
using wire::RRType;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

// The root zone's key-signing keys as published in the root zone (and, as
// DS, in IANA's root-anchors.xml).
constexpr std::string_view kKsk2017 =
    ". 172800 IN DNSKEY 257 3 8 "
    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN"
    "7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8"
    "efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLY"
    "A4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
constexpr std::string_view kKsk2024 =
    ". 172800 IN DNSKEY 257 3 8 "
    "AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeH"
    "spaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAx"
    "m9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+"
    "u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=";

TEST(DnssecAnchors, BuiltinRootAnchorsMatchThePublishedKsks) {
    const TrustAnchors anchors = TrustAnchors::builtin();
    ASSERT_EQ(anchors.all().size(), 1u);
    const TrustAnchor* root = anchors.find(Name::root());
    ASSERT_NE(root, nullptr);
    EXPECT_TRUE(root->dnskeys.rdatas.empty());
    ASSERT_EQ(root->ds.rdatas.size(), 2u);
    EXPECT_EQ(root->ds.type, RRType::DS);

    struct Expected {
        std::string_view key;
        uint16_t tag;
    };
    const auto ds0 = *wire::DsData::from(root->ds.rdatas[0]);
    const auto ds1 = *wire::DsData::from(root->ds.rdatas[1]);
    for (auto [text, tag] : {Expected{kKsk2017, 20326}, Expected{kKsk2024, 38696}}) {
        const auto key = *wire::parse_record(text, Name::root());
        EXPECT_EQ(key_tag(key.rdata), tag);
        const auto& ds = ds0.key_tag == tag ? ds0 : ds1;
        EXPECT_EQ(ds.key_tag, tag);
        EXPECT_EQ(ds.algorithm, 8);
        EXPECT_EQ(ds.digest_type, 2);
        EXPECT_TRUE(ds_matches(ds, Name::root(), key.rdata)) << tag;
    }
    EXPECT_FALSE(ds_matches(
        ds0, Name::root(),
        wire::parse_record(ds0.key_tag == 20326 ? kKsk2024 : kKsk2017, Name::root())->rdata));
}

TEST(DnssecAnchors, FindAndClosest) {
    TrustAnchors anchors = TrustAnchors::builtin();
    anchors.add(
        *wire::parse_record("example.org. 0 IN DS 1 13 2 " + std::string(64, 'a'), Name::root()));
    EXPECT_EQ(anchors.closest(name("www.example.com."))->zone, Name::root());
    EXPECT_EQ(anchors.closest(name("www.Example.ORG."))->zone, name("example.org."));
    EXPECT_EQ(anchors.closest(name("example.org."))->zone, name("example.org."));
    EXPECT_EQ(anchors.closest(name("org."))->zone, Name::root());
    EXPECT_EQ(anchors.find(name("org.")), nullptr);
    EXPECT_EQ(TrustAnchors().closest(name("org.")), nullptr);
    EXPECT_TRUE(TrustAnchors().empty());
}

class DnssecAnchorFiles : public ::testing::Test {
protected:
    void SetUp() override {
        char dir_template[] = "/tmp/cairn-anchors-XXXXXX";
        ASSERT_NE(mkdtemp(dir_template), nullptr);
        dir_ = dir_template;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& file, std::string_view text) {
        const std::string path = dir_ + "/" + file;
        std::ofstream(path) << text;
        return path;
    }

    std::string dir_;
};

TEST_F(DnssecAnchorFiles, ReadsDsAndDnskeyRecords) {
    const std::string ds_file =
        write("root.ds",
              "; from dnssec-dsfromkey: no TTL\n"
              ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BB"
              "C683457104237C7F8EC8D\n");
    const std::string key_file =
        write("example.keys",
              "$ORIGIN example.\n"
              "@ 3600 IN DNSKEY 257 3 15 (\n"
              "      l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= ) ; KSK\n"
              "sub DS 3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f"
              "3b1964ab55c78e79a304b\n");
    auto anchors = TrustAnchors::load_files({ds_file, key_file});
    ASSERT_TRUE(anchors) << anchors.error().message;
    ASSERT_EQ(anchors->all().size(), 3u);
    const TrustAnchor* root = anchors->find(Name::root());
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root->ds.rdatas.size(), 1u);
    const TrustAnchor* example = anchors->find(name("example."));
    ASSERT_NE(example, nullptr);
    EXPECT_TRUE(example->ds.rdatas.empty());
    ASSERT_EQ(example->dnskeys.rdatas.size(), 1u);
    EXPECT_EQ(key_tag(example->dnskeys.rdatas[0]), 3613);
    EXPECT_EQ(anchors->closest(name("www.sub.example."))->zone, name("sub.example."));
}

// Anchor files as other tools write them may name the algorithm.
TEST_F(DnssecAnchorFiles, AlgorithmMnemonicsAreRead) {
    const std::string path =
        write("named.anchors",
              ". IN DS 20326 RSASHA256 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BB"
              "C683457104237C7F8EC8D\n"
              "example. IN DNSKEY 257 3 ed25519 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
    auto anchors = TrustAnchors::load_files({path});
    ASSERT_TRUE(anchors) << anchors.error().message;
    const TrustAnchor* root = anchors->find(Name::root());
    ASSERT_NE(root, nullptr);
    ASSERT_EQ(root->ds.rdatas.size(), 1u);
    EXPECT_EQ(root->ds.rdatas[0], TrustAnchors::builtin().find(Name::root())->ds.rdatas[0]);
    const TrustAnchor* example = anchors->find(name("example."));
    ASSERT_NE(example, nullptr);
    ASSERT_EQ(example->dnskeys.rdatas.size(), 1u);
    EXPECT_EQ(key_tag(example->dnskeys.rdatas[0]), 3613);
}

TEST_F(DnssecAnchorFiles, DuplicatesCollapse) {
    const std::string text =
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
    auto anchors = TrustAnchors::load_files({write("a", text), write("b", text)});
    ASSERT_TRUE(anchors) << anchors.error().message;
    EXPECT_EQ(anchors->find(Name::root())->ds.rdatas.size(), 1u);
}

TEST_F(DnssecAnchorFiles, OtherTypesAreErrorsWithFileAndLine) {
    const std::string path = write("bad.anchors",
                                   "; anchors\n"
                                   ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC6"
                                   "83457104237C7F8EC8D\n"
                                   "\n"
                                   "www.example. 300 IN A 192.0.2.1\n");
    auto anchors = TrustAnchors::load_files({path});
    ASSERT_FALSE(anchors);
    EXPECT_EQ(anchors.error().message,
              path + ":4: A record in a trust anchor file (only DS and DNSKEY)");
}

TEST_F(DnssecAnchorFiles, MultiLineRecordIsReportedWhereItStarts) {
    const std::string path = write("bad.anchors",
                                   "$TTL 60\n"
                                   "example. DNSKEY 257 3 15 (\n"
                                   "  l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )\n"
                                   "; a comment\n"
                                   "example. TXT ( \"first\"\n"
                                   "  \"second\" )\n");
    auto anchors = TrustAnchors::load_files({path});
    ASSERT_FALSE(anchors);
    EXPECT_EQ(anchors.error().message,
              path + ":5: TXT record in a trust anchor file (only DS and DNSKEY)");
}

TEST_F(DnssecAnchorFiles, SyntaxErrorsNameFileAndLine) {
    const std::string good = write("good", ". IN DS 1 8 2 " + std::string(64, '0') + "\n");
    const std::string path = write("bad", "\n. IN DS 20326 8 2 not-hex\n");
    auto anchors = TrustAnchors::load_files({good, path});
    ASSERT_FALSE(anchors);
    EXPECT_TRUE(anchors.error().message.starts_with(path + ":2: ")) << anchors.error().message;
}

TEST_F(DnssecAnchorFiles, MissingFileIsAnError) {
    auto anchors = TrustAnchors::load_files({dir_ + "/absent"});
    ASSERT_FALSE(anchors);
    EXPECT_TRUE(anchors.error().message.starts_with(dir_ + "/absent: cannot open"))
        << anchors.error().message;
}

TEST_F(DnssecAnchorFiles, EmptyListAndEmptyFile) {
    auto none = TrustAnchors::load_files({});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto empty = TrustAnchors::load_files({write("empty", "; nothing\n")});
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace cairn::dnssec
