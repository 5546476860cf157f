#include "policy/forward_zones.h"

#include <algorithm>

namespace cairn::policy {

namespace {

constexpr uint16_t kDnsPort = 53;
constexpr uint16_t kDotPort = 853;  // RFC 7858 §3.1

std::optional<std::string> repeated_address(const wire::Name& zone,
                                            const std::vector<wire::SocketAddress>& addresses) {
    // Servers are told apart by address (RTT, lameness), so one address
    // may not stand for two servers of a zone.
    for (size_t i = 0; i < addresses.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (addresses[i].address == addresses[j].address)
                return zone.to_text() + " lists " + addresses[i].address.to_string() +
                       " more than once";
    return std::nullopt;
}

}  // namespace

ForwardZones::ForwardZones(const ForwardingOptions& options) {
    for (const auto& zone : options.forward_zones) {
        ConfiguredServers servers;
        servers.kind = ConfiguredServers::Kind::kForward;
        servers.tls_name = zone.tls;
        servers.first = zone.first;
        for (auto address : zone.addresses) {
            if (address.port == 0) address.port = zone.tls.empty() ? kDnsPort : kDotPort;
            servers.servers.push_back(address);
        }
        zones_.insert(zone.name, std::move(servers));
    }
    for (const auto& zone : options.stub_zones) {
        ConfiguredServers servers;
        servers.kind = ConfiguredServers::Kind::kStub;
        servers.servers = zone.addresses;
        zones_.insert(zone.name, std::move(servers));
    }
}

std::optional<std::string> ForwardZones::check(const ForwardingOptions& options) {
    std::vector<wire::Name> forwarded;
    for (const auto& zone : options.forward_zones) {
        const auto name = zone.name.lowercased();
        if (std::find(forwarded.begin(), forwarded.end(), name) != forwarded.end())
            return "forward-zones names " + zone.name.to_text() + " more than once";
        forwarded.push_back(name);
        if (auto repeated = repeated_address(zone.name, zone.addresses))
            return "forward-zones: " + *repeated;
    }
    std::vector<wire::Name> stubs;
    for (const auto& zone : options.stub_zones) {
        const auto name = zone.name.lowercased();
        if (std::find(stubs.begin(), stubs.end(), name) != stubs.end())
            return "stub-zones names " + zone.name.to_text() + " more than once";
        if (std::find(forwarded.begin(), forwarded.end(), name) != forwarded.end())
            return zone.name.to_text() + " is both a forward zone and a stub zone";
        stubs.push_back(name);
        if (auto repeated = repeated_address(zone.name, zone.addresses))
            return "stub-zones: " + *repeated;
    }
    return std::nullopt;
}

std::optional<ForwardZones::Match> ForwardZones::forward_for(const wire::Name& name) const {
    auto match = zones_.closest(name);
    if (!match || match->value.kind != ConfiguredServers::Kind::kForward) return std::nullopt;
    return Match{match->zone, match->value};
}

std::optional<ForwardZones::Match> ForwardZones::stub_for(const wire::Name& name) const {
    wire::Name below = name;
    for (;;) {
        const auto match = zones_.closest(below);
        if (!match) return std::nullopt;
        if (match->value.kind == ConfiguredServers::Kind::kStub)
            return Match{match->zone, match->value};
        if (match->zone.is_root()) return std::nullopt;
        below = match->zone.parent();
    }
}

}  // namespace cairn::policy
