#include "net/tcp_limits.h"

namespace cairn::net {

std::optional<TcpConnectionLimits::Slot> TcpConnectionLimits::acquire(
    const wire::IpAddress& address) {
    const auto client = ClientPrefix::of(address, prefix_);
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) return std::nullopt;
    auto& mine = per_client_[client];
    if (mine >= max_per_client_) {
        if (mine == 0) per_client_.erase(client);
        return std::nullopt;
    }
    ++mine;
    ++total_;
    return std::optional<Slot>(std::in_place, this, client);
}

uint32_t TcpConnectionLimits::open_connections() const {
    std::lock_guard lock(mutex_);
    return total_;
}

void TcpConnectionLimits::release(const ClientPrefix& client) {
    std::lock_guard lock(mutex_);
    --total_;
    auto it = per_client_.find(client);
    if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

}  // namespace cairn::net
