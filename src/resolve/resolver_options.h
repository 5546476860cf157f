// Settings of the resolve layer, filled in by config.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnssec/limits.h"
#include "dnssec/trust_anchors.h"
#include "policy/forward_zones.h"
#include "policy/zone_policy.h"
#include "wire/ip_address.h"
#include "wire/name.h"

namespace cairn::resolve {

// Budgets of one client request (DESIGN.md "Work limits"). Exceeding one ends
// the resolution with SERVFAIL and an Extended DNS Error.
struct WorkLimits {
    uint32_t max_upstream_queries = 64;  // per client request
    uint32_t max_referral_depth = 30;    // delegations followed
    uint32_t max_cname_chain = 12;       // CNAME/DNAME hops
    uint32_t max_glueless_ns = 2;        // empty glueless NS lookups per request (NXNSAttack)
    uint32_t max_ns_addresses = 16;      // addresses asked per zone and lookup
    std::chrono::milliseconds resolution_timeout{10'000};  // overall deadline
};

struct DnssecOptions {
    bool enabled = true;
    // Zone files of DS/DNSKEY anchors; empty: the built-in root anchors.
    std::vector<std::string> trust_anchor_files;
    // What validation starts from: filled from the files (or the built-in
    // root anchors) when the configuration is applied. None: nothing can be
    // proven, every answer is insecure.
    dnssec::TrustAnchors anchors;
    // Domains not validated (RFC 7646), with everything below them.
    std::vector<wire::Name> negative_trust_anchors;
    dnssec::ValidationLimits limits;
    // How long bogus data and failed key sets are remembered (RFC 4035
    // §4.7), so a broken zone is not asked again for every query.
    uint32_t bogus_ttl = 60;
    // How long a zone whose keys made validation reach its work limits is
    // checked under ValidationLimits::held() (KeyTrap); 0: never.
    uint32_t limit_hold = 60;
};

// Serve-stale (RFC 8767). How long expired data is kept is a cache option
// (CacheOptions::stale_max).
struct ServeStaleOptions {
    bool enabled = true;
    uint32_t answer_ttl = 30;  // TTL of stale records in answers (§4)
    // A client whose answer takes longer than this gets stale data while
    // the refresh goes on (§5, "client response timer"); 0: never.
    std::chrono::milliseconds client_timeout{1800};
    // After a refresh failed, stale data is answered without asking the
    // servers again for this long (§5, "failure recheck timer").
    std::chrono::milliseconds recheck_interval{30'000};
};

struct PrefetchOptions {
    bool enabled = true;
    // A cached RRset asked for with less than this share of its original
    // TTL left, and asked at least `min_hits` times since it was cached, is
    // refreshed in the background.
    uint32_t threshold_percent = 10;
    // Lookups that reach the RRset cache: the packet cache answers the rest
    // until the threshold, so 1 means "asked once in the last part of its
    // TTL", which is what Unbound does (bench/help_dns_bench.sh measured
    // fewer client-visible misses with 1 than with 2 or 3).
    uint32_t min_hits = 1;

    // The last part of a `ttl`-second lifetime in which a question prefetches:
    // threshold_percent of it, rounded up, but at least 2 seconds once the
    // TTL is 4 or more. TTLs count in whole seconds, so 10% of a short TTL
    // would leave a one-second window that most names are not asked in.
    uint32_t window(uint32_t ttl) const {
        const uint32_t share =
            static_cast<uint32_t>((uint64_t{ttl} * threshold_percent + 99) / 100);
        return std::max(share, std::min<uint32_t>(2, ttl / 2));
    }
};

struct ResolverOptions {
    // Zone-file style root hints; empty: the built-in IANA hints.
    std::string root_hints_file;
    bool qname_minimisation = true;
    bool upstream_ipv4 = true;
    bool upstream_ipv6 = true;
    // Servers never queried (Unbound's do-not-query-address).
    std::vector<wire::IpPrefix> upstream_deny = default_upstream_deny();
    // Source addresses for upstream queries; empty: the kernel's choice.
    std::vector<wire::IpAddress> outgoing_addresses;
    uint16_t edns_buffer_size = 1232;
    // First timeout for a server without RTT history; later ones follow RTT.
    std::chrono::milliseconds initial_timeout{800};
    WorkLimits limits;
    DnssecOptions dnssec;
    // RFC 8198: answer NXDOMAIN/NODATA/wildcards from validated NSEC/NSEC3.
    bool aggressive_nsec = true;
    // RFC 8509: answer root-key-sentinel-is-ta-/-not-ta- questions
    // according to the root trust anchors.
    bool root_key_sentinel = true;
    ServeStaleOptions serve_stale;
    PrefetchOptions prefetch;
    // Per-zone overrides of the cache options above and of the cache's
    // lifetimes (zone-policy).
    std::vector<policy::ZonePolicy> zone_policy;
    // forward-zones and stub-zones, made from Config::forwarding when the
    // configuration is applied; null: none.
    std::shared_ptr<const policy::ForwardZones> forward_zones;

    static std::vector<wire::IpPrefix> default_upstream_deny() {
        return {*wire::IpPrefix::parse("127.0.0.0/8"), *wire::IpPrefix::parse("0.0.0.0/8"),
                *wire::IpPrefix::parse("::1/128"), *wire::IpPrefix::parse("::/128")};
    }
};

}  // namespace cairn::resolve
