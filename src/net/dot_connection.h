// One DNS-over-TLS client connection (RFC 7858): a TLS handshake within the
// handshake timeout, then TCP's framing and manners (RFC 7766): queries
// pipelined, answers written as soon as they are ready (so possibly out of
// order), an idle timeout, no second chance for a bad length or a short
// read. Answers carry the EDNS keepalive (RFC 7828) and padding (RFC 8467)
// when their queries asked.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "net/client_stream.h"
#include "net/encrypted_listener.h"
#include "net/query_handler.h"
#include "net/tcp_limits.h"

namespace cairn::net {

class DotConnection final : public ReplyChannel, public ListenedConnection {
public:
    DotConnection(ClientStream stream, const Peer& peer, TcpConnectionLimits::Slot slot,
                  std::shared_ptr<EncryptedListener> listener);
    ~DotConnection() override;

    void start() override;
    void drain() override;
    void close() override;

    void send_reply(const Peer& peer, std::span<const uint8_t> message) override;

private:
    using Clock = std::chrono::steady_clock;

    void reply_promised() override { ++outstanding_; }
    void reply_settled() override;

    std::shared_ptr<DotConnection> self() {
        return std::static_pointer_cast<DotConnection>(shared_from_this());
    }
    asio::awaitable<void> run(std::shared_ptr<DotConnection> self);
    asio::awaitable<void> read_loop();
    asio::awaitable<void> write_loop(std::shared_ptr<DotConnection> self);
    asio::awaitable<void> idle_watch(std::shared_ptr<DotConnection> self);
    // Waits while the connection may not read: too many answers being
    // worked on, or too many waiting to be written. False: stop reading.
    asio::awaitable<bool> wait_for_room();
    // Queues an answer; it goes out at once unless `more_coming` (queries
    // already read wait behind it: their answers go in the same write).
    void enqueue(std::span<const uint8_t> message, bool more_coming = false);
    // Writes what is queued, at once if the socket takes it, else through
    // write_loop.
    void flush();
    void close_if_done();
    void touch(std::chrono::milliseconds timeout) { deadline_ = Clock::now() + timeout; }
    void touch() { touch(idle_timeout_); }

    ClientStream stream_;
    Peer peer_;
    TcpConnectionLimits::Slot slot_;
    std::shared_ptr<EncryptedListener> listener_;
    const std::chrono::milliseconds idle_timeout_;
    const unsigned max_pipelined_;

    asio::steady_timer idle_timer_;
    asio::steady_timer resume_timer_;
    Clock::time_point deadline_;

    std::vector<uint8_t> pending_;
    // Being written by write_loop: first the bytes a write that could not
    // finish at once must repeat, then what was queued meanwhile.
    std::vector<uint8_t> writing_buffer_;
    bool handshaking_ = true;
    bool writing_ = false;
    bool reading_done_ = false;
    bool draining_ = false;
    bool open_ = true;
    unsigned outstanding_ = 0;
};

}  // namespace cairn::net
