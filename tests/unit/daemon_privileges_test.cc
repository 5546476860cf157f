// The daemon's privilege policy: who it becomes, and how paths read after a
// chroot are found. (The switch itself is tested on a running daemon in
// tests/integration/test_resolver_daemon.py.)
#include <gtest/gtest.h>

#include "cairn/daemon.h"
#include "cairn/privileges.h"

namespace cairn::daemon {
namespace {

TEST(DaemonPrivileges, NoUserMeansNoSwitch) {
    const auto run_as = look_up_run_as("", "");
    ASSERT_TRUE(run_as);
    EXPECT_FALSE(*run_as);
}

TEST(DaemonPrivileges, UserWithItsPrimaryGroupOrTheOneGiven) {
    auto run_as = look_up_run_as("root", "");
    ASSERT_TRUE(run_as) << run_as.error().message;
    ASSERT_TRUE(*run_as);
    EXPECT_EQ((*run_as)->user, "root");
    EXPECT_EQ((*run_as)->uid, 0u);
    EXPECT_EQ((*run_as)->gid, 0u);

    run_as = look_up_run_as("root", "nogroup");
    ASSERT_TRUE(run_as) << run_as.error().message;
    EXPECT_EQ((*run_as)->uid, 0u);
    EXPECT_EQ((*run_as)->gid, 65534u);
}

TEST(DaemonPrivileges, UnknownNamesAreErrors) {
    auto run_as = look_up_run_as("no-such-user-c41rn", "");
    ASSERT_FALSE(run_as);
    EXPECT_EQ(run_as.error().message, "user 'no-such-user-c41rn' does not exist");
    run_as = look_up_run_as("root", "no-such-group-c41rn");
    ASSERT_FALSE(run_as);
    EXPECT_EQ(run_as.error().message, "group 'no-such-group-c41rn' does not exist");
    run_as = look_up_run_as("", "nogroup");
    ASSERT_FALSE(run_as);
    EXPECT_EQ(run_as.error().message, "group 'nogroup' is set but user is not");
}

TEST(DaemonPrivileges, PathsUnderTheChrootLoseItsPrefix) {
    EXPECT_EQ(path_after_chroot("/srv/cairn/etc/cairn.yaml", ""), "/srv/cairn/etc/cairn.yaml");
    EXPECT_EQ(path_after_chroot("/srv/cairn/etc/cairn.yaml", "/srv/cairn"), "/etc/cairn.yaml");
    EXPECT_EQ(path_after_chroot("/srv/cairn/etc/cairn.yaml", "/srv/cairn/"), "/etc/cairn.yaml");
    // Not under it: read as written, inside the chroot.
    EXPECT_EQ(path_after_chroot("/srv/cairnx/a.yaml", "/srv/cairn"), "/srv/cairnx/a.yaml");
    EXPECT_EQ(path_after_chroot("/etc/cairn.yaml", "/srv/cairn"), "/etc/cairn.yaml");
    EXPECT_EQ(path_after_chroot("/etc/cairn.yaml", "/"), "/etc/cairn.yaml");
}

TEST(DaemonPrivileges, PolicyZoneFilesAreReadFromInsideTheChroot) {
    policy::RpzOptions options;
    options.zones.resize(2);
    options.zones[0].file = "/srv/cairn/etc/local.rpz";
    options.zones[1].primaries = {*wire::SocketAddress::parse("192.0.2.53")};
    const auto inside = rpz_after_chroot(options, "/srv/cairn");
    EXPECT_EQ(inside.zones[0].file, "/etc/local.rpz");
    EXPECT_TRUE(inside.zones[1].file.empty());
    EXPECT_EQ(rpz_after_chroot(options, "").zones[0].file, "/srv/cairn/etc/local.rpz");
}

}  // namespace
}  // namespace cairn::daemon
