#include "cairnctl/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn::ctl {

namespace {

// Closes the descriptor however the exchange ends.
struct Descriptor {
    int fd;
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Result<std::string, TextError> control_exchange(const std::string& socket_path,
                                                std::string_view command,
                                                std::chrono::milliseconds timeout) {
    auto failed = [&](const std::string& what) {
        return text_error("control socket " + socket_path + ": " + what);
    };
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(address.sun_path)) return failed("path too long");
    std::memcpy(address.sun_path, socket_path.data(), socket_path.size());

    Descriptor socket{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (socket.fd < 0) return failed(std::strerror(errno));
    if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
        return failed(std::string(std::strerror(errno)) + " (is cairn running with this " +
                      "control-socket?)");
    std::string line(command);
    line.push_back('\n');
    for (size_t sent = 0; sent < line.size();) {
        const ssize_t n = ::send(socket.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed(std::strerror(errno));
        sent += static_cast<size_t>(n);
    }

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string reply;
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return failed("no complete reply in time");
        pollfd p{socket.fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return failed(std::strerror(errno));
        if (ready == 0) continue;  // the deadline check above ends this
        const ssize_t n = ::recv(socket.fd, buffer, sizeof(buffer), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed(std::strerror(errno));
        if (n == 0) break;  // the daemon closes after its reply
        reply.append(buffer, static_cast<size_t>(n));
    }
    if (reply.empty()) return failed("the daemon closed the connection without replying");
    return reply;
}

}  // namespace cairn::ctl
