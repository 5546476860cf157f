#include "resolve/delegation.h"

#include <algorithm>

namespace cairn::resolve {

bool Delegation::add_address(const wire::Name& ns, const wire::IpAddress& address) {
    for (auto& server : servers) {
        if (server.name != ns) continue;
        if (std::find(server.addresses.begin(), server.addresses.end(), address) !=
            server.addresses.end())
            return false;
        server.addresses.push_back(address);
        return true;
    }
    return false;
}

void Delegation::add_server(const wire::Name& ns) {
    if (std::none_of(servers.begin(), servers.end(),
                     [&](const NameServer& s) { return s.name == ns; }))
        servers.push_back({ns, {}, false});
}

bool Delegation::has_addresses() const {
    return std::any_of(servers.begin(), servers.end(),
                       [](const NameServer& s) { return !s.addresses.empty(); });
}

uint16_t Delegation::port_of(const wire::IpAddress& address) const {
    for (const auto& server : configured)
        if (server.address == address) return server.port;
    return 53;
}

}  // namespace cairn::resolve
