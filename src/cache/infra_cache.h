// What the resolver has learnt about each authoritative server address:
// smoothed RTT, timeouts and back-off, EDNS support, lameness per zone, and
// what the upstream transport needs to tell its replies from forged ones.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::cache {

using MonotonicTime = std::chrono::steady_clock::time_point;

enum class EdnsSupport : uint8_t { kUnknown, kYes, kNo };

// A server's DNS cookie (RFC 7873 §5.3), with the client cookie it was
// given for: a server cookie is valid only with that client cookie.
struct ServerCookie {
    std::array<uint8_t, 8> client{};
    std::array<uint8_t, 32> server{};
    uint8_t server_length = 0;  // 8 to 32

    std::span<const uint8_t> server_bytes() const { return {server.data(), server_length}; }
    bool operator==(const ServerCookie& other) const {
        return client == other.client && std::ranges::equal(server_bytes(), other.server_bytes());
    }
};

// What the upstream transport knows of one server, to tell its replies
// from forged ones (DESIGN.md "Upstream hygiene").
struct ServerHygiene {
    // The server echoes the QNAME's letter case, so queries to it use 0x20;
    // false for a while once it was seen, over TCP, not to.
    bool preserves_case = true;
    // The cookie the server last gave us. Set: the server uses cookies, and
    // a reply from it without our client cookie is forged.
    std::optional<ServerCookie> cookie;
};

// What the cache knows of one server's round trips (the dashboard's list).
struct ServerEstimate {
    wire::IpAddress server;
    std::chrono::microseconds srtt{0};    // meaningful if `measured`
    std::chrono::microseconds rttvar{0};  // meaningful if `measured`
    bool measured = false;
    uint32_t timeouts_in_row = 0;
};

// Thread-safe (sharded). Bounded by `max_bytes` of accounted entry size
// (servers, with the zones they are lame for), least recently updated first
// out; entries not updated for `max_age` are forgotten.
class InfraCache {
public:
    explicit InfraCache(size_t max_bytes = size_t{4} << 20,
                        std::chrono::seconds max_age = std::chrono::minutes(15));
    ~InfraCache();
    InfraCache(const InfraCache&) = delete;
    InfraCache& operator=(const InfraCache&) = delete;

    // Smoothed RTT estimate (RFC 6298 style) used to rank servers; servers
    // never measured get `unknown`, so they are tried early but not before
    // known fast ones.
    std::chrono::microseconds srtt(const wire::IpAddress& server,
                                   std::chrono::microseconds unknown) const;
    // Timeout to use for the next query: srtt + 4*rttvar, within bounds,
    // doubled for each consecutive timeout.
    std::chrono::milliseconds timeout(const wire::IpAddress& server,
                                      std::chrono::milliseconds initial) const;

    void record_rtt(const wire::IpAddress& server, std::chrono::microseconds rtt,
                    MonotonicTime now);
    // Counts a timeout; after several in a row the server is backed off for
    // exponentially growing periods (capped), so a dead server is not asked
    // on every query.
    void record_timeout(const wire::IpAddress& server, MonotonicTime now);
    bool backed_off(const wire::IpAddress& server, MonotonicTime now) const;

    EdnsSupport edns(const wire::IpAddress& server) const;
    void set_edns(const wire::IpAddress& server, EdnsSupport support, MonotonicTime now);

    // A server that answered without authority for a zone it was delegated
    // (or REFUSED/SERVFAIL'd it) is lame for that zone for a while.
    void mark_lame(const wire::IpAddress& server, const wire::Name& zone, MonotonicTime now);
    bool lame(const wire::IpAddress& server, const wire::Name& zone, MonotonicTime now) const;

    ServerHygiene hygiene(const wire::IpAddress& server, MonotonicTime now) const;
    // The server answered a question in another letter case over TCP, where
    // an off-path attacker cannot answer for it: it is asked without 0x20
    // for a while (then tried again, in case it was a passing fault).
    void mark_case_blind(const wire::IpAddress& server, MonotonicTime now);
    // The server answered with a valid cookie (our client cookie echoed):
    // from now on its replies must carry one.
    void set_cookie(const wire::IpAddress& server, const ServerCookie& cookie, MonotonicTime now);
    // The server answered over TCP (where nobody else can) without our
    // client cookie: it no longer uses cookies.
    void forget_cookie(const wire::IpAddress& server, MonotonicTime now);

    // Forgets everything learnt about every server.
    void clear();

    size_t entries() const;
    size_t memory_used() const;  // accounted bytes

    // Every server not aged out, in no particular order; takes each shard's
    // lock in turn (an operator's request, not the data path).
    std::vector<ServerEstimate> servers() const;

private:
    struct Shard;
    Shard& shard_for(const wire::IpAddress& server) const;

    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cairn::cache
