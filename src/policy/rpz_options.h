// The `rpz` option: response policy zones, in the order they are consulted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::policy {

struct RpzZoneOptions {
    wire::Name name;
    // Zone file to read (at start and on reload); empty: transferred from
    // `primaries`.
    std::string file;
    std::vector<wire::SocketAddress> primaries;
    // given, disabled, passthru, nxdomain, nodata, drop, tcp-only or cname.
    std::string policy = "given";
    // For policy cname: the target of every hit.
    wire::Name cname;
    // blocked (15), censored (16) or filtered (17): the Extended DNS Error
    // of rewritten answers (RFC 8914 §4.16-18).
    std::string ede = "blocked";
    bool log = false;
    // Who may send NOTIFY for the zone; empty: its primaries.
    std::vector<wire::IpPrefix> allow_notify;
    // The shortest wait between refreshes, whatever the SOA says.
    uint32_t min_refresh = 60;

    bool operator==(const RpzZoneOptions&) const = default;
};

struct RpzOptions {
    std::vector<RpzZoneOptions> zones;
    // Rewrite answers the client asked DNSSEC records for (DO=1) and that
    // validated as secure (BIND's break-dnssec); off: such answers pass.
    bool break_dnssec = false;

    bool operator==(const RpzOptions&) const = default;
};

}  // namespace cairn::policy
