// A zone cut the iterator is working under: the zone's name, its servers'
// names, and the addresses known for them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::resolve {

struct NameServer {
    wire::Name name;
    std::vector<wire::IpAddress> addresses;
    // Its address lookup was tried (or is not worth trying) for this delegation.
    bool resolution_attempted = false;
};

struct Delegation {
    wire::Name zone;
    std::vector<NameServer> servers;
    // How much longer the parent vouches for this cut (its NS TTL). The
    // zone's own NS set may choose servers but never outlives this
    // (ghost domains, CVE-2012-1191).
    uint32_t parent_ttl = UINT32_MAX;
    // The parent was asked again for its glue during this lookup.
    bool parent_asked = false;
    // Made from the root hints, not from data learnt since.
    bool from_hints = false;
    // A forward or stub zone's servers as the operator configured them,
    // with their ports: asked whatever upstream-deny says, and never
    // replaced by what the parent says.
    std::vector<wire::SocketAddress> configured{};
    // A forward zone's: recursive resolvers, asked the full question with
    // RD and CD (Cairn validates what they answer).
    bool forward = false;
    // DNS over TLS to them, their certificates checked for this name;
    // empty: plain DNS.
    std::string_view tls_name{};

    // Records `address` for the server called `ns`; false if no server has
    // that name or it had the address already.
    bool add_address(const wire::Name& ns, const wire::IpAddress& address);
    // Adds a server name not yet listed.
    void add_server(const wire::Name& ns);
    bool has_addresses() const;
    // The port to ask `address` at: a configured one, else 53.
    uint16_t port_of(const wire::IpAddress& address) const;
};

}  // namespace cairn::resolve
