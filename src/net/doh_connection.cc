#include "net/doh_connection.h"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>
#include <string>

#include "net/stream_answer.h"
#include "wire/edns_edit.h"

namespace cairn::net {

namespace {

// Frames gathered into one write.
constexpr size_t kWriteChunk = 16 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

bool is_tls_error(const asio::error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() ||
           ec == asio::ssl::error::stream_truncated;
}

std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

nghttp2_nv header(std::string_view name, std::string_view value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

// nghttp2's callbacks, handing each event to the connection.
struct Http2Callbacks {
    static DohConnection& connection(void* user_data) {
        return *static_cast<DohConnection*>(user_data);
    }

    static int begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            connection(user_data).begin_request(frame->hd.stream_id);
        return 0;
    }

    static int header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                      void* user_data) {
        DohStream* stream = connection(user_data).stream(frame->hd.stream_id);
        if (stream == nullptr) return 0;
        auto& request = stream->request_;
        const auto key = as_text(name, name_length);
        const auto text = as_text(value, value_length);
        if (key == ":method") {
            request.method = text;
        } else if (key == ":path") {
            request.path = text;
        } else if (key == "content-type") {
            request.content_type = text;
        } else if (key == "content-length") {
            uint64_t length = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
            if (ec == std::errc() && end == text.data() + text.size())
                request.content_length = length;
        }
        return 0;
    }

    static int data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                          size_t length, void* user_data) {
        auto& self = connection(user_data);
        DohStream* stream = self.stream(stream_id);
        if (stream == nullptr || stream->responded_) return 0;
        stream->request_.append_body({data, length});
        // Said at once, rather than after reading all of an oversized body.
        if (stream->request_.body_too_large) self.respond_status(*stream, 413);
        return 0;
    }

    static int frame_received(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        const bool ends_request =
            (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
        if (!ends_request) return 0;
        auto& self = connection(user_data);
        if (DohStream* stream = self.stream(frame->hd.stream_id); stream && !stream->responded_)
            self.request_complete(*stream);
        return 0;
    }

    static int stream_closed(nghttp2_session*, int32_t stream_id, uint32_t /*error_code*/,
                             void* user_data) {
        connection(user_data).stream_closed(stream_id);
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buffer, size_t length,
                             uint32_t* flags, nghttp2_data_source* source, void*) {
        auto& stream = *static_cast<DohStream*>(source->ptr);
        const size_t n = std::min(length, stream.response_.size() - stream.sent_);
        std::copy_n(stream.response_.begin() + static_cast<std::ptrdiff_t>(stream.sent_), n,
                    buffer);
        stream.sent_ += n;
        if (stream.sent_ == stream.response_.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }
};

void DohStream::send_reply(const Peer& peer, std::span<const uint8_t> message) {
    auto connection = connection_.lock();
    if (!connection || !connection->open_ || closed_ || responded_) return;
    const auto buffer = connection->listener_->reply_buffer();
    if (message.empty() || message.size() > kMaxDohMessage) return;
    std::copy(message.begin(), message.end(), buffer.begin());
    connection->respond_dns(*this, peer, buffer, message.size());
    connection->start_writing();
}

void DohStream::reply_promised() {
    if (auto connection = connection_.lock()) ++connection->outstanding_;
}

void DohStream::reply_settled() {
    if (auto connection = connection_.lock()) {
        --connection->outstanding_;
        connection->close_if_done();
    }
}

DohConnection::DohConnection(ClientStream stream, const Peer& peer, TcpConnectionLimits::Slot slot,
                             std::shared_ptr<EncryptedListener> listener)
    : stream_(std::move(stream)),
      peer_(peer),
      slot_(std::move(slot)),
      listener_(std::move(listener)),
      idle_timeout_(listener_->options().idle_timeout),
      idle_timer_(stream_.get_executor()) {
    count(listener_->metrics().doh_open);
}

DohConnection::~DohConnection() {
    // nghttp2 calls nothing back while it is deleted; the streams go after.
    session_.reset();
    count_down(listener_->metrics().doh_open);
    listener_->forget(this);
}

void DohConnection::start() {
    touch(stream_.is_tls() ? listener_->options().handshake_timeout : idle_timeout_);
    const auto executor = stream_.get_executor();
    auto self = shared_from_this();
    asio::co_spawn(executor, idle_watch(self), asio::detached);
    asio::co_spawn(executor, run(self), asio::detached);
}

void DohConnection::drain() {
    draining_ = true;
    if (!open_) return;
    if (handshaking_ || !session_) {
        close();
        return;
    }
    // RFC 9113 §6.8: streams up to the last one seen are still answered.
    nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_.get()), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    stream_.shutdown_receive();
    start_writing();
    close_if_done();
}

void DohConnection::close() {
    if (!open_) return;
    open_ = false;
    stream_.close();
    idle_timer_.cancel();
}

void DohConnection::close_if_done() {
    if (!open_ || writing_ || outstanding_ > 0) return;
    const bool session_over = !session_ || (nghttp2_session_want_read(session_.get()) == 0 &&
                                            nghttp2_session_want_write(session_.get()) == 0);
    const bool nothing_to_write = !session_ || nghttp2_session_want_write(session_.get()) == 0;
    if (session_over || ((reading_done_ || draining_) && nothing_to_write)) close();
}

bool DohConnection::open_session() {
    nghttp2_session_callbacks* callbacks = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                            Http2Callbacks::begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, Http2Callbacks::header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                              Http2Callbacks::data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Http2Callbacks::frame_received);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                           Http2Callbacks::stream_closed);
    nghttp2_session* session = nullptr;
    const int created = nghttp2_session_server_new(&session, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    if (created != 0) return false;
    session_.reset(session);
    const std::array<nghttp2_settings_entry, 1> settings{
        {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, listener_->options().max_streams}}};
    return nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) ==
           0;
}

