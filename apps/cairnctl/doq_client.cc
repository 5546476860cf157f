#include "cairnctl/doq_client.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

namespace cairn::ctl {

namespace {

using Clock = std::chrono::steady_clock;

// TLS 1.3 with QUIC's AEADs, no middlebox compatibility mode (RFC 9001).
constexpr const char* kPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"
    "+CHACHA20-POLY1305:+AES-128-CCM:%DISABLE_TLS13_COMPAT_MODE";
constexpr size_t kMaxPacket = NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE;
constexpr size_t kMaxStreamData = 65535 + 2;
constexpr size_t kConnectionIdLength = 16;
constexpr uint64_t kDoqRequestCancelled = 0x3;

ngtcp2_tstamp quic_now() {
    return static_cast<ngtcp2_tstamp>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
}

void random_bytes(uint8_t* out, size_t length) {
    gnutls_rnd(GNUTLS_RND_NONCE, out, length);
}

struct Stream {
    int64_t id = -1;
    std::vector<uint8_t> out;  // the framed query
    size_t written = 0;
    bool fin_written = false;
    std::vector<uint8_t> in;  // what the server sent
    bool done = false;
    std::optional<uint64_t> reset;
};

class Client {
public:
    Client(const DoqClientOptions& options, std::span<const std::vector<uint8_t>> queries);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Result<DoqExchange, TextError> run();

private:
    Status<TextError> open_socket();
    Status<TextError> open_tls();
    void set_verify_target();
    Status<TextError> open_quic();
    void open_streams();
    bool write();
    void cancel_sent();
    bool read();
    bool all_done() const;
    std::string tls_failure() const;
    void say_goodbye();
    DoqExchange results() const;
    Stream* stream(int64_t id);

    static int recv_stream_data(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t,
                                const uint8_t* data, size_t length, void* self, void*);
    static int stream_reset(ngtcp2_conn*, int64_t id, uint64_t, uint64_t code, void* self, void*);
    static int stream_close(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* self,
                            void*);
    static void rand(uint8_t* out, size_t length, const ngtcp2_rand_ctx*) {
        random_bytes(out, length);
    }
    static int new_connection_id(ngtcp2_conn*, ngtcp2_cid* id, uint8_t* token, size_t length,
                                 void*) {
        id->datalen = length;
        random_bytes(id->data, length);
        random_bytes(token, NGTCP2_STATELESS_RESET_TOKENLEN);
        return 0;
    }
    static ngtcp2_conn* get_conn(ngtcp2_crypto_conn_ref* ref) {
        return static_cast<Client*>(ref->user_data)->conn_;
    }

    const DoqClientOptions& options_;
    std::vector<Stream> streams_;
    size_t next_query_ = 0;
    int fd_ = -1;
    sockaddr_storage local_{};
    socklen_t local_length_ = sizeof(local_);
    ngtcp2_path path_{};
    gnutls_certificate_credentials_t credentials_ = nullptr;
    gnutls_session_t session_ = nullptr;
    std::vector<uint8_t> server_ip_;
    gnutls_typed_vdata_st verify_data_{};
    ngtcp2_conn* conn_ = nullptr;
    ngtcp2_crypto_conn_ref conn_ref_{};
    std::array<uint8_t, kMaxPacket> packet_{};
    std::array<uint8_t, 65536> datagram_{};
    std::vector<int64_t> to_cancel_;
    std::optional<DoqClose> closed_;
    bool idle_timeout_ = false;
    bool gate_open_ = false;
    std::string failure_;
};

Client::Client(const DoqClientOptions& options, std::span<const std::vector<uint8_t>> queries)
    : options_(options), streams_(queries.size()), gate_open_(options.last_query_gate < 0) {
    for (size_t i = 0; i < queries.size(); ++i) {
        auto& out = streams_[i].out;
        if (!options.unframed) {
            out.push_back(static_cast<uint8_t>(queries[i].size() >> 8));
            out.push_back(static_cast<uint8_t>(queries[i].size()));
        }
        out.insert(out.end(), queries[i].begin(), queries[i].end());
    }
}

Client::~Client() {
    if (conn_ != nullptr) ngtcp2_conn_del(conn_);
    if (session_ != nullptr) gnutls_deinit(session_);
    if (credentials_ != nullptr) gnutls_certificate_free_credentials(credentials_);
    if (fd_ >= 0) ::close(fd_);
}

Status<TextError> Client::open_socket() {
    const auto& server = options_.server;
    fd_ = ::socket(server.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, server.sockaddr_ptr(), server.length) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &local_length_) != 0)
        return text_error("cannot reach " + server.to_text() + ": " + std::strerror(errno));
    path_.local = {reinterpret_cast<ngtcp2_sockaddr*>(&local_), local_length_};
    path_.remote = {const_cast<ngtcp2_sockaddr*>(server.sockaddr_ptr()), server.length};
    return {};
}

