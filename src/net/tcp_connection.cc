#include "net/tcp_connection.h"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <utility>

#include "net/tcp_listener.h"
#include "wire/header.h"

namespace cairn::net {

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, const Peer& peer,
                             TcpConnectionLimits::Slot slot, std::shared_ptr<TcpListener> listener)
    : socket_(std::move(socket)),
      peer_(peer),
      slot_(std::move(slot)),
      listener_(std::move(listener)),
      idle_timeout_(listener_->options().idle_timeout),
      write_timeout_(listener_->options().write_timeout),
      max_pipelined_(listener_->options().max_pipelined),
      write_queue_bytes_(listener_->options().write_queue_bytes),
      idle_timer_(socket_.get_executor()),
      resume_timer_(socket_.get_executor()) {
    count(listener_->metrics().tcp_open);
}

TcpConnection::~TcpConnection() {
    auto& open = listener_->metrics().tcp_open;
    open.store(open.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    listener_->forget(this);
}

void TcpConnection::start() {
    touch();
    auto self = std::static_pointer_cast<TcpConnection>(shared_from_this());
    const auto executor = socket_.get_executor();
    asio::co_spawn(executor, watchdog(self), asio::detached);
    asio::co_spawn(executor, read_loop(self), asio::detached);
}

void TcpConnection::drain() {
    draining_ = true;
    if (!open_) return;
    if (outstanding_ == 0 && !writing_ && pending_.empty()) {
        close();
        return;
    }
    // Wakes the reader with end-of-file; the write side stays open for the
    // answers still owed.
    asio::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_receive, ec);
    resume_timer_.cancel();
}

void TcpConnection::close() {
    if (!open_) return;
    open_ = false;
    asio::error_code ec;
    socket_.close(ec);
    idle_timer_.cancel();
    resume_timer_.cancel();
    pending_.clear();
    pending_answers_ = 0;
}

bool TcpConnection::reading_paused() const {
    return outstanding_ + pending_answers_ + writing_answers_ >= max_pipelined_ ||
           pending_.size() + writing_buffer_.size() >= write_queue_bytes_;
}

void TcpConnection::reply_settled() {
    --outstanding_;
    // A reader waiting for a pipelining slot may go on.
    resume_timer_.cancel();
    close_if_done();
}

void TcpConnection::close_if_done() {
    if (open_ && (reading_done_ || draining_) && outstanding_ == 0 && !writing_ && pending_.empty())
        close();
}

void TcpConnection::send_reply(const Peer&, std::span<const uint8_t> message) {
    if (!open_ || message.empty() || message.size() > 65535) return;
    enqueue(message);
}

void TcpConnection::enqueue(std::span<const uint8_t> message) {
    pending_.push_back(static_cast<uint8_t>(message.size() >> 8));
    pending_.push_back(static_cast<uint8_t>(message.size()));
    pending_.insert(pending_.end(), message.begin(), message.end());
    ++pending_answers_;
    if (!writing_) {
        writing_ = true;
        asio::co_spawn(socket_.get_executor(),
                       write_loop(std::static_pointer_cast<TcpConnection>(shared_from_this())),
                       asio::detached);
    }
}

asio::awaitable<void> TcpConnection::read_loop(std::shared_ptr<TcpConnection> /*keep_alive*/) {
    auto& metrics = listener_->metrics();
    std::array<uint8_t, 2> length_field{};
    std::vector<uint8_t> message;
    while (open_) {
        if (open_ && reading_paused() && !draining_) count(metrics.tcp_reads_paused);
        while (open_ && reading_paused() && !draining_) {
            asio::error_code ignored;
            resume_timer_.expires_at(asio::steady_timer::time_point::max());
            co_await resume_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        if (!open_ || draining_) break;
        asio::error_code ec;
        const size_t got = co_await asio::async_read(socket_, asio::buffer(length_field),
                                                     asio::redirect_error(asio::use_awaitable, ec));
        if (!open_) break;
        if (ec) {
            if (ec == asio::error::eof && got == 0) {
                // The client is done asking (or we are draining): answer
                // what is owed, then close.
                break;
            }
            if (got != 0) count(metrics.tcp_malformed);  // short read
            close();
            co_return;
        }
        const size_t length = size_t{length_field[0]} << 8 | length_field[1];
        if (length < wire::Header::kSize) {
            // Not even a header can follow: the stream cannot be trusted.
            count(metrics.tcp_malformed);
            close();
            co_return;
        }
        message.resize(length);
        co_await asio::async_read(socket_, asio::buffer(message),
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (!open_) break;
        if (ec) {
            count(metrics.tcp_malformed);
            close();
            co_return;
        }
        touch();
        count(metrics.tcp_queries);
        const auto out = listener_->response_buffer();
        const size_t answer =
            listener_->handler().handle_query(message, peer_, out, ReplyOrigin(*this, peer_));
        if (answer > 0 && open_) enqueue(out.first(answer));
    }
    reading_done_ = true;
    close_if_done();
}

asio::awaitable<void> TcpConnection::write_loop(std::shared_ptr<TcpConnection> /*keep_alive*/) {
    while (open_ && !pending_.empty()) {
        writing_buffer_.swap(pending_);
        pending_.clear();
        writing_answers_ = std::exchange(pending_answers_, 0);
        write_deadline_ = Clock::now() + write_timeout_;
        idle_timer_.cancel();  // the watchdog now also minds the write
        asio::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(writing_buffer_),
                                   asio::redirect_error(asio::use_awaitable, ec));
        writing_buffer_.clear();
        writing_answers_ = 0;
        if (ec) {
            close();
            break;
        }
        touch();
        resume_timer_.cancel();  // a reader waiting for room may go on
    }
    writing_ = false;
    close_if_done();
}

asio::awaitable<void> TcpConnection::watchdog(std::shared_ptr<TcpConnection> /*keep_alive*/) {
    while (open_) {
        idle_timer_.expires_at(writing_ ? std::min(deadline_, write_deadline_) : deadline_);
        asio::error_code ec;
        co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!open_) break;
        const auto now = Clock::now();
        if (writing_ && now >= write_deadline_) {
            // The client asks and does not read: its answers would pile up.
            count(listener_->metrics().tcp_write_timeouts);
            close();
            break;
        }
        if (now < deadline_) continue;  // there was traffic meanwhile
        if (outstanding_ == 0 && !writing_) {
            count(listener_->metrics().tcp_idle_closed);
            close();
            break;
        }
        // Still answering: the connection is not idle.
        deadline_ = now + idle_timeout_;
    }
}

}  // namespace cairn::net
