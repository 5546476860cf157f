#include "net/doq_connection.h"

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include <algorithm>
#include <cstring>

#include "net/doq_listener.h"
#include "net/stream_answer.h"

namespace cairn::net {

namespace {

// Octets of queries a connection may have in flight before the client must
// wait for some to be answered: room for the largest query, and then some.
constexpr uint64_t kConnectionWindow = 2 * kDoqMaxStreamData;

ngtcp2_duration to_quic(std::chrono::milliseconds duration) {
    return static_cast<ngtcp2_duration>(duration.count()) * NGTCP2_MILLISECONDS;
}

socklen_t copy_address(const ngtcp2_addr& from, sockaddr_storage& to) {
    const socklen_t length = std::min<socklen_t>(from.addrlen, sizeof(to));
    std::memcpy(&to, from.addr, length);
    return length;
}

}  // namespace

// ngtcp2's callbacks, handing each event to the connection.
struct QuicCallbacks {
    static DoqConnection& of(void* user_data) { return *static_cast<DoqConnection*>(user_data); }

    static int recv_stream_data(ngtcp2_conn*, uint32_t flags, int64_t stream_id, uint64_t,
                                const uint8_t* data, size_t length, void* user_data, void*) {
        return of(user_data).on_stream_data(stream_id, {data, length},
                                            (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
    }
    static int stream_close(ngtcp2_conn*, uint32_t, int64_t stream_id, uint64_t, void* user_data,
                            void*) {
        of(user_data).on_stream_close(stream_id);
        return 0;
    }
    static int stream_reset(ngtcp2_conn*, int64_t stream_id, uint64_t, uint64_t, void* user_data,
                            void*) {
        of(user_data).on_stream_cancelled(stream_id);
        return 0;
    }
    static int stream_stop_sending(ngtcp2_conn*, int64_t stream_id, uint64_t, void* user_data,
                                   void*) {
        of(user_data).on_stream_cancelled(stream_id);
        return 0;
    }
    static int handshake_completed(ngtcp2_conn*, void* user_data) {
        of(user_data).on_handshake_completed();
        return 0;
    }
    static void rand(uint8_t* out, size_t length, const ngtcp2_rand_ctx*) {
        gnutls_rnd(GNUTLS_RND_NONCE, out, length);
    }
    static int get_new_connection_id(ngtcp2_conn*, ngtcp2_cid* id, uint8_t* token, size_t length,
                                     void* user_data) {
        return of(user_data).new_connection_id(*id, token, length) ? 0
                                                                   : NGTCP2_ERR_CALLBACK_FAILURE;
    }
    static int remove_connection_id(ngtcp2_conn*, const ngtcp2_cid* id, void* user_data) {
        of(user_data).remove_connection_id(*id);
        return 0;
    }
    static ngtcp2_conn* get_conn(ngtcp2_crypto_conn_ref* ref) {
        return static_cast<DoqConnection*>(ref->user_data)->conn_.get();
    }

    static ngtcp2_callbacks table() {
        ngtcp2_callbacks c{};
        c.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
        c.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
        c.handshake_completed = handshake_completed;
        c.encrypt = ngtcp2_crypto_encrypt_cb;
        c.decrypt = ngtcp2_crypto_decrypt_cb;
        c.hp_mask = ngtcp2_crypto_hp_mask_cb;
        c.recv_stream_data = recv_stream_data;
        c.stream_close = stream_close;
        c.rand = rand;
        c.get_new_connection_id = get_new_connection_id;
        c.remove_connection_id = remove_connection_id;
        c.update_key = ngtcp2_crypto_update_key_cb;
        c.stream_reset = stream_reset;
        c.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
        c.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
        c.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
        c.stream_stop_sending = stream_stop_sending;
        c.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
        return c;
    }
};

void DoqStream::send_reply(const Peer& peer, std::span<const uint8_t> message) {
    auto connection = connection_.lock();
    if (!connection || closed_ || answered_) return;
    connection->answer_later(*this, peer, message);
}

void DoqStream::reply_promised() {
    ++promised_;
    if (auto connection = connection_.lock()) ++connection->outstanding_;
}

void DoqStream::reply_settled() {
    --promised_;
    if (auto connection = connection_.lock()) connection->reply_settled(*this);
}

DoqConnection::DoqConnection(DoqListener& listener, const Peer& peer,
                             TcpConnectionLimits::Slot slot)
    : listener_(listener), peer_(peer), slot_(std::move(slot)), timer_(listener.executor()) {
    count(listener_.metrics().doq_open);
}

DoqConnection::~DoqConnection() {
    count_down(listener_.metrics().doq_open);
}

bool DoqConnection::open(const ngtcp2_pkt_hd& header, const ngtcp2_cid* original_id,
                         const ngtcp2_path& path) {
    const auto& options = listener_.options();
    path_.local = {reinterpret_cast<ngtcp2_sockaddr*>(&local_), copy_address(path.local, local_)};
    path_.remote = {reinterpret_cast<ngtcp2_sockaddr*>(&remote_),
                    copy_address(path.remote, remote_)};
    id_.datalen = kDoqConnectionIdLength;
    gnutls_rnd(GNUTLS_RND_NONCE, id_.data, id_.datalen);

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = quic_now();
    settings.handshake_timeout = to_quic(options.handshake_timeout);
    settings.max_tx_udp_payload_size = listener_.packet_buffer().size();
    if (original_id != nullptr) settings.token = header.token;

    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_bidi = options.max_streams;
    params.initial_max_streams_uni = 0;  // DoQ uses none (§4.2)
    params.initial_max_stream_data_bidi_remote = kDoqMaxStreamData;
    params.initial_max_data = kConnectionWindow;
    params.max_idle_timeout = to_quic(options.idle_timeout);
    params.disable_active_migration = 1;
    params.stateless_reset_token_present = 1;
    credentials_ = listener_.tls();
    const auto secret = credentials_->reset_secret();
    if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, secret.data(),
                                                     secret.size(), &id_) != 0)
        return false;
    if (original_id != nullptr) {
        params.original_dcid = *original_id;
        params.retry_scid = header.dcid;
        params.retry_scid_present = 1;
    } else {
        params.original_dcid = header.dcid;
    }

