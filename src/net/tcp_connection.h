// One client TCP connection (RFC 7766): messages framed by a 2-octet length,
// several queries answered concurrently, each answer written as soon as it
// is ready (so possibly out of order, §6.2.1.1), an idle timeout, and no
// second chance for a malformed length or a short read.
//
// What a client can make it hold is bounded, whether or not it reads its
// answers: no new query is read while `max_pipelined` answers are owed
// (being worked out, or written but not yet taken by the kernel; errors and
// cache hits count as much as resolutions) or while `write_queue_bytes` of
// answers wait to be written. A client that takes none of its answers for
// `write_timeout` is disconnected.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "net/query_handler.h"
#include "net/tcp_limits.h"

namespace cairn::net {

class TcpListener;

class TcpConnection final : public ReplyChannel {
public:
    TcpConnection(asio::ip::tcp::socket socket, const Peer& peer, TcpConnectionLimits::Slot slot,
                  std::shared_ptr<TcpListener> listener);
    ~TcpConnection() override;

    void start();
    // Reads no more queries; closes once the answers owed are written.
    void drain();
    // Closes now.
    void close();

    void send_reply(const Peer& peer, std::span<const uint8_t> message) override;

private:
    using Clock = std::chrono::steady_clock;

    void reply_promised() override { ++outstanding_; }
    void reply_settled() override;

    asio::awaitable<void> read_loop(std::shared_ptr<TcpConnection> self);
    asio::awaitable<void> write_loop(std::shared_ptr<TcpConnection> self);
    // Closes the connection when it has been idle, or a write has been
    // stuck, for too long.
    asio::awaitable<void> watchdog(std::shared_ptr<TcpConnection> self);
    // Appends one framed message to the output and starts writing.
    void enqueue(std::span<const uint8_t> message);
    // Whether the reader must wait: too many answers owed or too many
    // octets unsent.
    bool reading_paused() const;
    // Closes when there is nothing more to read, answer or write.
    void close_if_done();
    void touch() { deadline_ = Clock::now() + idle_timeout_; }

    asio::ip::tcp::socket socket_;
    Peer peer_;
    TcpConnectionLimits::Slot slot_;
    std::shared_ptr<TcpListener> listener_;
    const std::chrono::milliseconds idle_timeout_;
    const std::chrono::milliseconds write_timeout_;
    const unsigned max_pipelined_;
    const size_t write_queue_bytes_;

    asio::steady_timer idle_timer_;
    // Wakes the reader when it waits for a free pipelining slot.
    asio::steady_timer resume_timer_;
    Clock::time_point deadline_;
    Clock::time_point write_deadline_;  // while writing_

    std::vector<uint8_t> pending_;  // framed answers not yet handed to the kernel
    std::vector<uint8_t> writing_buffer_;
    unsigned pending_answers_ = 0;  // answers in pending_
    unsigned writing_answers_ = 0;  // answers in writing_buffer_
    bool writing_ = false;
    bool reading_done_ = false;
    bool draining_ = false;
    bool open_ = true;
    unsigned outstanding_ = 0;  // answers promised and not yet settled
};

}  // namespace cairn::net
