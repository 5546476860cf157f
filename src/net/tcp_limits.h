// Connection limits shared by all workers' TCP listeners: connections in
// total, and per client prefix (client_prefix.h), so that a client cannot
// open more by using more addresses of its network. A connection over
// either limit is closed as soon as it is accepted (RFC 7766 §6.2.2 lets a
// server do so to protect itself). Taken once per connection, at accept: the
// lock is never on the path of a query.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "net/client_prefix.h"
#include "wire/ip_address.h"

namespace cairn::net {

class TcpConnectionLimits {
public:
    // A place taken by one open connection; given back on destruction.
    class Slot {
    public:
        Slot(TcpConnectionLimits* limits, const ClientPrefix& client)
            : limits_(limits), client_(client) {}
        Slot(Slot&& other) noexcept : limits_(other.limits_), client_(other.client_) {
            other.limits_ = nullptr;
        }
        Slot& operator=(Slot&&) = delete;
        Slot(const Slot&) = delete;
        ~Slot() {
            if (limits_) limits_->release(client_);
        }

    private:
        TcpConnectionLimits* limits_;
        ClientPrefix client_;
    };

    TcpConnectionLimits(uint32_t max_total, uint32_t max_per_client,
                        ClientPrefixLengths prefix = {})
        : max_total_(max_total), max_per_client_(max_per_client), prefix_(prefix) {}
    TcpConnectionLimits(const TcpConnectionLimits&) = delete;
    TcpConnectionLimits& operator=(const TcpConnectionLimits&) = delete;

    // A slot for a new connection from `client`, or nullopt when that would
    // exceed a limit.
    std::optional<Slot> acquire(const wire::IpAddress& client);

    uint32_t open_connections() const;

private:
    void release(const ClientPrefix& client);

    const uint32_t max_total_;
    const uint32_t max_per_client_;
    const ClientPrefixLengths prefix_;
    mutable std::mutex mutex_;
    uint32_t total_ = 0;
    std::map<ClientPrefix, uint32_t> per_client_;
};

}  // namespace cairn::net
