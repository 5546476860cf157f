// Where questions under the operator's forward and stub zones go
// (forward-zones, stub-zones): the closest configured zone that encloses a
// name decides, so a stub zone inside a forward zone (or the reverse) takes
// the names below it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/forward_zones_options.h"
#include "policy/zone_map.h"
#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::policy {

struct ConfiguredServers {
    enum class Kind : uint8_t {
        kForward,  // recursive resolvers: asked the full question with RD
        kStub,     // authoritative servers: the walk down starts at them
    };
    Kind kind = Kind::kStub;
    // Ports always set (853 for a forwarder over TLS unless given).
    std::vector<wire::SocketAddress> servers;
    // Forward zones: the name their certificates must show; empty: plain DNS.
    std::string tls_name;
    bool first = false;
};

class ForwardZones {
public:
    struct Match {
        const wire::Name& zone;
        const ConfiguredServers& servers;
    };

    ForwardZones() = default;
    // `options` must have passed check().
    explicit ForwardZones(const ForwardingOptions& options);

    // What is wrong with `options` (a zone named twice, or both forwarded and
    // stub, an address listed twice in one zone), in a sentence; nullopt if
    // nothing.
    static std::optional<std::string> check(const ForwardingOptions& options);

    // The forward zone of `name`, if the closest configured zone enclosing
    // it is one.
    std::optional<Match> forward_for(const wire::Name& name) const;
    // The closest stub zone enclosing `name` (forward zones between them
    // are skipped: they matter to forward_for only).
    std::optional<Match> stub_for(const wire::Name& name) const;

    bool empty() const { return zones_.empty(); }

private:
    ZoneMap<ConfiguredServers> zones_;
};

}  // namespace cairn::policy