asio::awaitable<void> DohConnection::run(std::shared_ptr<DohConnection> /*keep_alive*/) {
    auto& metrics = listener_->metrics();
    const auto ec = co_await stream_.handshake();
    handshaking_ = false;
    if (!open_) co_return;
    if (stream_.is_tls()) {
        if (ec) {
            count(metrics.tls_handshake_failures);
            close();
            co_return;
        }
        count(metrics.tls_handshakes);
        if (stream_.resumed()) count(metrics.tls_resumed);
    }
    if (draining_ || !open_session()) {
        close();
        co_return;
    }
    touch();
    start_writing();  // our SETTINGS
    co_await read_loop();
    reading_done_ = true;
    close_if_done();
}

asio::awaitable<void> DohConnection::read_loop() {
    auto& metrics = listener_->metrics();
    std::vector<uint8_t> buffer(kReadChunk);
    while (open_ && !draining_) {
        auto [ec, got] = co_await stream_.read_some(asio::buffer(buffer));
        if (!open_) co_return;
        if (ec) {
            const bool clean = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
            if (!clean && is_tls_error(ec)) count(metrics.tls_errors);
            if (!clean) close();
            co_return;
        }
        touch();
        const auto used = nghttp2_session_mem_recv(session_.get(), buffer.data(), got);
        if (used < 0) {
            // nghttp2 has queued a GOAWAY saying why; it goes out, then we close.
            count(metrics.doh_protocol_errors);
            start_writing();
            co_return;
        }
        start_writing();
        if (nghttp2_session_want_read(session_.get()) == 0) co_return;
    }
}

void DohConnection::gather_output() {
    output_.clear();
    while (output_.size() < kWriteChunk) {
        const uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_.get(), &data);
        if (n <= 0) break;
        output_.insert(output_.end(), data, data + n);
    }
}

void DohConnection::start_writing() {
    if (writing_ || !open_ || !session_) return;
    // What the socket takes now goes at once; the rest waits in write_loop.
    for (;;) {
        gather_output();
        if (output_.empty()) break;
        const auto [ec, written] = stream_.try_write(asio::buffer(output_));
        if (ec) {
            if (is_tls_error(ec)) count(listener_->metrics().tls_errors);
            close();
            return;
        }
        touch();
        if (written < output_.size()) {
            output_.erase(output_.begin(), output_.begin() + static_cast<std::ptrdiff_t>(written));
            writing_ = true;
            asio::co_spawn(stream_.get_executor(), write_loop(shared_from_this()), asio::detached);
            return;
        }
    }
    close_if_done();
}

