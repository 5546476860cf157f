#include "net/doq_listener.h"

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>

#include "net/doq_connection.h"
#include "net/endpoint.h"
#include "net/socket_owner.h"
#include "net/stream_answer.h"
#include "net/udp_socket.h"

namespace cairn::net {

namespace {

// A Retry token is good for this long (RFC 9000 §8.1.3: short-lived).
constexpr ngtcp2_duration kRetryTokenLifetime = 10 * NGTCP2_SECONDS;
// The largest QUIC packet sent (ngtcp2's ceiling for path MTU discovery).
constexpr size_t kMaxPacket = NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE;
// The largest datagram read; QUIC's are smaller, more is not QUIC.
constexpr size_t kMaxDatagram = 65536;
// Datagrams read before other work of the worker gets a turn.
constexpr int kReadBatch = 64;
constexpr int kSocketBufferBytes = 1 << 20;

}  // namespace

ngtcp2_tstamp quic_now() {
    return static_cast<ngtcp2_tstamp>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

size_t DoqListener::IdHash::operator()(const IdKey& id) const {
    const auto digest = siphash24(key, std::span<const uint8_t>(id.bytes.data(), id.length));
    size_t out = 0;
    std::memcpy(&out, digest.data(), sizeof(out));
    return out;
}

DoqListener::IdKey DoqListener::key_of(const uint8_t* data, size_t length) {
    IdKey key;
    key.length = static_cast<uint8_t>(std::min(length, key.bytes.size()));
    std::memcpy(key.bytes.data(), data, key.length);
    return key;
}

Result<std::shared_ptr<DoqListener>, TextError> DoqListener::open(
    asio::io_context& io, const wire::SocketAddress& address, std::shared_ptr<QuicTls> tls,
    QueryHandler& handler, TcpConnectionLimits& limits, EncryptedMetrics& metrics,
    const DoqListenerOptions& options) {
    // A packet the kernel will not take now is dropped: QUIC sends it again.
    auto socket = open_listening_udp(io, address, kSocketBufferBytes, "quic");
    if (!socket) return Unexpected{socket.error()};
    return std::make_shared<DoqListener>(std::move(*socket), std::move(tls), handler, limits,
                                         metrics, options);
}

DoqListener::DoqListener(asio::ip::udp::socket socket, std::shared_ptr<QuicTls> tls,
                         QueryHandler& handler, TcpConnectionLimits& limits,
                         EncryptedMetrics& metrics, const DoqListenerOptions& options)
    : socket_(std::move(socket)),
      tls_(std::move(tls)),
      handler_(handler),
      limits_(limits),
      metrics_(metrics),
      options_(options),
      receive_buffer_(kMaxDatagram),
      response_buffer_(kDoqMaxMessage + kAnswerPaddingBlock),
      reply_buffer_(kDoqMaxMessage + kAnswerPaddingBlock),
      packet_buffer_(kMaxPacket) {
    IdHash hash;
    gnutls_rnd(GNUTLS_RND_NONCE, hash.key.data(), hash.key.size());
    by_id_ = decltype(by_id_)(0, hash);
    local_length_ = sizeof(local_);
    ::getsockname(socket_.native_handle(), reinterpret_cast<sockaddr*>(&local_), &local_length_);
}

DoqListener::~DoqListener() {
    // The connections go first: they unbind their IDs here.
    auto connections = std::move(connections_);
    connections.clear();
}

void DoqListener::start() {
    asio::co_spawn(socket_.get_executor(), receive_loop(shared_from_this()), asio::detached);
}

void DoqListener::close() {
    closed_ = true;
    std::vector<DoqConnection*> all;
    for (auto& [connection, owned] : connections_)
        all.push_back(connection);
    for (auto* connection : all)
        connection->drain();
}

void DoqListener::abort_connections() {
    closed_ = true;
    std::vector<std::shared_ptr<DoqConnection>> all;
    for (auto& [connection, owned] : connections_)
        all.push_back(owned);
    for (auto& connection : all)
        connection->close();
    asio::error_code ec;
    socket_.close(ec);
}

wire::SocketAddress DoqListener::local_address() const {
    asio::error_code ec;
    return from_endpoint(socket_.local_endpoint(ec));
}

Status<TextError> DoqListener::hand_to(uid_t uid, gid_t gid) {
    return hand_socket_to(socket_.native_handle(), uid, gid,
                          "quic socket " + local_address().to_string());
}

size_t DoqListener::connection_count() const {
    size_t n = 0;
    for (const auto& [connection, owned] : connections_)
        n += connection->live() ? 1 : 0;
    return n;
}

void DoqListener::send(const ngtcp2_addr& to, std::span<const uint8_t> packet) {
    // Not sent now (a full socket buffer): QUIC's loss recovery sends again.
    ::sendto(socket_.native_handle(), packet.data(), packet.size(), MSG_DONTWAIT, to.addr,
             to.addrlen);
}

void DoqListener::bind_id(const ngtcp2_cid& id, DoqConnection* connection) {
    by_id_[key_of(id.data, id.datalen)] = connection;
}

void DoqListener::unbind_id(const ngtcp2_cid& id, const DoqConnection* connection) {
    const auto it = by_id_.find(key_of(id.data, id.datalen));
    if (it != by_id_.end() && it->second == connection) by_id_.erase(it);
}

void DoqListener::retire(DoqConnection* connection) {
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), connection] { self->connections_.erase(connection); });
}

