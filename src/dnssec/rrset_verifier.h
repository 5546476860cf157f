// Checking one RRset's signatures against the validated DNSKEY set of its
// zone (RFC 4035 §5.3, RFC 6840 §5).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dnssec/key_set.h"
#include "dnssec/limits.h"
#include "wire/edns.h"
#include "wire/rrset.h"

namespace cairn::dnssec {

struct RRsetVerdict {
    enum class Status : uint8_t {
        kValid,  // one RRSIG verified with a key of `dnskeys`
        kBogus,  // signatures present, none verified (see `reason`)
        // No usable RRSIG by `zone` covers the RRset. RRSIGs of algorithms
        // Cairn does not validate count as absent: only the DS RRset may
        // make a zone insecure (RFC 4035 §5.2, RFC 6840 §5.11), or a forger
        // could downgrade signed data by swapping in such an RRSIG.
        kUnsigned,
        kLimit,  // a work limit was reached before any verified
    };
    Status status = Status::kBogus;
    // For kBogus: 6 DNSSEC Bogus, 7 Signature Expired, 8 Signature Not Yet
    // Valid, 9 DNSKEY Missing (no key with the RRSIG's tag and algorithm).
    wire::ExtendedErrorCode reason = wire::ExtendedErrorCode::kDnssecBogus;
    std::string why;  // one line for the EDE text
    // For kValid: the longest the data may be kept: min(original TTL of the
    // RRSIG that verified, seconds until its expiration).
    uint32_t ttl_cap = 0;
    // For kValid with an RRSIG whose labels field is below the owner's
    // label count (wildcard expansion, RFC 4035 §5.3.4): the wildcard's
    // parent ("closest encloser"); the caller must then prove the owner
    // name itself does not exist.
    std::optional<wire::Name> wildcard_parent;
    // More DNSKEYs shared an RRSIG's key tag and algorithm than
    // `max_keys_per_tag`: the rest were not tried (a KeyTrap sign).
    bool keys_per_tag_capped = false;
    // For kLimit: this RRset alone spent max_verifications_per_rrset (rather
    // than the request its share).
    bool rrset_budget_spent = false;
    // An RRSIG named a key tag more usable keys share than max_keys_per_tag:
    // a KeyTrap sign no forger can fake (the keys are the zone's, validated).
    bool crowded_tag = false;
    // For kLimit: reached under the limits of a held zone
    // (ValidationLimits::for_held_zone).
    bool held = false;
};

// Verifies `rrset` with `signatures` (RRSIG RDATA covering it) against
// `dnskeys`, the validated DNSKEY RRset of `zone`, at wall-clock second
// `now`. Checks per RRSIG: type covered, signer == zone, owner within zone,
// labels <= owner labels, algorithm supported, inception <= now <=
// expiration in serial-number arithmetic (RFC 4034 §3.1.5), a key with the
// tag and algorithm that is a zone key and not revoked. Every signature
// verification spends one from `work`.
RRsetVerdict verify_rrset(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                          const wire::RRset& dnskeys, const wire::Name& zone, int64_t now,
                          const ValidationLimits& limits, WorkCounter& work);
// The same with the zone's keys decoded once for all its RRsets.
RRsetVerdict verify_rrset(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                          const KeySet& dnskeys, const wire::Name& zone, int64_t now,
                          const ValidationLimits& limits, WorkCounter& work);

// The verdict on `rrset` with `signatures` once they are known to have
// verified (the cache holds them as Secure): every check of verify_rrset but
// the cryptography, for each RRSIG since which one verified is not kept.
// kValid with the shortest ttl_cap of them; nullopt (verify again) when an
// RRSIG is not by `zone` for this type, is outside its validity period now,
// or shows a wildcard expansion, which needs its own proof.
std::optional<RRsetVerdict> recheck_verified(const wire::RRset& rrset,
                                             std::span<const wire::RData> signatures,
                                             const wire::Name& zone, int64_t now);

}  // namespace cairn::dnssec