Status<TextError> Client::open_tls() {
    if (gnutls_certificate_allocate_credentials(&credentials_) != 0 ||
        gnutls_init(&session_, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA) != 0)
        return text_error("cannot set up TLS");
    if (!options_.insecure) {
        const int loaded = options_.ca_file.empty()
                               ? gnutls_certificate_set_x509_system_trust(credentials_)
                               : gnutls_certificate_set_x509_trust_file(
                                     credentials_, options_.ca_file.c_str(), GNUTLS_X509_FMT_PEM);
        if (loaded <= 0)
            return text_error(options_.ca_file.empty()
                                  ? std::string("no system CA certificates to trust")
                                  : "no CA certificate in " + options_.ca_file);
        set_verify_target();
    }
    // RFC 6066 §3: SNI carries host names only, never addresses.
    if (!options_.name.empty() &&
        gnutls_server_name_set(session_, GNUTLS_NAME_DNS, options_.name.data(),
                               options_.name.size()) != 0)
        return text_error("--tls-name " + options_.name + ": not usable as a server name");
    const gnutls_datum_t alpn{
        reinterpret_cast<unsigned char*>(const_cast<char*>(options_.alpn.data())),
        static_cast<unsigned>(options_.alpn.size())};
    conn_ref_ = {get_conn, this};
    if (gnutls_priority_set_direct(session_, kPriority, nullptr) != 0 ||
        ngtcp2_crypto_gnutls_configure_client_session(session_) != 0 ||
        gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, credentials_) != 0 ||
        gnutls_alpn_set_protocols(session_, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0)
        return text_error("cannot set up TLS");
    gnutls_session_set_ptr(session_, &conn_ref_);
    return {};
}

// The certificate must be for --tls-name, else for the address asked (an IP
// address SAN).
void Client::set_verify_target() {
    if (!options_.name.empty()) {
        verify_data_ = {GNUTLS_DT_DNS_HOSTNAME,
                        reinterpret_cast<unsigned char*>(const_cast<char*>(options_.name.c_str())),
                        0};
    } else {
        const auto& storage = options_.server.storage;
        const auto* address = storage.ss_family == AF_INET
                                  ? reinterpret_cast<const uint8_t*>(
                                        &reinterpret_cast<const sockaddr_in&>(storage).sin_addr)
                                  : reinterpret_cast<const uint8_t*>(
                                        &reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr);
        server_ip_.assign(address, address + (storage.ss_family == AF_INET ? 4 : 16));
        verify_data_ = {GNUTLS_DT_IP_ADDRESS, server_ip_.data(),
                        static_cast<unsigned>(server_ip_.size())};
    }
    gnutls_session_set_verify_cert2(session_, &verify_data_, 1, 0);
}

