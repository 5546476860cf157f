// The ceiling for a UDP cache hit: a server that does nothing but take
// datagrams in batches (recvmmsg), set the QR bit and send them back
// (sendmmsg). No parsing, no lookup, no allocation. A resolver's cache-hit
// rate per busy core is measured against this.
//
//   udp_reflector ADDRESS PORT        (runs until SIGTERM/SIGINT)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int kBatch = 64;
constexpr size_t kMaxDatagram = 4096;

volatile std::sig_atomic_t stop = 0;

void on_signal(int) {
    stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
        return 2;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
    if (inet_pton(AF_INET, argv[1], &address.sin_addr) != 1) {
        std::fprintf(stderr, "not an IPv4 address: %s\n", argv[1]);
        return 2;
    }
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("socket/bind");
        return 1;
    }
    struct sigaction action {};
    action.sa_handler = on_signal;  // no SA_RESTART: recvmmsg returns EINTR
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    static std::array<std::array<uint8_t, kMaxDatagram>, kBatch> buffers;
    std::array<iovec, kBatch> iovecs{};
    std::array<sockaddr_in, kBatch> peers{};
    std::array<mmsghdr, kBatch> messages{};
    while (stop == 0) {
        for (int i = 0; i < kBatch; ++i) {
            iovecs[i] = {buffers[i].data(), kMaxDatagram};
            messages[i].msg_hdr = {};
            messages[i].msg_hdr.msg_name = &peers[i];
            messages[i].msg_hdr.msg_namelen = sizeof peers[i];
            messages[i].msg_hdr.msg_iov = &iovecs[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        // Block for the first datagram, then take what else is there.
        const int got = recvmmsg(fd, messages.data(), kBatch, MSG_WAITFORONE, nullptr);
        if (got <= 0) continue;
        for (int i = 0; i < got; ++i) {
            iovecs[i].iov_len = messages[i].msg_len;
            if (messages[i].msg_len > 2) buffers[i][2] |= 0x80;  // QR: a response
        }
        int sent = 0;
        while (sent < got) {
            const int n = sendmmsg(fd, messages.data() + sent, got - sent, 0);
            if (n <= 0) break;
            sent += n;
        }
    }
    close(fd);
    return 0;
}
