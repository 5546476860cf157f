#include "net/socket_owner.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace cairn::net {

Status<TextError> hand_socket_to(int fd, uid_t uid, gid_t gid, std::string_view what) {
    if (::fchown(fd, uid, gid) == 0) return {};
    return text_error("cannot give " + std::string(what) + " to uid " + std::to_string(uid) + ": " +
                      std::strerror(errno));
}

}  // namespace cairn::net
