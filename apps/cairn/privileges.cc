#include "privileges.h"

#include <cap-ng.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace cairn::daemon {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

// getpwnam_r/getgrnam_r with a buffer grown until the entry fits.
template <typename Entry, typename Lookup>
std::optional<Entry> look_up(const std::string& name, Lookup lookup) {
    std::vector<char> buffer(1024);
    for (;;) {
        Entry entry{};
        Entry* found = nullptr;
        const int rc = lookup(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || !found) return std::nullopt;
        return entry;
    }
}

Status<TextError> confine(const std::string& chroot_dir) {
    if (::chroot(chroot_dir.c_str()) != 0)
        return text_error("cannot chroot to " + chroot_dir + ": " + errno_text());
    if (::chdir("/") != 0)
        return text_error("cannot enter " + chroot_dir + " after chroot: " + errno_text());
    return {};
}

Status<TextError> become(const RunAs& run_as) {
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED),
                     CAP_NET_BIND_SERVICE) != 0)
        return text_error("cannot keep CAP_NET_BIND_SERVICE");
    // Sets the groups (supplementary ones dropped), then the user ids with
    // the capabilities above kept across the switch; clears the bounding set.
    const int rc =
        capng_change_id(static_cast<int>(run_as.uid), static_cast<int>(run_as.gid),
                        static_cast<capng_flags_t>(CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING));
    if (rc != 0)
        return text_error("cannot switch to user " + run_as.user + " (uid " +
                          std::to_string(run_as.uid) + ", gid " + std::to_string(run_as.gid) +
                          "): libcap-ng error " + std::to_string(rc) + ": " + errno_text());
    // Whatever the library did, root must not be reachable again.
    if (run_as.uid != 0 && ::setuid(0) == 0)
        return text_error("switched to " + run_as.user + " but could regain root");
    return {};
}

}  // namespace

Result<std::optional<RunAs>, TextError> look_up_run_as(const std::string& user,
                                                       const std::string& group) {
    if (user.empty()) {
        if (!group.empty()) return text_error("group '" + group + "' is set but user is not");
        return std::optional<RunAs>{};
    }
    const auto pw = look_up<passwd>(user, ::getpwnam_r);
    if (!pw) return text_error("user '" + user + "' does not exist");
    RunAs run_as{user, pw->pw_uid, pw->pw_gid};
    if (!group.empty()) {
        const auto gr = look_up<struct group>(group, ::getgrnam_r);
        if (!gr) return text_error("group '" + group + "' does not exist");
        run_as.gid = gr->gr_gid;
    }
    return std::optional<RunAs>{run_as};
}

bool needs_switch(const RunAs& run_as) {
    return ::geteuid() != run_as.uid || ::getegid() != run_as.gid;
}

Status<TextError> drop_privileges(const std::optional<RunAs>& run_as,
                                  const std::string& chroot_dir) {
    if (!chroot_dir.empty())
        if (auto confined = confine(chroot_dir); !confined) return confined;
    if (!run_as || !needs_switch(*run_as)) return {};
    if (::geteuid() != 0)
        return text_error("cannot switch to user " + run_as->user +
                          ": cairn was not started as root");
    return become(*run_as);
}

std::string path_after_chroot(const std::string& path, const std::string& chroot_dir) {
    if (chroot_dir.empty()) return path;
    std::string root = chroot_dir;
    while (root.size() > 1 && root.back() == '/')
        root.pop_back();
    if (root == "/") return path;
    if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
        path[root.size()] == '/')
        return path.substr(root.size());
    return path;
}

}  // namespace cairn::daemon
