#include "net/dot_connection.h"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>

#include "net/stream_answer.h"
#include "wire/header.h"

namespace cairn::net {

namespace {

// Answers written but not yet taken by a client that does not read: past
// this the connection stops reading queries until the client catches up.
constexpr size_t kMaxQueuedOutput = 256 * 1024;

// Largest DNS message over a stream (the 2-octet length's range).
constexpr size_t kMaxMessage = 65535;

bool is_tls_error(const asio::error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() ||
           ec == asio::ssl::error::stream_truncated;
}

}  // namespace

DotConnection::DotConnection(ClientStream stream, const Peer& peer, TcpConnectionLimits::Slot slot,
                             std::shared_ptr<EncryptedListener> listener)
    : stream_(std::move(stream)),
      peer_(peer),
      slot_(std::move(slot)),
      listener_(std::move(listener)),
      idle_timeout_(listener_->options().idle_timeout),
      max_pipelined_(listener_->options().max_pipelined),
      idle_timer_(stream_.get_executor()),
      resume_timer_(stream_.get_executor()) {
    count(listener_->metrics().dot_open);
}

DotConnection::~DotConnection() {
    count_down(listener_->metrics().dot_open);
    listener_->forget(this);
}

void DotConnection::start() {
    touch(listener_->options().handshake_timeout);
    const auto executor = stream_.get_executor();
    asio::co_spawn(executor, idle_watch(self()), asio::detached);
    asio::co_spawn(executor, run(self()), asio::detached);
}

void DotConnection::drain() {
    draining_ = true;
    if (!open_) return;
    if (handshaking_ || (outstanding_ == 0 && !writing_ && pending_.empty())) {
        close();
        return;
    }
    stream_.shutdown_receive();
    resume_timer_.cancel();
}

void DotConnection::close() {
    if (!open_) return;
    open_ = false;
    stream_.close();
    idle_timer_.cancel();
    resume_timer_.cancel();
    pending_.clear();
}

void DotConnection::reply_settled() {
    --outstanding_;
    resume_timer_.cancel();
    close_if_done();
}

void DotConnection::close_if_done() {
    if (open_ && (reading_done_ || draining_) && outstanding_ == 0 && !writing_ && pending_.empty())
        close();
}

void DotConnection::send_reply(const Peer& peer, std::span<const uint8_t> message) {
    if (!open_ || message.empty() || message.size() > kMaxMessage) return;
    const auto buffer = listener_->reply_buffer();
    if (message.size() > buffer.size()) return;
    std::copy(message.begin(), message.end(), buffer.begin());
    enqueue(buffer.first(finish_answer(peer, buffer, message.size(), kMaxMessage, idle_timeout_)));
}

void DotConnection::enqueue(std::span<const uint8_t> message, bool more_coming) {
    pending_.push_back(static_cast<uint8_t>(message.size() >> 8));
    pending_.push_back(static_cast<uint8_t>(message.size()));
    pending_.insert(pending_.end(), message.begin(), message.end());
    if (!more_coming) flush();
}

void DotConnection::flush() {
    if (writing_ || !open_ || pending_.empty()) return;
    const auto [ec, written] = stream_.try_write(asio::buffer(pending_));
    if (ec) {
        if (is_tls_error(ec)) count(listener_->metrics().tls_errors);
        close();
        return;
    }
    touch();
    if (written == pending_.size()) {
        pending_.clear();
        resume_timer_.cancel();  // a reader held back by the backlog may go on
        close_if_done();
        return;
    }
    writing_buffer_.assign(pending_.begin() + static_cast<std::ptrdiff_t>(written), pending_.end());
    pending_.clear();
    writing_ = true;
    asio::co_spawn(stream_.get_executor(), write_loop(self()), asio::detached);
}

asio::awaitable<void> DotConnection::run(std::shared_ptr<DotConnection> /*keep_alive*/) {
    auto& metrics = listener_->metrics();
    const auto ec = co_await stream_.handshake();
    handshaking_ = false;
    if (!open_) co_return;  // timed out, or the worker stopped
    if (ec) {
        count(metrics.tls_handshake_failures);
        close();
        co_return;
    }
    count(metrics.tls_handshakes);
    if (stream_.resumed()) count(metrics.tls_resumed);
    if (draining_) {
        close();
        co_return;
    }
    touch();
    co_await read_loop();
    reading_done_ = true;
    flush();
    close_if_done();
}

asio::awaitable<bool> DotConnection::wait_for_room() {
    auto full = [this] {
        return open_ && !draining_ &&
               (outstanding_ >= max_pipelined_ ||
                pending_.size() + writing_buffer_.size() > kMaxQueuedOutput);
    };
    while (full()) {
        flush();
        if (!full()) break;
        asio::error_code ignored;
        resume_timer_.expires_at(asio::steady_timer::time_point::max());
        co_await resume_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return open_ && !draining_;
}

asio::awaitable<void> DotConnection::read_loop() {
    auto& metrics = listener_->metrics();
    std::array<uint8_t, 2> length_field{};
    std::vector<uint8_t> message;
    for (;;) {
        // Answers wait while queries already read follow them; the last
        // one's answer goes out with them before the socket is asked again.
        if (!stream_.input_buffered()) flush();
        if (!co_await wait_for_room()) break;
        auto [ec, got] = co_await stream_.read_exact(asio::buffer(length_field));
        if (!open_) co_return;
        if (ec) {
            // A clean end between messages: answer what is owed, then close.
            if (got == 0 && (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated))
                co_return;
            count(got != 0           ? metrics.dot_malformed
                  : is_tls_error(ec) ? metrics.tls_errors
                                     : metrics.dot_malformed);
            close();
            co_return;
        }
        const size_t length = size_t{length_field[0]} << 8 | length_field[1];
        if (length < wire::Header::kSize) {
            count(metrics.dot_malformed);
            close();
            co_return;
        }
        message.resize(length);
        std::tie(ec, got) = co_await stream_.read_exact(asio::buffer(message));
        if (!open_) co_return;
        if (ec) {
            count(is_tls_error(ec) ? metrics.tls_errors : metrics.dot_malformed);
            close();
            co_return;
        }
        touch();
        count(metrics.dot_queries);
        const Peer peer = peer_for_query(peer_, message, true);
        const auto out = listener_->response_buffer();
        const size_t answer = listener_->handler().handle_query(
            message, peer, out.first(kMaxMessage), ReplyOrigin(*this, peer));
        if (answer > 0 && open_)
            enqueue(out.first(finish_answer(peer, out, answer, kMaxMessage, idle_timeout_)),
                    stream_.input_buffered());
    }
}

asio::awaitable<void> DotConnection::write_loop(std::shared_ptr<DotConnection> /*keep_alive*/) {
    while (open_) {
        if (writing_buffer_.empty()) {
            if (pending_.empty()) break;
            writing_buffer_.swap(pending_);
        }
        const auto ec = co_await stream_.write(asio::buffer(writing_buffer_));
        writing_buffer_.clear();
        if (ec) {
            if (open_ && is_tls_error(ec)) count(listener_->metrics().tls_errors);
            close();
            break;
        }
        touch();
        resume_timer_.cancel();  // a reader held back by the backlog may go on
    }
    writing_ = false;
    close_if_done();
}

asio::awaitable<void> DotConnection::idle_watch(std::shared_ptr<DotConnection> /*keep_alive*/) {
    auto& metrics = listener_->metrics();
    while (open_) {
        idle_timer_.expires_at(deadline_);
        asio::error_code ec;
        co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!open_) break;
        const auto now = Clock::now();
        if (now < deadline_) continue;  // there was traffic meanwhile
        if (handshaking_) {
            count(metrics.tls_handshake_timeouts);
            close();
            break;
        }
        // Answers still being worked on keep a connection; a write that
        // has not moved for the whole timeout (a client that does not
        // read) does not.
        if (outstanding_ == 0) {
            count(metrics.idle_closed);
            close();
            break;
        }
        deadline_ = now + idle_timeout_;
    }
}

}  // namespace cairn::net
