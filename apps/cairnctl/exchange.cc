#include "cairnctl/exchange.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>

#include "cairnctl/response_match.h"
#include "cairnctl/secure_random.h"
#include "cairnctl/stream_framing.h"
#include "wire/message.h"

namespace cairn::ctl {

namespace {

constexpr size_t kMaxMessageSize = 65535;
// Random source ports come from above the well-known and registered-by-root
// range; if that many random picks are all in use, let the kernel choose.
constexpr uint16_t kMinSourcePort = 1024;
constexpr int kSourcePortAttempts = 16;

// Binds a UDP socket to a random port (RFC 5452 §9.2 wants the port as
// unpredictable as the ID).
bool bind_random_port(int fd, int family) {
    sockaddr_storage local{};
    socklen_t length = 0;
    auto set_port = [&](uint16_t port) {
        if (family == AF_INET6) {
            auto* sin6 = reinterpret_cast<sockaddr_in6*>(&local);
            sin6->sin6_family = AF_INET6;
            sin6->sin6_addr = in6addr_any;
            sin6->sin6_port = htons(port);
            length = sizeof *sin6;
        } else {
            auto* sin = reinterpret_cast<sockaddr_in*>(&local);
            sin->sin_family = AF_INET;
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
            sin->sin_port = htons(port);
            length = sizeof *sin;
        }
    };
    for (int i = 0; i < kSourcePortAttempts; ++i) {
        set_port(static_cast<uint16_t>(kMinSourcePort + random_u16() % (65536 - kMinSourcePort)));
        if (::bind(fd, reinterpret_cast<sockaddr*>(&local), length) == 0) return true;
        if (errno != EADDRINUSE && errno != EACCES) return false;
    }
    set_port(0);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&local), length) == 0;
}

wire::QueryHead head_of(std::span<const uint8_t> query) {
    auto head = wire::parse_query_head(query);
    assert(head && "the query is built by us and always has a question");
    return *head;
}

std::string timeout_text(const ServerAddress& server, const char* transport) {
    return std::string("timed out waiting for a ") + transport + " answer from " + server.to_text();
}

// Writes all of `data`, waiting for room as needed.
Status<TextError> send_all(int fd, std::span<const uint8_t> data, const ServerAddress& server,
                           Deadline deadline) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return system_error("cannot send to", server, errno);
        const Wait w = wait_for(fd, POLLOUT, deadline);
        if (w == Wait::kTimeout) return text_error(timeout_text(server, "TCP"));
        if (w == Wait::kError) return system_error("poll failed for", server, errno);
    }
    return {};
}

// Reads exactly `out.size()` octets.
Status<TextError> receive_exactly(int fd, std::span<uint8_t> out, const ServerAddress& server,
                                  Deadline deadline) {
    size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::recv(fd, out.data() + got, out.size() - got, 0);
        if (n > 0) {
            got += static_cast<size_t>(n);
            continue;
        }
        if (n == 0)
            return text_error(server.to_text() + " closed the TCP connection after " +
                              std::to_string(got) + " of " + std::to_string(out.size()) +
                              " expected octets");
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return system_error("cannot receive from", server, errno);
        const Wait w = wait_for(fd, POLLIN, deadline);
        if (w == Wait::kTimeout) return text_error(timeout_text(server, "TCP"));
        if (w == Wait::kError) return system_error("poll failed for", server, errno);
    }
    return {};
}

}  // namespace

Result<std::vector<uint8_t>, TextError> exchange_udp(const ServerAddress& server,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline) {
    const wire::QueryHead sent = head_of(query);
    FileDescriptor fd(::socket(server.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return system_error("cannot open a UDP socket for", server, errno);
    if (!bind_random_port(fd.get(), server.family()))
        return system_error("cannot bind a UDP source port for", server, errno);
    // Connected: the kernel now delivers only datagrams from the server's
    // address and port, and reports ICMP unreachables as ECONNREFUSED.
    if (::connect(fd.get(), server.sockaddr_ptr(), server.length) != 0)
        return system_error("cannot connect UDP socket to", server, errno);
    if (::send(fd.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
        return system_error("cannot send to", server, errno);

    std::vector<uint8_t> buffer(kMaxMessageSize);
    size_t ignored = 0;
    ResponseMatch last_ignored = ResponseMatch::kMatch;
    for (;;) {
        const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
        if (n >= 0) {
            const std::span<const uint8_t> datagram(buffer.data(), static_cast<size_t>(n));
            const ResponseMatch match = match_response(datagram, sent);
            if (match == ResponseMatch::kMatch) {
                buffer.resize(static_cast<size_t>(n));
                return buffer;
            }
            ++ignored;
            last_ignored = match;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == ECONNREFUSED)
            return text_error("connection refused by " + server.to_text() +
                              " (nothing listens on that UDP port)");
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return system_error("cannot receive from", server, errno);
        const Wait w = wait_for(fd.get(), POLLIN, deadline);
        if (w == Wait::kError) return system_error("poll failed for", server, errno);
        if (w == Wait::kTimeout) {
            std::string message = timeout_text(server, "UDP");
            if (ignored > 0)
                message += "; ignored " + std::to_string(ignored) + " datagram(s) that did not " +
                           "answer the query (last: " + std::string(to_string(last_ignored)) + ")";
            return text_error(std::move(message));
        }
    }
}

Result<std::vector<uint8_t>, TextError> exchange_tcp(const ServerAddress& server,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline) {
    const wire::QueryHead sent = head_of(query);
    if (query.size() > kMaxMessageSize) return text_error("query too large for TCP framing");
    auto fd = connect_tcp(server, deadline);
    if (!fd) return Unexpected{fd.error()};
    if (auto st = send_all(fd->get(), length_prefixed(query), server, deadline); !st)
        return Unexpected{st.error()};

    std::array<uint8_t, 2> length_prefix{};
    if (auto st = receive_exactly(fd->get(), length_prefix, server, deadline); !st)
        return Unexpected{st.error()};
    std::vector<uint8_t> answer(wire::load_u16(length_prefix.data()));
    if (auto st = receive_exactly(fd->get(), answer, server, deadline); !st)
        return Unexpected{st.error()};
    // Over TCP the peer is the server itself, so a mismatch is an error, not
    // something to wait past.
    if (const ResponseMatch match = match_response(answer, sent); match != ResponseMatch::kMatch)
        return text_error("TCP answer from " + server.to_text() +
                          " does not answer the query: " + std::string(to_string(match)));
    return answer;
}

}  // namespace cairn::ctl