Status<TextError> Client::open_quic() {
    ngtcp2_callbacks callbacks{};
    callbacks.client_initial = ngtcp2_crypto_client_initial_cb;
    callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    callbacks.encrypt = ngtcp2_crypto_encrypt_cb;
    callbacks.decrypt = ngtcp2_crypto_decrypt_cb;
    callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb;
    callbacks.recv_stream_data = recv_stream_data;
    callbacks.stream_close = stream_close;
    callbacks.stream_reset = stream_reset;
    callbacks.recv_retry = ngtcp2_crypto_recv_retry_cb;
    callbacks.rand = rand;
    callbacks.get_new_connection_id = new_connection_id;
    callbacks.update_key = ngtcp2_crypto_update_key_cb;
    callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    callbacks.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb;

    ngtcp2_cid dcid{};
    ngtcp2_cid scid{};
    dcid.datalen = 18;
    scid.datalen = kConnectionIdLength;
    random_bytes(dcid.data, dcid.datalen);
    random_bytes(scid.data, scid.datalen);
    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = quic_now();
    settings.handshake_timeout =
        static_cast<ngtcp2_duration>(options_.timeout.count()) * NGTCP2_MILLISECONDS;
    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_streams_bidi = 0;  // DoQ servers open no streams
    params.initial_max_streams_uni = 0;
    params.initial_max_stream_data_bidi_local = kMaxStreamData;
    params.initial_max_data = 16 * kMaxStreamData;
    params.max_idle_timeout = settings.handshake_timeout;
    if (ngtcp2_conn_client_new(&conn_, &dcid, &scid, &path_, NGTCP2_PROTO_VER_V1, &callbacks,
                               &settings, &params, nullptr, this) != 0)
        return text_error("cannot set up QUIC");
    ngtcp2_conn_set_tls_native_handle(conn_, session_);
    if (options_.keepalive.count() > 0)
        ngtcp2_conn_set_keep_alive_timeout(
            conn_, static_cast<ngtcp2_duration>(options_.keepalive.count()) * NGTCP2_MILLISECONDS);
    return {};
}

Stream* Client::stream(int64_t id) {
    for (auto& s : streams_)
        if (s.id == id) return &s;
    return nullptr;
}

