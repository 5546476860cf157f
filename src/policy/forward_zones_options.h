// The operator's forward and stub zones as configured (forward-zones,
// stub-zones, forward-tls-ca-file), filled in by config; ForwardZones
// (forward_zones.h) is what the resolver looks them up in.
#pragma once

#include <string>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::policy {

// Names at and below `name` are asked of recursive resolvers.
struct ForwardZoneOptions {
    wire::Name name;
    // Port 0: not given, so 853 with `tls` and 53 without.
    std::vector<wire::SocketAddress> addresses;
    // DNS over TLS (RFC 7858) when set: the name (or IP address) the
    // servers' certificates must show. Empty: plain DNS.
    std::string tls;
    // When every forwarder fails, resolve by iteration instead.
    bool first = false;
};

// Names at and below `name` are resolved from these authoritative servers
// down, instead of from the root.
struct StubZoneOptions {
    wire::Name name;
    std::vector<wire::SocketAddress> addresses;
};

struct ForwardingOptions {
    std::vector<ForwardZoneOptions> forward_zones;
    std::vector<StubZoneOptions> stub_zones;
    // CA certificates (PEM) that forwarders' certificates must chain to;
    // empty: the system's store.
    std::string tls_ca_file;
};

}  // namespace cairn::policy