asio::awaitable<void> DoqListener::receive_loop(std::shared_ptr<DoqListener> /*self*/) {
    while (socket_.is_open()) {
        asio::error_code ec;
        co_await socket_.async_wait(asio::socket_base::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !socket_.is_open()) co_return;
        for (int i = 0; i < kReadBatch && socket_.is_open(); ++i) {
            sockaddr_storage from{};
            socklen_t from_length = sizeof(from);
            const ssize_t n =
                ::recvfrom(socket_.native_handle(), receive_buffer_.data(), receive_buffer_.size(),
                           MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_length);
            if (n < 0) break;
            on_datagram(std::span<const uint8_t>(receive_buffer_.data(), static_cast<size_t>(n)),
                        from, from_length);
        }
    }
}

void DoqListener::on_datagram(std::span<const uint8_t> datagram, const sockaddr_storage& from,
                              socklen_t from_length) {
    ngtcp2_path path{};
    path.local = {reinterpret_cast<ngtcp2_sockaddr*>(&local_), local_length_};
    path.remote = {const_cast<ngtcp2_sockaddr*>(reinterpret_cast<const ngtcp2_sockaddr*>(&from)),
                   from_length};
    ngtcp2_version_cid ids{};
    if (datagram.empty()) {  // ngtcp2 asserts on an empty packet
        count(metrics_.doq_dropped);
        return;
    }
    const int rv = ngtcp2_pkt_decode_version_cid(&ids, datagram.data(), datagram.size(),
                                                 kDoqConnectionIdLength);
    if (rv != 0 && rv != NGTCP2_ERR_VERSION_NEGOTIATION) {
        count(metrics_.doq_dropped);
        return;
    }
    if (const auto it = by_id_.find(key_of(ids.dcid, ids.dcidlen)); it != by_id_.end()) {
        // Held here: the connection may retire itself while it reads.
        if (const auto owned = connections_.find(it->second); owned != connections_.end())
            std::shared_ptr<DoqConnection>(owned->second)->on_datagram(datagram, path);
        return;
    }
    Peer peer;
    peer.transport = Transport::kTcp;  // a stream transport: answers are never truncated
    peer.protocol = Protocol::kDoq;
    if (closed_ || !peer_from_sockaddr(from, peer)) return;
    // `allow` before anything costs: no reply at all to a client not admitted.
    if (!handler_.admits(peer)) {
        count(metrics_.doq_refused_acl);
        return;
    }
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        // Only for a datagram as large as an Initial: the answer is smaller.
        if (datagram.size() >= NGTCP2_MAX_UDP_PAYLOAD_SIZE)
            send_version_negotiation(ids, path.remote);
        else
            count(metrics_.doq_dropped);
        return;
    }
    accept(datagram, path, peer);
}

