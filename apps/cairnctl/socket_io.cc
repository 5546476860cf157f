#include "cairnctl/socket_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace cairn::ctl {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

Wait wait_for(int fd, short events, Deadline deadline) {
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return Wait::kTimeout;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return Wait::kReady;
        if (n == 0) return Wait::kTimeout;
        if (errno != EINTR) return Wait::kError;
    }
}

Unexpected<TextError> system_error(const std::string& what, const ServerAddress& server,
                                   int error) {
    return text_error(what + " " + server.to_text() + ": " + std::strerror(error));
}

Result<FileDescriptor, TextError> connect_tcp(const ServerAddress& server, Deadline deadline) {
    FileDescriptor fd(::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return system_error("cannot open a TCP socket for", server, errno);
    if (::connect(fd.get(), server.sockaddr_ptr(), server.length) == 0) return fd;
    if (errno != EINPROGRESS) return system_error("cannot connect to", server, errno);
    const Wait w = wait_for(fd.get(), POLLOUT, deadline);
    if (w == Wait::kTimeout)
        return text_error("timed out connecting over TCP to " + server.to_text());
    if (w == Wait::kError) return system_error("poll failed for", server, errno);
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) return system_error("cannot connect to", server, error);
    return fd;
}

}  // namespace cairn::ctl
