// One DNS-over-QUIC client connection (RFC 9250) on its listener's socket:
// ngtcp2 for QUIC, GnuTLS for its TLS 1.3 handshake (quic_tls.h). Each
// client-initiated bidirectional stream carries one query (doq_framing.h);
// its answer goes back on it as soon as it is ready, many streams at once up
// to the stream limit, which grows back as streams close. A query breaking
// DoQ's rules (ID not 0, two messages, a short message, the TCP keepalive
// option) ends the connection with DOQ_PROTOCOL_ERROR (§4.3.3). Answers are
// padded when their queries were (RFC 8467, as DoT does); DoQ has no
// keepalive option, QUIC's idle timeout does that job (§5.5).
//
// Everything runs on the worker's thread; ngtcp2 calls back into the
// connection only from inside on_datagram() and the timer.
#pragma once

#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/doq_framing.h"
#include "net/query_handler.h"
#include "net/quic_tls.h"
#include "net/tcp_limits.h"

namespace cairn::net {

class DoqConnection;
class DoqListener;
struct QuicCallbacks;

// One query's stream; the channel its answer comes back through.
class DoqStream final : public ReplyChannel {
public:
    DoqStream(std::weak_ptr<DoqConnection> connection, int64_t id)
        : connection_(std::move(connection)), id_(id) {}

    void send_reply(const Peer& peer, std::span<const uint8_t> message) override;

private:
    friend class DoqConnection;
    void reply_promised() override;
    void reply_settled() override;

    std::weak_ptr<DoqConnection> connection_;
    const int64_t id_;
    DoqQueryReader reader_;
    // The framed answer, kept until the stream closes: QUIC may send it again.
    std::vector<uint8_t> answer_;
    size_t written_ = 0;  // octets of answer_ handed to ngtcp2
    unsigned promised_ = 0;
    bool query_taken_ = false;
    bool answered_ = false;
    bool fin_written_ = false;
    bool closed_ = false;  // reset, or closed: an answer is no longer wanted
    // No answer will come: reset the stream with this code after the read.
    bool reset_wanted_ = false;
    uint64_t reset_code_ = kDoqNoError;
};

class DoqConnection final : public std::enable_shared_from_this<DoqConnection> {
public:
    DoqConnection(DoqListener& listener, const Peer& peer, TcpConnectionLimits::Slot slot);
    ~DoqConnection();
    DoqConnection(const DoqConnection&) = delete;
    DoqConnection& operator=(const DoqConnection&) = delete;

    // Sets up QUIC and TLS for the client's first Initial `header`, on
    // `path`. `original_id` is the Destination Connection ID of the client's
    // very first Initial when this one came back with a valid Retry token.
    bool open(const ngtcp2_pkt_hd& header, const ngtcp2_cid* original_id, const ngtcp2_path& path);
    void on_datagram(std::span<const uint8_t> datagram, const ngtcp2_path& path);
    // Takes no more streams; closes (DOQ_NO_ERROR) once the answers owed
    // are written.
    void drain();
    // Closes now (DOQ_NO_ERROR when the handshake is done, else silently).
    void close();
    // Neither closing nor closed.
    bool live() const { return state_ == State::kOpen; }

private:
    friend class DoqStream;
    friend struct QuicCallbacks;
    using Clock = std::chrono::steady_clock;
    enum class State : uint8_t { kOpen, kClosing, kDraining, kGone };
    enum class WriteStep : uint8_t { kMore, kNextStream, kDone };
    struct ConnDeleter {
        void operator()(ngtcp2_conn* conn) const { ngtcp2_conn_del(conn); }
    };

    // From ngtcp2's callbacks.
    int on_stream_data(int64_t stream_id, std::span<const uint8_t> data, bool fin);
    void on_stream_close(int64_t stream_id);
    void on_stream_cancelled(int64_t stream_id);
    void on_handshake_completed();
    bool new_connection_id(ngtcp2_cid& id, uint8_t* reset_token, size_t length);
    void remove_connection_id(const ngtcp2_cid& id);

    DoqStream& stream(int64_t stream_id);
    void take_query(DoqStream& stream);
    void set_answer(DoqStream& stream, const Peer& peer, std::span<uint8_t> buffer, size_t length);
    void answer_later(DoqStream& stream, const Peer& peer, std::span<const uint8_t> message);
    void reply_settled(DoqStream& stream);
    // After ngtcp2 has returned: stream resets, packets out, the timer.
    void settle();
    void apply_resets();
    void write();
    WriteStep write_one(DoqStream* stream, ngtcp2_path_storage& path, ngtcp2_tstamp now);
    void arm_timer();
    void on_timer();
    void on_read_error(int error);
    void close_with(const ngtcp2_connection_close_error& error);
    void close_with_application_error(uint64_t code);
    // Keeps the connection (and its IDs) for three PTOs, as QUIC's closing
    // and draining periods ask (RFC 9000 §10.2), then finishes it.
    void linger(State state);
    void finish();
    void close_if_done();
    bool owes_answers() const;

    DoqListener& listener_;
    Peer peer_;
    TcpConnectionLimits::Slot slot_;
    ngtcp2_crypto_conn_ref conn_ref_{};
    sockaddr_storage local_{};
    sockaddr_storage remote_{};
    ngtcp2_path path_{};
    ngtcp2_cid id_{};
    std::vector<ngtcp2_cid> ids_;  // every ID bound to this connection at the listener
    // What the session was made from: GnuTLS does not count references to
    // credentials, so they must outlive the session (a reload may replace
    // the listener's meanwhile). Declared before the session, to go after it.
    std::shared_ptr<const QuicTls> credentials_;
    // Declared before conn_, so ngtcp2 lets go of the session first.
    GnutlsSession tls_;
    std::unique_ptr<ngtcp2_conn, ConnDeleter> conn_;
    std::unordered_map<int64_t, std::shared_ptr<DoqStream>> streams_;
    std::vector<DoqStream*> to_write_;
    std::vector<uint8_t> close_packet_;
    asio::steady_timer timer_;
    Clock::time_point timer_at_{};
    bool timer_armed_ = false;
    State state_ = State::kOpen;
    bool handshake_done_ = false;
    bool in_read_ = false;
    bool protocol_error_ = false;
    bool draining_ = false;
    unsigned outstanding_ = 0;
};

}  // namespace cairn::net