void DoqListener::accept(std::span<const uint8_t> datagram, const ngtcp2_path& path,
                         const Peer& peer) {
    ngtcp2_pkt_hd header{};
    // Only a client Initial of full size (RFC 9000 §14.1) starts a connection.
    if (ngtcp2_accept(&header, datagram.data(), datagram.size()) != 0 ||
        header.type != NGTCP2_PKT_INITIAL) {
        count(metrics_.doq_dropped);
        return;
    }
    ngtcp2_cid original{};
    const ngtcp2_cid* original_id = nullptr;
    const auto secret = tls_->token_secret();
    if (header.token.len > 0 && header.token.base[0] == NGTCP2_CRYPTO_TOKEN_MAGIC_RETRY) {
        if (ngtcp2_crypto_verify_retry_token(&original, header.token.base, header.token.len,
                                             secret.data(), secret.size(), header.version,
                                             path.remote.addr, path.remote.addrlen, &header.dcid,
                                             kRetryTokenLifetime, quic_now()) != 0) {
            count(metrics_.doq_invalid_tokens);
            send_close(header, path.remote, NGTCP2_INVALID_TOKEN);
            return;
        }
        original_id = &original;
    } else if (options_.retry) {
        send_retry(header, path.remote);
        return;
    }
    auto slot = limits_.acquire(peer.address.address);
    if (!slot) {
        count(metrics_.refused_limit);
        send_close(header, path.remote, NGTCP2_CONNECTION_REFUSED);
        return;
    }
    auto connection = std::make_shared<DoqConnection>(*this, peer, std::move(*slot));
    connections_.emplace(connection.get(), connection);
    if (!connection->open(header, original_id, path)) {
        connection->close();
        return;
    }
    count(metrics_.doq_accepted);
    connection->on_datagram(datagram, path);
}

void DoqListener::send_retry(const ngtcp2_pkt_hd& header, const ngtcp2_addr& to) {
    ngtcp2_cid id{};
    id.datalen = kDoqConnectionIdLength;
    gnutls_rnd(GNUTLS_RND_NONCE, id.data, id.datalen);
    std::array<uint8_t, NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN> token{};
    const auto secret = tls_->token_secret();
    const auto token_length = ngtcp2_crypto_generate_retry_token(
        token.data(), secret.data(), secret.size(), header.version, to.addr, to.addrlen, &id,
        &header.dcid, quic_now());
    if (token_length < 0) return;
    const auto written = ngtcp2_crypto_write_retry(packet_buffer_.data(), packet_buffer_.size(),
                                                   header.version, &header.scid, &id, &header.dcid,
                                                   token.data(), static_cast<size_t>(token_length));
    if (written <= 0) return;
    count(metrics_.doq_retries);
    send(to, std::span<const uint8_t>(packet_buffer_.data(), static_cast<size_t>(written)));
}

void DoqListener::send_close(const ngtcp2_pkt_hd& header, const ngtcp2_addr& to, uint64_t error) {
    const auto written = ngtcp2_crypto_write_connection_close(
        packet_buffer_.data(), packet_buffer_.size(), header.version, &header.scid, &header.dcid,
        error, nullptr, 0);
    if (written > 0)
        send(to, std::span<const uint8_t>(packet_buffer_.data(), static_cast<size_t>(written)));
}

void DoqListener::send_version_negotiation(const ngtcp2_version_cid& ids, const ngtcp2_addr& to) {
    const uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
    uint8_t unused = 0;
    gnutls_rnd(GNUTLS_RND_NONCE, &unused, 1);
    const auto written = ngtcp2_pkt_write_version_negotiation(
        packet_buffer_.data(), packet_buffer_.size(), unused, ids.scid, ids.scidlen, ids.dcid,
        ids.dcidlen, versions, 1);
    if (written <= 0) return;
    count(metrics_.doq_version_negotiation);
    send(to, std::span<const uint8_t>(packet_buffer_.data(), static_cast<size_t>(written)));
}

}  // namespace cairn::net
