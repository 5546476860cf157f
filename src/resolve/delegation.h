// A zone cut the iterator is working under: the zone's name, its servers'
// names, and the addresses known for them.
#pragma once

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

    // Records `address` for the server called `ns` (ignoring duplicates).
    void add_address(const wire::Name& ns, const wire::IpAddress& address);
    bool has_addresses() const;
};

}  // namespace cairn::resolve