asio::awaitable<void> DohConnection::write_loop(std::shared_ptr<DohConnection> /*keep_alive*/) {
    // output_ starts with what start_writing could not write (over TLS,
    // bytes that must be written again exactly as they were).
    while (open_) {
        if (output_.empty()) gather_output();
        if (output_.empty()) break;
        const auto ec = co_await stream_.write(asio::buffer(output_));
        output_.clear();
        if (ec) {
            if (open_ && is_tls_error(ec)) count(listener_->metrics().tls_errors);
            close();
            break;
        }
        touch();
    }
    writing_ = false;
    close_if_done();
}

asio::awaitable<void> DohConnection::idle_watch(std::shared_ptr<DohConnection> /*keep_alive*/) {
    auto& metrics = listener_->metrics();
    while (open_) {
        idle_timer_.expires_at(deadline_);
        asio::error_code ec;
        co_await idle_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!open_) break;
        const auto now = Clock::now();
        if (now < deadline_) continue;
        if (handshaking_) {
            count(metrics.tls_handshake_timeouts);
            close();
            break;
        }
        if (outstanding_ == 0) {
            count(metrics.idle_closed);
            close();
            break;
        }
        deadline_ = now + idle_timeout_;
    }
}

void DohConnection::begin_request(int32_t stream_id) {
    auto stream = std::make_shared<DohStream>(weak_from_this(), stream_id);
    nghttp2_session_set_stream_user_data(session_.get(), stream_id, stream.get());
    streams_.emplace(stream_id, std::move(stream));
}

DohStream* DohConnection::stream(int32_t stream_id) {
    const auto it = streams_.find(stream_id);
    return it == streams_.end() ? nullptr : it->second.get();
}

void DohConnection::stream_closed(int32_t stream_id) {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end()) return;
    it->second->closed_ = true;
    // Closed before our answer: the client reset it (with whatever code).
    if (!it->second->responded_) count(listener_->metrics().doh_streams_reset);
    streams_.erase(it);
}

void DohConnection::request_complete(DohStream& stream) {
    auto& metrics = listener_->metrics();
    const auto verdict = judge(stream.request_, listener_->options().https_path, scratch_);
    if (verdict.status != 200) {
        respond_status(stream, verdict.status);
        return;
    }
    count(metrics.doh_queries);
    const Peer peer = peer_for_query(peer_, verdict.query, false);
    const auto out = listener_->response_buffer();
    const size_t answer = listener_->handler().handle_query(
        verdict.query, peer, out.first(kMaxDohMessage), ReplyOrigin(stream, peer));
    if (answer > 0) respond_dns(stream, peer, out, answer);
}

void DohConnection::respond_status(DohStream& stream, unsigned status) {
    auto& metrics = listener_->metrics();
    switch (status) {
        case 400: count(metrics.doh_bad_request); break;
        case 404: count(metrics.doh_not_found); break;
        case 405: count(metrics.doh_bad_method); break;
        case 413: count(metrics.doh_too_large); break;
        case 415: count(metrics.doh_bad_media_type); break;
        default: break;
    }
    stream.response_.clear();
    submit(stream, status, {});
}

void DohConnection::respond_dns(DohStream& stream, const Peer& peer, std::span<uint8_t> buffer,
                                size_t length) {
    length = finish_answer(peer, buffer, length, kMaxDohMessage, idle_timeout_);
    const auto message = buffer.first(length);
    // RFC 8484 §5.1: fresh no longer than the smallest TTL of the answer.
    const uint32_t max_age = wire::smallest_ttl(message).value_or(0);
    stream.response_.assign(message.begin(), message.end());
    submit(stream, 200, "max-age=" + std::to_string(max_age));
}

void DohConnection::submit(DohStream& stream, unsigned status, std::string_view cache_control) {
    stream.responded_ = true;
    stream.sent_ = 0;
    const std::string status_text = std::to_string(status);
    const std::string length_text = std::to_string(stream.response_.size());
    std::array<nghttp2_nv, 4> headers{};
    size_t n = 0;
    headers[n++] = header(":status", status_text);
    headers[n++] = header("content-length", length_text);
    if (status == 200) {
        headers[n++] = header("content-type", kDnsMessageType);
        headers[n++] = header("cache-control", cache_control);
    } else if (status == 405) {
        headers[n++] = header("allow", "GET, POST");
    }
    nghttp2_data_provider body{};
    body.source.ptr = &stream;
    body.read_callback = Http2Callbacks::read_body;
    nghttp2_submit_response(session_.get(), stream.id_, headers.data(), n,
                            stream.response_.empty() ? nullptr : &body);
}

}  // namespace cairn::net
