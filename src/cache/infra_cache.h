// What the resolver has learnt about each authoritative server address:
// smoothed RTT, timeouts and back-off, EDNS support, lameness per zone, and
// what the upstream transport needs to tell its replies from forged ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::cache {

using MonotonicTime = std::chrono::steady_clock::time_point;

enum class EdnsSupport : uint8_t { kUnknown, kYes, kNo };

// What replies from one server must carry (DESIGN.md "Upstream hygiene").
struct ServerHygiene {
    // The server echoes the QNAME's letter case, so queries to it use 0x20;
    // false for a while once it was seen, over TCP, not to.
    bool preserves_case = true;
};

// Thread-safe (sharded). Entries not updated for `max_age` are forgotten.
class InfraCache {
public:
    explicit InfraCache(size_t max_entries = 100'000,
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

    size_t entries() const;

private:
    struct Shard;
    Shard& shard_for(const wire::IpAddress& server) const;

    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cairn::cache
