// Options of the local root copy (RFC 8806; policy/local_root.h).
#pragma once

#include <string>
#include <vector>

#include "wire/ip_address.h"

namespace cairn::policy {

struct LocalRootOptions {
    // Keep a copy of the root zone and answer from it (`local-root`).
    bool enabled = false;
    // Servers the zone is transferred from (AXFR), tried in order.
    std::vector<wire::SocketAddress> sources;
    // Where the last accepted copy is kept, and read at start; empty: none.
    std::string file;

    bool operator==(const LocalRootOptions&) const = default;
};

}  // namespace cairn::policy
