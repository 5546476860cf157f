// The seam between the client-facing transports (net) and the request
// pipeline (server): net hands over whole DNS messages with their framing
// removed and sends back whatever the handler produces, now or later.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "wire/ip_address.h"

namespace cairn::net {

enum class Transport : uint8_t { kUdp, kTcp };

// What a query came over, as the query log and dnstap name it (Transport
// is only how it is framed: DoT, DoH and DoQ are streams like TCP).
enum class ClientProtocol : uint8_t { kUdp, kTcp, kTls, kHttps, kHttp, kQuic };

// "udp", "tcp", "tls", "https", "http", "quic" (as in listen-tls, ...).
constexpr std::string_view client_protocol_name(ClientProtocol protocol) {
    switch (protocol) {
        case ClientProtocol::kUdp: return "udp";
        case ClientProtocol::kTcp: return "tcp";
        case ClientProtocol::kTls: return "tls";
        case ClientProtocol::kHttps: return "https";
        case ClientProtocol::kHttp: return "http";
        case ClientProtocol::kQuic: return "quic";
    }
    return "udp";
}

// The protocol a client used, for the figures (answers and latency per
// protocol). DoT, DoH (over TLS or cleartext HTTP/2) and DoQ are stream
// transports: their Transport is kTcp.
enum class Protocol : uint8_t { kUdp, kTcp, kDot, kDoh, kDoq };
inline constexpr size_t kProtocols = 5;

// "udp", "tcp", "dot", "doh", "doq".
constexpr const char* protocol_label(Protocol protocol) {
    switch (protocol) {
        case Protocol::kUdp: return "udp";
        case Protocol::kTcp: return "tcp";
        case Protocol::kDot: return "dot";
        case Protocol::kDoh: return "doh";
        case Protocol::kDoq: return "doq";
    }
    return "udp";
}

// The figures' protocol of what a query came over: cleartext HTTP/2 (a
// proxy's DoH) counts as DoH.
constexpr Protocol figures_protocol(ClientProtocol protocol) {
    switch (protocol) {
        case ClientProtocol::kUdp: return Protocol::kUdp;
        case ClientProtocol::kTcp: return Protocol::kTcp;
        case ClientProtocol::kTls: return Protocol::kDot;
        case ClientProtocol::kHttps:
        case ClientProtocol::kHttp: return Protocol::kDoh;
        case ClientProtocol::kQuic: return Protocol::kDoq;
    }
    return Protocol::kUdp;
}

// Who sent a query, and how.
struct Peer {
    wire::SocketAddress address;
    uint32_t scope_id = 0;  // IPv6 link-local scope, to answer on the same link
    Transport transport = Transport::kUdp;
    ClientProtocol protocol = ClientProtocol::kUdp;
    // When the query was read, on the monotonic clock, if the transport
    // times the answers it sends at once itself (UDP, per batch: see
    // QueryHandler::answered_in_batch); the handler times the rest.
    std::chrono::steady_clock::time_point received{};
    // Set by the encrypted transports (DoT, DoH; transport kTcp) for the
    // answer to this query: pad it to a block (RFC 8467 §4.1), or tell the
    // idle timeout (RFC 7828), as the query asked.
    bool pad_answer = false;
    bool keepalive_answer = false;
};

// Something that can carry an answer back after the handler has returned: a
// UDP socket, or one TCP connection.
class ReplyChannel : public std::enable_shared_from_this<ReplyChannel> {
public:
    virtual ~ReplyChannel() = default;
    // Sends `message` (a whole DNS message) to `peer`. Dropped silently when
    // the channel has been closed meanwhile.
    virtual void send_reply(const Peer& peer, std::span<const uint8_t> message) = 0;

protected:
    friend class ReplyHandle;
    // An answer was promised / the promise ended (sent or abandoned). TCP
    // uses these to keep a connection open while answers are outstanding.
    virtual void reply_promised() {}
    virtual void reply_settled() {}
};

// A promise to answer one query later. Move-only; the channel stays alive
// as long as the handle does, and learns when the handle goes away.
class ReplyHandle {
public:
    ReplyHandle() = default;
    ReplyHandle(std::shared_ptr<ReplyChannel> channel, const Peer& peer)
        : channel_(std::move(channel)), peer_(peer) {
        if (channel_) channel_->reply_promised();
    }
    ReplyHandle(ReplyHandle&& other) noexcept
        : channel_(std::move(other.channel_)), peer_(other.peer_) {}
    ReplyHandle& operator=(ReplyHandle&& other) noexcept {
        if (this != &other) {
            settle();
            channel_ = std::move(other.channel_);
            peer_ = other.peer_;
        }
        return *this;
    }
    ReplyHandle(const ReplyHandle&) = delete;
    ReplyHandle& operator=(const ReplyHandle&) = delete;
    ~ReplyHandle() { settle(); }

    void send(std::span<const uint8_t> message) const {
        if (channel_) channel_->send_reply(peer_, message);
    }
    const Peer& peer() const { return peer_; }

private:
    void settle() {
        if (channel_) {
            channel_->reply_settled();
            channel_.reset();
        }
    }

    std::shared_ptr<ReplyChannel> channel_;
    Peer peer_;
};

// Where the query being handled came from; valid only during the call.
// keep() turns it into a ReplyHandle for an answer produced later.
class ReplyOrigin {
public:
    ReplyOrigin(ReplyChannel& channel, const Peer& peer) : channel_(channel), peer_(peer) {}
    ReplyHandle keep() const { return ReplyHandle(channel_.shared_from_this(), peer_); }

private:
    ReplyChannel& channel_;
    const Peer& peer_;
};

class QueryHandler {
public:
    virtual ~QueryHandler() = default;
    // One query from `peer`. Either writes the answer into `response` (never
    // more than its size) and returns its length, or returns 0: the query was
    // dropped, or will be answered through `origin.keep()`. Never blocks; on
    // UDP, answers returned here leave in one sendmmsg with the rest of the
    // batch.
    virtual size_t handle_query(std::span<const uint8_t> query, const Peer& peer,
                                std::span<uint8_t> response, const ReplyOrigin& origin) = 0;

    // Whether a connection from `peer` is worth keeping: a connection-based
    // transport closes one that is not at once, before reading anything.
    virtual bool admits(const Peer& /*peer*/) const { return true; }

    // `answers` answers returned by handle_query for queries read together
    // at `received` left together at `sent` (one sendmmsg): a transport
    // that sets Peer::received reports them here, so that timing them costs
    // two clock reads per batch rather than one per query.
    virtual void answered_in_batch(Protocol /*protocol*/, size_t /*answers*/,
                                   std::chrono::steady_clock::time_point /*received*/,
                                   std::chrono::steady_clock::time_point /*sent*/) {}
};

}  // namespace cairn::net
