// What the resolver has learnt about each authoritative server address:
// smoothed RTT, timeouts and back-off, EDNS support, lameness per zone.
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

    size_t entries() const;
    size_t memory_used() const;  // accounted bytes

private:
    struct Shard;
    Shard& shard_for(const wire::IpAddress& server) const;

    std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cairn::cache
