// The daemon's trust anchor policy: a file without a usable anchor is an
// error naming the file and why; anchors that leave out the root are a
// warning naming the zones validation covers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "cairn/trust_anchor_check.h"

namespace cairn::daemon {
namespace {

constexpr const char* kRootDs =
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
constexpr const char* kExampleDs =
    "example. IN DS 12345 13 2 "
    "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
// RFC 8080 §6.1's Ed25519 key, with the flags each test needs.
std::string ed25519_key(const std::string& owner, unsigned flags) {
    return owner + " IN DNSKEY " + std::to_string(flags) +
           " 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n";
}

// A file removed when the test ends.
class AnchorFile {
public:
    explicit AnchorFile(const std::string& text)
        : path_("/tmp/cairn-anchors-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter_++) + ".ds") {
        std::ofstream(path_) << text;
    }
    ~AnchorFile() { ::unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    static inline int counter_ = 0;
    std::string path_;
};

std::string error_of(const std::vector<std::string>& paths) {
    auto checked = load_checked_anchors(paths);
    return checked ? std::string("(no error)") : checked.error().message;
}

TEST(DaemonAnchors, RootAnchorsPassWithoutWarning) {
    AnchorFile file(kRootDs);
    const auto checked = load_checked_anchors({file.path()});
    ASSERT_TRUE(checked) << checked.error().message;
    EXPECT_TRUE(checked->warnings.empty());
    ASSERT_EQ(checked->anchors.all().size(), 1u);
}

TEST(DaemonAnchors, AFileWithoutRecordsIsAnError) {
    AnchorFile file("; nothing but a comment\n");
    EXPECT_EQ(error_of({file.path()}), "trust-anchors " + file.path() +
                                           ": no usable trust anchor: the file holds no DS or "
                                           "DNSKEY records");
}

TEST(DaemonAnchors, OnlyUnsupportedAlgorithmsIsAnErrorSayingWhy) {
    AnchorFile file(
        "example. IN DS 1 3 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
        "example. IN DS 2 8 3 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    const auto error = error_of({file.path()});
    EXPECT_NE(error.find("trust-anchors " + file.path() + ": no usable trust anchor"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("DS 1 for example.: algorithm 3 (DSA) is not supported"),
              std::string::npos)
        << error;
    EXPECT_NE(error.find("DS 2 for example.: digest type 3 is not supported"), std::string::npos)
        << error;
}

TEST(DaemonAnchors, KeysThatAreNoZoneKeysOrRevokedAreNotUsable) {
    AnchorFile file(ed25519_key("example.", 1) + ed25519_key("example.", 385));
    const auto error = error_of({file.path()});
    EXPECT_NE(error.find("not a zone key (flags 1)"), std::string::npos) << error;
    EXPECT_NE(error.find("revoked (RFC 5011)"), std::string::npos) << error;
}

TEST(DaemonAnchors, AnchorsBelowTheRootAreAWarningNamingTheirZones) {
    AnchorFile ds(kExampleDs);
    AnchorFile key(ed25519_key("other.test.", 257));
    const auto checked = load_checked_anchors({ds.path(), key.path()});
    ASSERT_TRUE(checked) << checked.error().message;
    ASSERT_EQ(checked->warnings.size(), 1u);
    EXPECT_EQ(checked->warnings[0],
              "trust anchors do not cover the root: validation covers only example., "
              "other.test. (and names below); answers elsewhere are not validated (insecure)");
    EXPECT_EQ(checked->anchors.all().size(), 2u);
}

TEST(DaemonAnchors, UnusableRecordsBesideUsableOnesAreIgnoredWithAWarning) {
    AnchorFile file(std::string(kRootDs) +
                    ". IN DS 7 3 2 "
                    "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
    const auto checked = load_checked_anchors({file.path()});
    ASSERT_TRUE(checked) << checked.error().message;
    ASSERT_EQ(checked->warnings.size(), 1u);
    EXPECT_EQ(checked->warnings[0], "trust-anchors " + file.path() +
                                        ": ignored DS 7 for .: algorithm 3 (DSA) is not "
                                        "supported");
}

TEST(DaemonAnchors, OneBadFileAmongGoodOnesIsAnErrorNamingIt) {
    AnchorFile good(kRootDs);
    AnchorFile bad("");
    const auto error = error_of({good.path(), bad.path()});
    EXPECT_EQ(error.find("trust-anchors " + bad.path() + ": no usable trust anchor"), 0u) << error;
}

TEST(DaemonAnchors, UnreadableFileIsAnErrorNamingIt) {
    const std::string missing = "/tmp/cairn-anchors-missing-" + std::to_string(::getpid());
    EXPECT_EQ(error_of({missing}).find(missing), 0u) << error_of({missing});
}

}  // namespace
}  // namespace cairn::daemon
