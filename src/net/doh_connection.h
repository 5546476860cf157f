// One DNS-over-HTTPS client connection (RFC 8484): HTTP/2 through nghttp2,
// over TLS (ALPN h2) or in cleartext behind a TLS-terminating proxy. Each
// request stream carries one DNS query (GET with `dns=`, or POST); streams
// are answered as their answers come, many at once up to the configured
// limit (SETTINGS_MAX_CONCURRENT_STREAMS). Answers carry Cache-Control
// max-age from their smallest TTL (§5.1) and are padded when their queries
// were (RFC 8467).
#pragma once

#include <nghttp2/nghttp2.h>

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/client_stream.h"
#include "net/doh_request.h"
#include "net/encrypted_listener.h"
#include "net/query_handler.h"
#include "net/tcp_limits.h"

namespace cairn::net {

class DohConnection;
struct Http2Callbacks;

// One request stream; the channel its answer comes back through.
class DohStream final : public ReplyChannel {
public:
    DohStream(std::weak_ptr<DohConnection> connection, int32_t id)
        : connection_(std::move(connection)), id_(id) {}

    void send_reply(const Peer& peer, std::span<const uint8_t> message) override;

private:
    friend class DohConnection;
    friend struct Http2Callbacks;
    void reply_promised() override;
    void reply_settled() override;

    std::weak_ptr<DohConnection> connection_;
    const int32_t id_;
    DohRequest request_;
    std::vector<uint8_t> response_;  // the body being sent
    size_t sent_ = 0;
    bool responded_ = false;
    bool closed_ = false;
};

class DohConnection final : public ListenedConnection,
                            public std::enable_shared_from_this<DohConnection> {
public:
    DohConnection(ClientStream stream, const Peer& peer, TcpConnectionLimits::Slot slot,
                  std::shared_ptr<EncryptedListener> listener);
    ~DohConnection() override;

    void start() override;
    void drain() override;
    void close() override;

private:
    friend class DohStream;
    friend struct Http2Callbacks;
    using Clock = std::chrono::steady_clock;
    struct SessionDeleter {
        void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
    };

    bool open_session();
    asio::awaitable<void> run(std::shared_ptr<DohConnection> self);
    asio::awaitable<void> read_loop();
    asio::awaitable<void> write_loop(std::shared_ptr<DohConnection> self);
    asio::awaitable<void> idle_watch(std::shared_ptr<DohConnection> self);
    // Writes the frames nghttp2 has ready: at once if the socket takes
    // them, else through write_loop.
    void start_writing();
    // The next frames nghttp2 has ready, up to a chunk, into output_.
    void gather_output();
    void close_if_done();
    void touch(std::chrono::milliseconds timeout) { deadline_ = Clock::now() + timeout; }
    void touch() { touch(idle_timeout_); }

    // From the nghttp2 callbacks.
    void begin_request(int32_t stream_id);
    DohStream* stream(int32_t stream_id);
    void request_complete(DohStream& stream);
    void stream_closed(int32_t stream_id);
    // Answers `stream` with `status` and no body.
    void respond_status(DohStream& stream, unsigned status);
    // Answers `stream` with the DNS message in buffer[0, length).
    void respond_dns(DohStream& stream, const Peer& peer, std::span<uint8_t> buffer, size_t length);
    void submit(DohStream& stream, unsigned status, std::string_view cache_control);

    ClientStream stream_;
    Peer peer_;
    TcpConnectionLimits::Slot slot_;
    std::shared_ptr<EncryptedListener> listener_;
    const std::chrono::milliseconds idle_timeout_;
    std::unique_ptr<nghttp2_session, SessionDeleter> session_;
    std::unordered_map<int32_t, std::shared_ptr<DohStream>> streams_;
    std::vector<uint8_t> scratch_;  // a GET's decoded query
    std::vector<uint8_t> output_;   // frames being written

    asio::steady_timer idle_timer_;
    Clock::time_point deadline_;
    bool handshaking_ = true;
    bool writing_ = false;
    bool reading_done_ = false;
    bool draining_ = false;
    bool open_ = true;
    unsigned outstanding_ = 0;
};

}  // namespace cairn::net
