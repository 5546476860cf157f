// The operator's DNS64 settings (RFC 6147), read from the configuration.
#pragma once

#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::policy {

struct Dns64Options {
    bool enabled = false;
    // Where IPv4 addresses are embedded (RFC 6052 §2.2): /32, /40, /48, /56,
    // /64 or /96. The Well-Known Prefix by default.
    wire::IpPrefix prefix{*wire::IpAddress::parse("64:ff9b::"), 96};
    // AAAA records inside these prefixes count as absent (RFC 6147 §5.1.4):
    // IPv4-mapped addresses are useless to an IPv6-only host.
    std::vector<wire::IpPrefix> exclude{{*wire::IpAddress::parse("::ffff:0:0"), 96}};
    // A records inside these prefixes are never mapped: "this network",
    // loopback, link-local, multicast and the reserved block above it.
    std::vector<wire::IpPrefix> exclude_ipv4{{*wire::IpAddress::parse("0.0.0.0"), 8},
                                             {*wire::IpAddress::parse("127.0.0.0"), 8},
                                             {*wire::IpAddress::parse("169.254.0.0"), 16},
                                             {*wire::IpAddress::parse("224.0.0.0"), 3}};
    // Names (and the names below them) whose real AAAA records are ignored:
    // their AAAA answers are always synthesised from A (a broken IPv6 site).
    std::vector<wire::Name> ignore_aaaa;
    // Answer PTR queries for the prefix's ip6.arpa names with a CNAME to the
    // embedded IPv4 address's in-addr.arpa name (RFC 6147 §5.3.1).
    bool synthesise_ptr = true;
};

}  // namespace cairn::policy
