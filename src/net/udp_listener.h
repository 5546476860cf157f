// A client-facing UDP socket of one worker. Every worker binds its own socket
// to the same address (SO_REUSEPORT), so the kernel spreads clients over the
// workers and no datagram crosses threads.
//
// Datagrams are read in batches with recvmmsg once the socket is readable;
// the answers the handler produces on the spot go out together in one
// sendmmsg. Answers produced later (by coroutines) are queued and flushed
// with sendmmsg from a posted handler, so answers that complete together
// also leave together.
//
// Latency: the clock is read once when a batch is read (Peer::received)
// and once after its answers are sent, and the handler is told
// (QueryHandler::answered_in_batch); nothing is timed per query here.
#pragma once

#include <sys/socket.h>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net/query_handler.h"
#include "net/transport_metrics.h"
#include "wire/ip_address.h"
#include "wire/result.h"

namespace cairn::net {

struct UdpListenerOptions {
    // Datagrams read (and answers sent) per system call.
    unsigned batch_size = 64;
    // Largest query accepted; longer datagrams are dropped.
    size_t max_query_size = 4096;
    // Largest answer the handler may write on the spot.
    size_t max_response_size = 1232;
};

class UdpListener final : public ReplyChannel {
public:
    // Opens and binds the socket: SO_REUSEPORT, and IPV6_V6ONLY for IPv6 so
    // that a v4 and a v6 wildcard address can both be listened on.
    static Result<std::shared_ptr<UdpListener>, TextError> open(asio::io_context& io,
                                                                const wire::SocketAddress& address,
                                                                QueryHandler& handler,
                                                                TransportMetrics& metrics,
                                                                const UdpListenerOptions& options);

    UdpListener(asio::ip::udp::socket socket, QueryHandler& handler, TransportMetrics& metrics,
                const UdpListenerOptions& options);
    ~UdpListener() override;

    // Starts the receive loop on the socket's io_context.
    void start();
    // Answers the queries queued in the socket that can be answered at
    // once, sends the answers queued so far and closes the socket; later
    // answers are dropped.
    void close();

    // For tests: the socket's descriptor, to inspect its options.
    int native_handle() { return socket_.native_handle(); }

    // The bound address (with the actual port when 0 was asked for).
    wire::SocketAddress local_address() const;
    // Gives the socket to another user (see socket_owner.h).
    Status<TextError> hand_to(uid_t uid, gid_t gid);

    void send_reply(const Peer& peer, std::span<const uint8_t> message) override;

private:
    struct LateReply {
        sockaddr_storage to;
        socklen_t to_length;
        std::vector<uint8_t> message;
    };

    asio::awaitable<void> receive_loop(std::shared_ptr<UdpListener> self);
    // Reads one batch and answers what can be answered now; returns the
    // number of datagrams read (0 when none was waiting).
    unsigned receive_batch();
    // sendmmsg for `count` prepared messages, retrying after partial sends.
    void send_all(struct mmsghdr* messages, unsigned count);
    void flush_late_replies();

    asio::ip::udp::socket socket_;
    QueryHandler& handler_;
    TransportMetrics& metrics_;
    const UdpListenerOptions options_;
    const bool v6_;

    // Batch buffers, allocated once: queries, their sources, answers.
    std::vector<uint8_t> query_storage_;
    std::vector<uint8_t> response_storage_;
    std::vector<sockaddr_storage> sources_;
    std::vector<struct iovec> query_iov_;
    std::vector<struct iovec> response_iov_;
    std::vector<struct mmsghdr> query_headers_;
    std::vector<struct mmsghdr> response_headers_;

    std::vector<LateReply> late_;
    std::vector<LateReply> late_sending_;
    std::vector<struct iovec> late_iov_;
    std::vector<struct mmsghdr> late_headers_;
    bool flush_posted_ = false;
    bool receiving_ = true;
};

}  // namespace cairn::net
