#include "server/inflight_shares.h"

namespace cairn::server {

bool InflightShares::try_take(const net::ClientPrefix& client) {
    auto [it, added] = counts_.try_emplace(client, 0);
    if (it->second >= per_client_) {
        if (it->second == 0) counts_.erase(it);
        return false;
    }
    ++it->second;
    return true;
}

void InflightShares::give_back(const net::ClientPrefix& client) {
    auto it = counts_.find(client);
    if (it == counts_.end()) return;
    if (--it->second == 0) counts_.erase(it);
}

uint32_t InflightShares::running(const net::ClientPrefix& client) const {
    auto it = counts_.find(client);
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace cairn::server
