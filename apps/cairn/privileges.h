// Giving up root once the sockets are bound (DESIGN.md "Privileges"): an
// optional chroot, then the configured user and group, keeping only
// CAP_NET_BIND_SERVICE so that a reload can still bind ports below 1024.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "wire/result.h"

namespace cairn::daemon {

// The identity to switch to, looked up before any chroot hides the user
// database.
struct RunAs {
    std::string user;
    uid_t uid = 0;
    gid_t gid = 0;
};

// Looks up `user` and `group` (empty group: the user's primary group).
// Empty `user`: nothing to switch to.
Result<std::optional<RunAs>, TextError> look_up_run_as(const std::string& user,
                                                       const std::string& group);

// Whether switching to `run_as` changes anything: false when it is already
// who the process is.
bool needs_switch(const RunAs& run_as);

// Confines the process to `chroot_dir` (if not empty) and becomes `run_as`
// (if set) with CAP_NET_BIND_SERVICE as its only capability, permitted and
// effective; the bounding set is cleared. Must run before any other thread
// starts: capabilities belong to threads, and those started later inherit
// the caller's.
Status<TextError> drop_privileges(const std::optional<RunAs>& run_as,
                                  const std::string& chroot_dir);

// `path` as seen after the chroot: the chroot prefix removed when `path` lies
// under it, else unchanged.
std::string path_after_chroot(const std::string& path, const std::string& chroot_dir);

}  // namespace cairn::daemon
