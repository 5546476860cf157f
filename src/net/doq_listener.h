// A client-facing DNS-over-QUIC socket of one worker (RFC 9250): a UDP
// socket bound with SO_REUSEPORT like the plain UDP listener, so the kernel
// keeps each client's datagrams on one worker, and the QUIC connections
// (doq_connection.h) that live on it, found by connection ID.
//
// A datagram that belongs to no connection may start one. In order, each
// step cheaper than the next: `allow` must admit the client (else dropped),
// the packet must be a valid client Initial of at least 1200 octets
// (RFC 9000 §14.1), the client must prove its address with a Retry token
// (§8.1.2; unless address validation is off), and a connection slot must be
// free (else CONNECTION_REFUSED). Only then is any TLS state made.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <ngtcp2/ngtcp2.h>

#include <array>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/encrypted_metrics.h"
#include "net/query_handler.h"
#include "net/quic_tls.h"
#include "net/tcp_limits.h"
#include "wire/ip_address.h"
#include "wire/result.h"
#include "wire/siphash.h"

namespace cairn::net {

class DoqConnection;

struct DoqListenerOptions {
    // A connection with nothing sent or received for this long ends
    // (QUIC's max_idle_timeout, RFC 9000 §10.1).
    std::chrono::milliseconds idle_timeout{30'000};
    // A connection whose handshake is not done by then ends.
    std::chrono::milliseconds handshake_timeout{5'000};
    // Queries (bidirectional streams) one connection may have open at once.
    unsigned max_streams = 100;
    // Address validation with Retry before any connection state.
    bool retry = true;
};

// Connection IDs the server issues have this length.
inline constexpr size_t kDoqConnectionIdLength = 18;

class DoqListener final : public std::enable_shared_from_this<DoqListener> {
public:
    static Result<std::shared_ptr<DoqListener>, TextError> open(
        asio::io_context& io, const wire::SocketAddress& address, std::shared_ptr<QuicTls> tls,
        QueryHandler& handler, TcpConnectionLimits& limits, EncryptedMetrics& metrics,
        const DoqListenerOptions& options);

    DoqListener(asio::ip::udp::socket socket, std::shared_ptr<QuicTls> tls, QueryHandler& handler,
                TcpConnectionLimits& limits, EncryptedMetrics& metrics,
                const DoqListenerOptions& options);
    ~DoqListener();
    DoqListener(const DoqListener&) = delete;
    DoqListener& operator=(const DoqListener&) = delete;

    void start();
    // Starts no more connections; open ones finish the answers they owe and
    // close. The socket stays open for them until abort_connections().
    void close();
    // Closes every connection now, and the socket.
    void abort_connections();
    // New connections use `tls` (a reloaded certificate); open ones keep the
    // credentials they started with. On the listener's thread.
    void replace_tls(std::shared_ptr<QuicTls> tls) { tls_ = std::move(tls); }

    wire::SocketAddress local_address() const;
    Status<TextError> hand_to(uid_t uid, gid_t gid);
    // Connections not yet closing.
    size_t connection_count() const;

    // For the connections.
    QueryHandler& handler() { return handler_; }
    EncryptedMetrics& metrics() { return metrics_; }
    const DoqListenerOptions& options() const { return options_; }
    // The credentials and secrets for new connections.
    const std::shared_ptr<QuicTls>& tls() const { return tls_; }
    asio::any_io_executor executor() { return socket_.get_executor(); }
    // Where answers given on the spot are written, with room to pad them.
    std::span<uint8_t> response_buffer() { return response_buffer_; }
    // Where answers given later are copied to be padded.
    std::span<uint8_t> reply_buffer() { return reply_buffer_; }
    // Where packets are built before they are sent.
    std::span<uint8_t> packet_buffer() { return packet_buffer_; }
    void send(const ngtcp2_addr& to, std::span<const uint8_t> packet);
    void bind_id(const ngtcp2_cid& id, DoqConnection* connection);
    // Only while `id` is still `connection`'s.
    void unbind_id(const ngtcp2_cid& id, const DoqConnection* connection);
    // Forgets `connection` once the current handler has returned.
    void retire(DoqConnection* connection);

private:
    struct IdKey {
        std::array<uint8_t, NGTCP2_MAX_CIDLEN> bytes{};
        uint8_t length = 0;
        bool operator==(const IdKey&) const = default;
    };
    // Keyed, so clients cannot aim their connection IDs at one bucket.
    struct IdHash {
        wire::SipHashKey key;
        size_t operator()(const IdKey& id) const;
    };
    static IdKey key_of(const uint8_t* data, size_t length);

    asio::awaitable<void> receive_loop(std::shared_ptr<DoqListener> self);
    void on_datagram(std::span<const uint8_t> datagram, const sockaddr_storage& from,
                     socklen_t from_length);
    void accept(std::span<const uint8_t> datagram, const ngtcp2_path& path, const Peer& peer);
    void send_retry(const ngtcp2_pkt_hd& header, const ngtcp2_addr& to);
    void send_close(const ngtcp2_pkt_hd& header, const ngtcp2_addr& to, uint64_t error);
    void send_version_negotiation(const ngtcp2_version_cid& ids, const ngtcp2_addr& to);

    asio::ip::udp::socket socket_;
    std::shared_ptr<QuicTls> tls_;
    QueryHandler& handler_;
    TcpConnectionLimits& limits_;
    EncryptedMetrics& metrics_;
    const DoqListenerOptions options_;
    sockaddr_storage local_{};
    socklen_t local_length_ = 0;
    std::vector<uint8_t> receive_buffer_;
    std::vector<uint8_t> response_buffer_;
    std::vector<uint8_t> reply_buffer_;
    std::vector<uint8_t> packet_buffer_;
    std::unordered_map<DoqConnection*, std::shared_ptr<DoqConnection>> connections_;
    std::unordered_map<IdKey, DoqConnection*, IdHash> by_id_;
    bool closed_ = false;
};

// The current time as ngtcp2 counts it: monotonic nanoseconds.
ngtcp2_tstamp quic_now();

}  // namespace cairn::net
