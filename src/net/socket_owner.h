// Handing a bound socket to another user, so that it stays the same user's
// as the sockets the daemon binds after dropping privileges.
#pragma once

#include <sys/types.h>

#include <string_view>

#include "wire/result.h"

namespace cairn::net {

// fchown() on a socket makes `uid` its owner for the kernel's checks too
// (SO_REUSEPORT groups admit sockets of one user only). `what` names the
// socket in the error.
Status<TextError> hand_socket_to(int fd, uid_t uid, gid_t gid, std::string_view what);

}  // namespace cairn::net
