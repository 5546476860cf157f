#include "net/udp_listener.h"

#include <sys/uio.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "net/endpoint.h"
#include "net/socket_owner.h"
#include "net/udp_socket.h"

namespace cairn::net {

namespace {

// Batches read back to back before yielding to the rest of the event loop.
constexpr unsigned kBatchesBeforeYield = 8;
constexpr int kSocketBufferBytes = 4 << 20;

}  // namespace

Result<std::shared_ptr<UdpListener>, TextError> UdpListener::open(
    asio::io_context& io, const wire::SocketAddress& address, QueryHandler& handler,
    TransportMetrics& metrics, const UdpListenerOptions& options) {
    // Room for bursts between two reads; recvmmsg/sendmmsg run on the
    // native handle with MSG_DONTWAIT.
    auto socket = open_listening_udp(io, address, kSocketBufferBytes, "udp");
    if (!socket) return Unexpected{socket.error()};
    return std::make_shared<UdpListener>(std::move(*socket), handler, metrics, options);
}

UdpListener::UdpListener(asio::ip::udp::socket socket, QueryHandler& handler,
                         TransportMetrics& metrics, const UdpListenerOptions& options)
    : socket_(std::move(socket)),
      handler_(handler),
      metrics_(metrics),
      options_(options),
      v6_(socket_.local_endpoint().address().is_v6()),
      query_storage_(options.batch_size * options.max_query_size),
      response_storage_(options.batch_size * options.max_response_size),
      sources_(options.batch_size),
      query_iov_(options.batch_size),
      response_iov_(options.batch_size),
      query_headers_(options.batch_size),
      response_headers_(options.batch_size) {
    for (unsigned i = 0; i < options_.batch_size; ++i) {
        query_iov_[i] = {query_storage_.data() + i * options_.max_query_size,
                         options_.max_query_size};
        auto& h = query_headers_[i].msg_hdr;
        std::memset(&h, 0, sizeof(h));
        h.msg_iov = &query_iov_[i];
        h.msg_iovlen = 1;
    }
}

UdpListener::~UdpListener() = default;

void UdpListener::start() {
    auto self = std::static_pointer_cast<UdpListener>(shared_from_this());
    asio::co_spawn(socket_.get_executor(), receive_loop(self), asio::detached);
}

void UdpListener::close() {
    if (!socket_.is_open()) return;
    // Queries queued in the socket are answered if they can be at once
    // (from the cache); closing would drop them.
    if (std::exchange(receiving_, false))
        while (receive_batch() == options_.batch_size) {
        }
    flush_late_replies();  // answers already given are not lost
    asio::error_code ec;
    socket_.close(ec);
}

Status<TextError> UdpListener::hand_to(uid_t uid, gid_t gid) {
    return hand_socket_to(socket_.native_handle(), uid, gid,
                          "udp socket " + local_address().to_string());
}

wire::SocketAddress UdpListener::local_address() const {
    asio::error_code ec;
    return from_endpoint(socket_.local_endpoint(ec));
}

asio::awaitable<void> UdpListener::receive_loop(std::shared_ptr<UdpListener> /*keep_alive*/) {
    for (;;) {
        asio::error_code ec;
        co_await socket_.async_wait(asio::socket_base::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !receiving_) co_return;
        // Asio's reactor is edge-triggered: read until the queue is empty
        // (a short batch), or the next readiness may never be reported.
        unsigned batches = 0;
        while (receiving_ && receive_batch() == options_.batch_size) {
            if (++batches == kBatchesBeforeYield) {
                batches = 0;
                co_await asio::post(socket_.get_executor(), asio::use_awaitable);
            }
        }
    }
}

unsigned UdpListener::receive_batch() {
    const int fd = socket_.native_handle();
    for (unsigned i = 0; i < options_.batch_size; ++i) {
        auto& h = query_headers_[i].msg_hdr;
        h.msg_name = &sources_[i];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_flags = 0;
    }
    int received;
    do {
        received =
            ::recvmmsg(fd, query_headers_.data(), options_.batch_size, MSG_DONTWAIT, nullptr);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) return 0;
    const auto n = static_cast<unsigned>(received);
    count(metrics_.udp_received, n);
    count(metrics_.udp_batches);

    unsigned answers = 0;
    Peer peer;
    peer.transport = Transport::kUdp;
    peer.protocol = ClientProtocol::kUdp;
    // One clock read for the batch, one for its answers: none per query.
    peer.received = std::chrono::steady_clock::now();
    for (unsigned i = 0; i < n; ++i) {
        const auto& h = query_headers_[i].msg_hdr;
        if (h.msg_flags & MSG_TRUNC) {
            count(metrics_.udp_oversize);
            continue;
        }
        if (!peer_from_sockaddr(sources_[i], peer)) continue;
        const std::span<const uint8_t> query(static_cast<const uint8_t*>(query_iov_[i].iov_base),
                                             query_headers_[i].msg_len);
        const std::span<uint8_t> out(
            response_storage_.data() + answers * options_.max_response_size,
            options_.max_response_size);
        const size_t length = handler_.handle_query(query, peer, out, ReplyOrigin(*this, peer));
        if (length == 0) continue;
        response_iov_[answers] = {out.data(), length};
        auto& rh = response_headers_[answers].msg_hdr;
        std::memset(&rh, 0, sizeof(rh));
        rh.msg_name = &sources_[i];
        rh.msg_namelen = h.msg_namelen;
        rh.msg_iov = &response_iov_[answers];
        rh.msg_iovlen = 1;
        ++answers;
    }
    if (answers > 0) {
        send_all(response_headers_.data(), answers);
        handler_.answered_in_batch(Protocol::kUdp, answers, peer.received,
                                   std::chrono::steady_clock::now());
    }
    return n;
}

void UdpListener::send_all(struct mmsghdr* messages, unsigned count_to_send) {
    const int fd = socket_.native_handle();
    unsigned done = 0;
    while (done < count_to_send) {
        const int sent = ::sendmmsg(fd, messages + done, count_to_send - done, MSG_DONTWAIT);
        if (sent > 0) {
            done += static_cast<unsigned>(sent);
            count(metrics_.udp_sent, static_cast<uint64_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The send buffer is full: UDP may drop, and waiting would stall
            // every other client of this worker.
            count(metrics_.udp_send_errors, count_to_send - done);
            return;
        }
        // This one message failed (say, an unroutable source); skip it.
        count(metrics_.udp_send_errors);
        ++done;
    }
}

void UdpListener::send_reply(const Peer& peer, std::span<const uint8_t> message) {
    if (!socket_.is_open() || message.empty()) return;
    LateReply reply;
    Peer to = peer;
    // A v4 client can only be on a v6 socket as a v4-mapped address (not
    // with IPV6_V6ONLY, but be exact anyway).
    if (v6_ && to.address.address.is_v4()) {
        std::array<uint8_t, 16> mapped{};
        mapped[10] = mapped[11] = 0xff;
        const auto v4 = to.address.address.bytes();
        std::copy(v4.begin(), v4.end(), mapped.begin() + 12);
        to.address.address = wire::IpAddress::v6(mapped);
    }
    reply.to_length = peer_to_sockaddr(to, reply.to);
    reply.message.assign(message.begin(), message.end());
    late_.push_back(std::move(reply));
    if (!flush_posted_) {
        flush_posted_ = true;
        auto self = std::static_pointer_cast<UdpListener>(shared_from_this());
        asio::post(socket_.get_executor(), [self] { self->flush_late_replies(); });
    }
}

void UdpListener::flush_late_replies() {
    flush_posted_ = false;
    if (!socket_.is_open()) {
        late_.clear();
        return;
    }
    late_sending_.swap(late_);
    auto& iov = late_iov_;
    auto& headers = late_headers_;
    iov.resize(options_.batch_size);
    headers.resize(options_.batch_size);
    for (size_t first = 0; first < late_sending_.size(); first += options_.batch_size) {
        const size_t n = std::min<size_t>(options_.batch_size, late_sending_.size() - first);
        for (size_t i = 0; i < n; ++i) {
            auto& reply = late_sending_[first + i];
            iov[i] = {reply.message.data(), reply.message.size()};
            auto& h = headers[i].msg_hdr;
            std::memset(&h, 0, sizeof(h));
            h.msg_name = &reply.to;
            h.msg_namelen = reply.to_length;
            h.msg_iov = &iov[i];
            h.msg_iovlen = 1;
        }
        send_all(headers.data(), static_cast<unsigned>(n));
    }
    late_sending_.clear();
}

}  // namespace cairn::net
