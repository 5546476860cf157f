// Counters of the resolve layer. Each worker's resolver owns one set and
// only that worker writes it (relaxed atomics, no contention); readers sum
// them across workers.
#pragma once

#include <atomic>
#include <cstdint>

namespace cairn::resolve {

struct ResolverMetrics {
    using Counter = std::atomic<uint64_t>;
    Counter client_queries{0};    // resolutions started
    Counter cache_answers{0};     // answered from the RRset/negative cache alone
    Counter upstream_queries{0};  // queries sent to authoritative servers
    Counter upstream_timeouts{0};
    Counter upstream_tcp{0};    // upstream exchanges that used TCP
    Counter inflight_joins{0};  // requests that joined an identical in-flight one
    Counter upstream_joins{0};  // upstream queries not sent: the same one was in flight
    Counter servfail{0};
    Counter limit_upstream_queries{0};  // a work limit was breached, one counter per limit
    Counter limit_referral_depth{0};
    Counter limit_cname_chain{0};
    Counter limit_glueless_ns{0};
    Counter limit_timeout{0};
    Counter scrubbed_records{0};  // out-of-bailiwick records dropped
    Counter lame_servers{0};      // servers found lame for a zone
    // Questions of a forward zone none of whose forwarders answered usably.
    Counter forward_failures{0};
    // DNSSEC: answers by what validation concluded (a validated client
    // answer counts once, by its weakest part), signature checks made, and
    // the KeyTrap / NSEC3 work limits breached. Saved: RRsets whose
    // signatures the cache already held as verified (an NXDOMAIN's SOA and
    // wildcard NSEC come back in every answer from the zone).
    Counter dnssec_secure{0};
    Counter dnssec_insecure{0};
    Counter dnssec_bogus{0};  // proven forgeries only
    // Validation that could not finish (a work limit, a server not
    // answering): SERVFAIL for that request, never cached, not bogus.
    Counter dnssec_failures{0};
    // Answers or keys that failed validation and were asked of another
    // server of the zone.
    Counter bogus_retries{0};
    Counter dnssec_verifications{0};
    Counter dnssec_verifications_saved{0};
    Counter limit_dnssec_verifications{0};
    Counter limit_dnssec_keys_per_tag{0};
    Counter limit_nsec3_hashes{0};
    // Zones put on hold after their keys reached the limits above
    // (dnssec-limit-hold), RRsets of held zones left unproven, and lookups
    // not sent upstream because a held wildcard would answer them.
    Counter dnssec_limit_holds{0};
    Counter dnssec_held_rrsets{0};
    Counter dnssec_held_lookups{0};
    // Issue 5 mechanisms: answers made from validated NSEC/NSEC3 without
    // asking (RFC 8198), stale answers (RFC 8767), background refreshes of
    // popular RRsets and those of them renewed unchanged (no signature check).
    Counter synthesised_nxdomain{0};
    Counter synthesised_nodata{0};
    Counter synthesised_wildcard{0};
    Counter stale_answers{0};
    Counter prefetches{0};
    // DNSKEY sets fetched as soon as a signed zone is first asked, beside
    // the question, rather than after its answer; and the validations that
    // found such a fetch under way and waited for it.
    Counter early_key_fetches{0};
    Counter early_key_fetch_joins{0};
    Counter prefetch_unchanged{0};
    // Prefetches and serve-stale refreshes not started in the background:
    // max-inflight left them no slot (a stale refresh then runs while its
    // client waits).
    Counter background_refused{0};
};

}  // namespace cairn::resolve