int Client::recv_stream_data(ngtcp2_conn* conn, uint32_t flags, int64_t id, uint64_t,
                             const uint8_t* data, size_t length, void* self, void*) {
    Stream* s = static_cast<Client*>(self)->stream(id);
    if (s == nullptr) return 0;
    s->in.insert(s->in.end(), data, data + length);
    if ((flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0) s->done = true;
    ngtcp2_conn_extend_max_stream_offset(conn, id, length);
    ngtcp2_conn_extend_max_offset(conn, length);
    return 0;
}

int Client::stream_reset(ngtcp2_conn*, int64_t id, uint64_t, uint64_t code, void* self, void*) {
    if (Stream* s = static_cast<Client*>(self)->stream(id)) {
        s->reset = code;
        s->done = true;
    }
    return 0;
}

int Client::stream_close(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* self,
                         void*) {
    if (Stream* s = static_cast<Client*>(self)->stream(id)) {
        if ((flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) != 0 && !s->reset)
            s->reset = code;
        s->done = true;
    }
    return 0;
}

void Client::open_streams() {
    const size_t ready = gate_open_ || streams_.empty() ? streams_.size() : streams_.size() - 1;
    while (next_query_ < ready) {
        int64_t id = -1;
        if (ngtcp2_conn_open_bidi_stream(conn_, &id, nullptr) != 0) return;  // at the limit
        streams_[next_query_++].id = id;
    }
}

bool Client::write() {
    ngtcp2_path_storage path;
    ngtcp2_path_storage_zero(&path);
    const ngtcp2_tstamp now = quic_now();
    for (;;) {
        Stream* s = nullptr;
        for (auto& candidate : streams_)
            if (candidate.id >= 0 && !candidate.fin_written && !candidate.done) {
                s = &candidate;
                break;
            }
        ngtcp2_vec data{};
        if (s != nullptr) data = {s->out.data() + s->written, s->out.size() - s->written};
        ngtcp2_ssize taken = -1;
        ngtcp2_pkt_info info{};
        const auto written = ngtcp2_conn_writev_stream(
            conn_, &path.path, &info, packet_.data(), packet_.size(), &taken,
            NGTCP2_WRITE_STREAM_FLAG_MORE | NGTCP2_WRITE_STREAM_FLAG_FIN, s ? s->id : -1, &data,
            s ? 1 : 0, now);
        if (s != nullptr && taken >= 0) {
            s->written += static_cast<size_t>(taken);
            s->fin_written = s->written == s->out.size();
            if (s->fin_written && options_.cancel) to_cancel_.push_back(s->id);
        }
        if (written == NGTCP2_ERR_WRITE_MORE) continue;
        if (written == NGTCP2_ERR_STREAM_DATA_BLOCKED || written == NGTCP2_ERR_STREAM_SHUT_WR) {
            s->done = true;  // the server will not take it; reported as unanswered
            continue;
        }
        if (written < 0) {
            failure_ = std::string("QUIC: ") + ngtcp2_strerror(static_cast<int>(written));
            return false;
        }
        if (written == 0) break;
        ::send(fd_, packet_.data(), static_cast<size_t>(written), 0);
    }
    ngtcp2_conn_update_pkt_tx_time(conn_, now);
    cancel_sent();
    return true;
}

// Resets the streams whose queries went out, once the packets that carry
// them are complete (ngtcp2 takes no other call while one is being built).
void Client::cancel_sent() {
    for (int64_t id : to_cancel_) {
        ngtcp2_conn_shutdown_stream(conn_, id, kDoqRequestCancelled);
        if (Stream* s = stream(id)) s->done = true;
    }
    to_cancel_.clear();
}

bool Client::read() {
    for (;;) {
        const ssize_t n = ::recv(fd_, datagram_.data(), datagram_.size(), MSG_DONTWAIT);
        if (n < 0) return true;
        ngtcp2_pkt_info info{};
        const int rv = ngtcp2_conn_read_pkt(conn_, &path_, &info, datagram_.data(),
                                            static_cast<size_t>(n), quic_now());
        if (rv == 0) continue;
        if (rv == NGTCP2_ERR_DRAINING || rv == NGTCP2_ERR_CLOSING) {
            ngtcp2_connection_close_error error;
            ngtcp2_conn_get_connection_close_error(conn_, &error);
            closed_ = DoqClose{error.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION,
                               error.error_code};
            return false;
        }
        failure_ =
            rv == NGTCP2_ERR_CRYPTO ? tls_failure() : std::string("QUIC: ") + ngtcp2_strerror(rv);
        return false;
    }
}

std::string Client::tls_failure() const {
    const unsigned status = gnutls_session_get_verify_cert_status(session_);
    if (status != 0) {
        gnutls_datum_t text{};
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0);
        std::string out = "the server's certificate is not trusted: " +
                          std::string(reinterpret_cast<const char*>(text.data), text.size);
        gnutls_free(text.data);
        return out;
    }
    const auto alert = ngtcp2_conn_get_tls_alert(conn_);
    const char* name = gnutls_alert_get_name(static_cast<gnutls_alert_description_t>(alert));
    return std::string("TLS handshake failed") + (name ? std::string(": ") + name : "");
}

bool Client::all_done() const {
    return next_query_ == streams_.size() &&
           std::all_of(streams_.begin(), streams_.end(), [](const Stream& s) { return s.done; });
}

void Client::say_goodbye() {
    // After an idle timeout both ends drop the connection silently.
    if (closed_ || idle_timeout_ || ngtcp2_conn_is_in_closing_period(conn_) ||
        ngtcp2_conn_is_in_draining_period(conn_))
        return;
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    ngtcp2_connection_close_error_set_application_error(&error, 0, nullptr, 0);
    ngtcp2_path_storage path;
    ngtcp2_path_storage_zero(&path);
    ngtcp2_pkt_info info{};
    const auto written = ngtcp2_conn_write_connection_close(
        conn_, &path.path, &info, packet_.data(), packet_.size(), &error, quic_now());
    if (written > 0) ::send(fd_, packet_.data(), static_cast<size_t>(written), 0);
}