    const ngtcp2_callbacks callbacks = QuicCallbacks::table();
    ngtcp2_conn* conn = nullptr;
    if (ngtcp2_conn_server_new(&conn, &header.scid, &id_, &path_, header.version, &callbacks,
                               &settings, &params, nullptr, this) != 0)
        return false;
    conn_.reset(conn);
    conn_ref_ = {QuicCallbacks::get_conn, this};
    tls_ = credentials_->new_session(&conn_ref_);
    if (!tls_) return false;
    ngtcp2_conn_set_tls_native_handle(conn, tls_.get());
    for (const auto& id : {id_, header.dcid}) {
        listener_.bind_id(id, this);
        ids_.push_back(id);
    }
    return true;
}

void DoqConnection::on_datagram(std::span<const uint8_t> datagram, const ngtcp2_path& path) {
    if (state_ == State::kClosing) {
        // RFC 9000 §10.2.1: whatever arrives gets the close again.
        if (!close_packet_.empty()) listener_.send(path_.remote, close_packet_);
        return;
    }
    if (state_ != State::kOpen) return;
    ngtcp2_pkt_info info{};
    in_read_ = true;
    const int rv = ngtcp2_conn_read_pkt(conn_.get(), &path, &info, datagram.data(), datagram.size(),
                                        quic_now());
    in_read_ = false;
    if (rv != 0) {
        on_read_error(rv);
        return;
    }
    settle();
}

void DoqConnection::settle() {
    if (state_ != State::kOpen) return;
    apply_resets();
    write();
    close_if_done();
}

int DoqConnection::on_stream_data(int64_t stream_id, std::span<const uint8_t> data, bool fin) {
    auto& s = stream(stream_id);
    if (s.query_taken_ || s.closed_) return 0;
    const auto status = s.reader_.add(data, fin);
    if (status == DoqQueryStatus::kIncomplete) return 0;
    if (status != DoqQueryStatus::kQuery) {
        protocol_error_ = true;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    take_query(s);
    return 0;
}

DoqStream& DoqConnection::stream(int64_t stream_id) {
    auto& slot = streams_[stream_id];
    if (!slot) slot = std::make_shared<DoqStream>(weak_from_this(), stream_id);
    return *slot;
}

void DoqConnection::take_query(DoqStream& s) {
    count(listener_.metrics().doq_queries);
    s.query_taken_ = true;
    const auto query = s.reader_.message();
    const Peer peer = peer_for_query(peer_, query, false);
    const auto out = listener_.response_buffer();
    const size_t length = listener_.handler().handle_query(query, peer, out.first(kDoqMaxMessage),
                                                           ReplyOrigin(s, peer));
    // The query's octets are done with: the client may send as many more.
    ngtcp2_conn_extend_max_offset(conn_.get(), s.reader_.size());
    s.reader_.release();
    if (length > 0) {
        set_answer(s, peer, out, length);
    } else if (s.promised_ == 0 && !s.answered_) {
        // Dropped (it did not parse): the stream is refused, not left open.
        s.reset_wanted_ = true;
        s.reset_code_ = kDoqProtocolError;
    }
}

void DoqConnection::set_answer(DoqStream& s, const Peer& peer, std::span<uint8_t> buffer,
                               size_t length) {
    length = finish_answer(peer, buffer, length, kDoqMaxMessage, listener_.options().idle_timeout);
    frame_doq_message(buffer.first(length), s.answer_);
    s.answered_ = true;
}

void DoqConnection::answer_later(DoqStream& s, const Peer& peer, std::span<const uint8_t> message) {
    if (state_ != State::kOpen || message.empty() || message.size() > kDoqMaxMessage) return;
    const auto buffer = listener_.reply_buffer();
    std::copy(message.begin(), message.end(), buffer.begin());
    set_answer(s, peer, buffer, message.size());
    if (!in_read_) settle();
}

void DoqConnection::reply_settled(DoqStream& s) {
    --outstanding_;
    if (!s.answered_ && s.promised_ == 0 && !s.closed_) {
        // Given up on (the worker is stopping, or a limit): say so.
        s.reset_wanted_ = true;
        s.reset_code_ = kDoqInternalError;
    }
    if (!in_read_) settle();
}

void DoqConnection::apply_resets() {
    for (auto& [id, s] : streams_) {
        if (!s->reset_wanted_) continue;
        s->reset_wanted_ = false;
        s->closed_ = true;
        ngtcp2_conn_shutdown_stream(conn_.get(), id, s->reset_code_);
    }
}

void DoqConnection::on_stream_close(int64_t stream_id) {
    const auto it = streams_.find(stream_id);
    if (it != streams_.end()) {
        it->second->closed_ = true;
        streams_.erase(it);
    }
    // One stream gone, one more allowed (RFC 9000 §4.6), unless closing.
    if (!draining_ && !ngtcp2_conn_is_local_stream(conn_.get(), stream_id))
        ngtcp2_conn_extend_max_streams_bidi(conn_.get(), 1);
}

void DoqConnection::on_stream_cancelled(int64_t stream_id) {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end() || it->second->closed_) return;
    count(listener_.metrics().doq_streams_reset);
    // §4.3.2: the client cancelled its query; the answer is not sent.
    it->second->reset_wanted_ = true;
    it->second->reset_code_ = kDoqRequestCancelled;
}

void DoqConnection::on_handshake_completed() {
    handshake_done_ = true;
    count(listener_.metrics().doq_handshakes);
}

bool DoqConnection::new_connection_id(ngtcp2_cid& id, uint8_t* reset_token, size_t length) {
    id.datalen = length;
    if (gnutls_rnd(GNUTLS_RND_NONCE, id.data, length) != 0) return false;
    const auto secret = credentials_->reset_secret();
    if (ngtcp2_crypto_generate_stateless_reset_token(reset_token, secret.data(), secret.size(),
                                                     &id) != 0)
        return false;
    listener_.bind_id(id, this);
    ids_.push_back(id);
    return true;
}

void DoqConnection::remove_connection_id(const ngtcp2_cid& id) {
    listener_.unbind_id(id, this);
    std::erase_if(ids_, [&](const ngtcp2_cid& mine) { return ngtcp2_cid_eq(&mine, &id) != 0; });
}

void DoqConnection::write() {
    if (state_ != State::kOpen) return;
    to_write_.clear();
    for (auto& [id, s] : streams_)
        if (s->answered_ && !s->fin_written_ && !s->closed_) to_write_.push_back(s.get());
    ngtcp2_path_storage path;
    ngtcp2_path_storage_zero(&path);
    const ngtcp2_tstamp now = quic_now();
    size_t next = 0;
    for (;;) {
        DoqStream* s = next < to_write_.size() ? to_write_[next] : nullptr;
        const WriteStep step = write_one(s, path, now);
        if (step == WriteStep::kDone) break;
        if (s != nullptr && (step == WriteStep::kNextStream || s->fin_written_)) ++next;
    }
    if (state_ != State::kOpen) return;
    ngtcp2_conn_update_pkt_tx_time(conn_.get(), now);
    arm_timer();
}

// One call of ngtcp2_conn_writev_stream with what is left of `s`'s answer
// (or none), sending the packet it completes.
DoqConnection::WriteStep DoqConnection::write_one(DoqStream* s, ngtcp2_path_storage& path,
                                                  ngtcp2_tstamp now) {
    const auto buffer = listener_.packet_buffer();
    ngtcp2_vec data{};
    int64_t stream_id = -1;
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (s != nullptr) {
        stream_id = s->id_;
        data = {s->answer_.data() + s->written_, s->answer_.size() - s->written_};
        flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    }
    ngtcp2_ssize taken = -1;
    ngtcp2_pkt_info info{};
    const auto written =
        ngtcp2_conn_writev_stream(conn_.get(), &path.path, &info, buffer.data(), buffer.size(),
                                  &taken, flags, stream_id, &data, s != nullptr ? 1 : 0, now);
    if (s != nullptr && taken >= 0) {
        s->written_ += static_cast<size_t>(taken);
        if (s->written_ == s->answer_.size()) s->fin_written_ = true;
    }
    switch (written) {
        case NGTCP2_ERR_WRITE_MORE: return WriteStep::kMore;
        case NGTCP2_ERR_STREAM_DATA_BLOCKED: return WriteStep::kNextStream;
        case NGTCP2_ERR_STREAM_SHUT_WR:
        case NGTCP2_ERR_STREAM_NOT_FOUND: s->closed_ = true; return WriteStep::kNextStream;
        default: break;
    }
    if (written < 0) {
        count(listener_.metrics().doq_quic_errors);
        close_with_application_error(kDoqInternalError);
        return WriteStep::kDone;
    }
    if (written == 0) return WriteStep::kDone;
    listener_.send(path.path.remote, buffer.first(static_cast<size_t>(written)));
    return WriteStep::kMore;
}

void DoqConnection::arm_timer() {
    if (state_ != State::kOpen) return;
    const ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_.get());
    if (expiry == UINT64_MAX) return;
    const auto at = Clock::time_point(std::chrono::nanoseconds(expiry));
    if (timer_armed_ && at == timer_at_) return;
    timer_armed_ = true;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void DoqConnection::on_timer() {
    timer_armed_ = false;
    if (state_ == State::kClosing || state_ == State::kDraining) {
        finish();
        return;
    }
    if (state_ != State::kOpen) return;
    const int rv = ngtcp2_conn_handle_expiry(conn_.get(), quic_now());
    if (rv == NGTCP2_ERR_IDLE_CLOSE) {
        count(listener_.metrics().idle_closed);
        finish();
        return;
    }
    if (rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
        count(listener_.metrics().doq_handshake_timeouts);
        finish();
        return;
    }
    if (rv != 0) {
        on_read_error(rv);
        return;
    }
    settle();
}

void DoqConnection::on_read_error(int error) {
    auto& metrics = listener_.metrics();
    ngtcp2_connection_close_error reason;
    ngtcp2_connection_close_error_default(&reason);
    switch (error) {
        case NGTCP2_ERR_DRAINING:  // the client closed
            linger(State::kDraining);
            return;
        case NGTCP2_ERR_DROP_CONN:
        case NGTCP2_ERR_RETRY: finish(); return;
        case NGTCP2_ERR_CRYPTO:
            count(handshake_done_ ? metrics.doq_quic_errors : metrics.doq_handshake_failures);
            ngtcp2_connection_close_error_set_transport_error_tls_alert(
                &reason, ngtcp2_conn_get_tls_alert(conn_.get()), nullptr, 0);
            break;
        case NGTCP2_ERR_CALLBACK_FAILURE:
            if (protocol_error_) {
                count(metrics.doq_protocol_errors);
                close_with_application_error(kDoqProtocolError);
                return;
            }
            [[fallthrough]];
        default:
            count(handshake_done_ ? metrics.doq_quic_errors : metrics.doq_handshake_failures);
            ngtcp2_connection_close_error_set_transport_error_liberr(&reason, error, nullptr, 0);
            break;
    }
    close_with(reason);
}

void DoqConnection::close_with_application_error(uint64_t code) {
    ngtcp2_connection_close_error reason;
    ngtcp2_connection_close_error_default(&reason);
    ngtcp2_connection_close_error_set_application_error(&reason, code, nullptr, 0);
    close_with(reason);
}

void DoqConnection::close_with(const ngtcp2_connection_close_error& error) {
    if (state_ != State::kOpen) return;
    if (ngtcp2_conn_is_in_closing_period(conn_.get()) ||
        ngtcp2_conn_is_in_draining_period(conn_.get())) {
        linger(State::kDraining);
        return;
    }
    const auto buffer = listener_.packet_buffer();
    ngtcp2_path_storage path;
    ngtcp2_path_storage_zero(&path);
    ngtcp2_pkt_info info{};
    const auto written = ngtcp2_conn_write_connection_close(
        conn_.get(), &path.path, &info, buffer.data(), buffer.size(), &error, quic_now());
    if (written <= 0) {
        finish();
        return;
    }
    close_packet_.assign(buffer.begin(), buffer.begin() + written);
    listener_.send(path.path.remote, close_packet_);
    linger(State::kClosing);
}

void DoqConnection::linger(State state) {
    state_ = state;
    for (auto& [id, s] : streams_)
        s->closed_ = true;
    const auto pto = std::chrono::nanoseconds(ngtcp2_conn_get_pto(conn_.get()));
    timer_armed_ = true;
    timer_.expires_after(3 * pto);
    timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timer();
    });
}

void DoqConnection::finish() {
    if (state_ == State::kGone) return;
    state_ = State::kGone;
    timer_.cancel();
    for (auto& [id, s] : streams_)
        s->closed_ = true;
    for (const auto& id : ids_)
        listener_.unbind_id(id, this);
    ids_.clear();
    listener_.retire(this);
}

void DoqConnection::drain() {
    draining_ = true;
    if (state_ != State::kOpen) return;
    if (!handshake_done_) {
        finish();
        return;
    }
    close_if_done();
}

void DoqConnection::close() {
    if (state_ != State::kOpen) {
        finish();
        return;
    }
    if (handshake_done_) close_with_application_error(kDoqNoError);
    finish();
}

bool DoqConnection::owes_answers() const {
    if (outstanding_ > 0) return true;
    return std::any_of(streams_.begin(), streams_.end(), [](const auto& entry) {
        const auto& s = *entry.second;
        return !s.closed_ && s.answered_ && !s.fin_written_;
    });
}

void DoqConnection::close_if_done() {
    if (draining_ && state_ == State::kOpen && !owes_answers())
        close_with_application_error(kDoqNoError);
}

}  // namespace cairn::net
