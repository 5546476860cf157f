// Connection limits shared by all workers' TCP listeners: connections in
// total, and per client address. A connection over either limit is closed
// as soon as it is accepted (RFC 7766 §6.2.2 lets a server do so to protect
// itself).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "wire/ip_address.h"

namespace cairn::net {

class TcpConnectionLimits {
public:
    // A place taken by one open connection; given back on destruction.
    class Slot {
    public:
        Slot(TcpConnectionLimits* limits, const wire::IpAddress& client)
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
        wire::IpAddress client_;
    };

    TcpConnectionLimits(uint32_t max_total, uint32_t max_per_client)
        : max_total_(max_total), max_per_client_(max_per_client) {}
    TcpConnectionLimits(const TcpConnectionLimits&) = delete;
    TcpConnectionLimits& operator=(const TcpConnectionLimits&) = delete;

    // A slot for a new connection from `client`, or nullopt when that would
    // exceed a limit.
    std::optional<Slot> acquire(const wire::IpAddress& client);

    uint32_t open_connections() const;

private:
    void release(const wire::IpAddress& client);

    const uint32_t max_total_;
    const uint32_t max_per_client_;
    mutable std::mutex mutex_;
    uint32_t total_ = 0;
    std::map<wire::IpAddress, uint32_t> per_client_;
};

}  // namespace cairn::net