DoqExchange Client::results() const {
    DoqExchange out;
    out.after_retry = ngtcp2_conn_after_retry(conn_) != 0;
    out.closed = closed_;
    out.idle_timeout = idle_timeout_;
    for (const auto& s : streams_) {
        DoqStreamResult result;
        result.reset = s.reset;
        if (s.in.size() >= 2) {
            const size_t length = size_t{s.in[0]} << 8 | s.in[1];
            const size_t have = std::min(length, s.in.size() - 2);
            result.answer.assign(s.in.begin() + 2, s.in.begin() + 2 + static_cast<long>(have));
            result.complete = s.done && !s.reset && have == length && s.in.size() == length + 2;
        }
        out.streams.push_back(std::move(result));
    }
    return out;
}

Result<DoqExchange, TextError> Client::run() {
    if (auto st = open_socket(); !st) return Unexpected{st.error()};
    if (auto st = open_tls(); !st) return Unexpected{st.error()};
    if (auto st = open_quic(); !st) return Unexpected{st.error()};
    const auto deadline = Clock::now() + options_.timeout;
    for (;;) {
        if (ngtcp2_conn_get_handshake_completed(conn_)) open_streams();
        if (!write() || (all_done() && !options_.hold)) break;
        const auto expiry =
            Clock::time_point(std::chrono::nanoseconds(ngtcp2_conn_get_expiry(conn_)));
        const auto wake = std::min(deadline, expiry);
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
        std::array<pollfd, 2> p{{{fd_, POLLIN, 0}, {options_.last_query_gate, POLLIN, 0}}};
        ::poll(p.data(), gate_open_ ? 1 : 2, static_cast<int>(std::max<int64_t>(0, wait.count())));
        if ((p[1].revents & (POLLIN | POLLHUP)) != 0) gate_open_ = true;
        if ((p[0].revents & POLLIN) != 0 && !read()) break;
        if (Clock::now() >= expiry) {
            if (const int rv = ngtcp2_conn_handle_expiry(conn_, quic_now()); rv != 0) {
                // Out of time (handshake or idle): said below.
                idle_timeout_ = rv == NGTCP2_ERR_IDLE_CLOSE;
                if (rv != NGTCP2_ERR_IDLE_CLOSE && rv != NGTCP2_ERR_HANDSHAKE_TIMEOUT)
                    failure_ = std::string("QUIC: ") + ngtcp2_strerror(rv);
                break;
            }
        }
        if (Clock::now() >= deadline) break;
    }
    const bool handshake_done = ngtcp2_conn_get_handshake_completed(conn_) != 0;
    say_goodbye();
    if (!handshake_done) {
        if (closed_) return text_error("the server closed the connection: " + describe(*closed_));
        if (!failure_.empty()) return text_error(failure_);
        return text_error("no QUIC handshake with " + options_.server.to_text() + " in time");
    }
    return results();
}

}  // namespace

Result<DoqExchange, TextError> doq_exchange(const DoqClientOptions& options,
                                            std::span<const std::vector<uint8_t>> queries) {
    Client client(options, queries);
    return client.run();
}

std::string describe(const DoqClose& close) {
    if (close.application) {
        static constexpr const char* kNames[] = {"DOQ_NO_ERROR",       "DOQ_INTERNAL_ERROR",
                                                 "DOQ_PROTOCOL_ERROR", "DOQ_REQUEST_CANCELLED",
                                                 "DOQ_EXCESSIVE_LOAD", "DOQ_UNSPECIFIED_ERROR"};
        if (close.code < std::size(kNames)) return kNames[close.code];
        return "application error " + std::to_string(close.code);
    }
    if (close.code == NGTCP2_NO_ERROR) return "NO_ERROR";
    if (close.code == NGTCP2_CONNECTION_REFUSED) return "CONNECTION_REFUSED";
    if (close.code == NGTCP2_INVALID_TOKEN) return "INVALID_TOKEN";
    if (close.code >= NGTCP2_CRYPTO_ERROR && close.code <= NGTCP2_CRYPTO_ERROR + 0xff)
        return "CRYPTO_ERROR (TLS alert " + std::to_string(close.code - NGTCP2_CRYPTO_ERROR) + ")";
    return "transport error " + std::to_string(close.code);
}

}  // namespace cairn::ctl
