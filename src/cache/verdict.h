// What DNSSEC validation concluded (RFC 4035 §4.3), about a piece of data or
// about a zone's keys: one type for both, so the key cache keeps exactly
// what the validator says of an answer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "cache/security.h"
#include "dnssec/key_set.h"
#include "wire/edns.h"

namespace cairn::cache {

struct Verdict {
    Security security = Security::kIndeterminate;
    // For kBogus: the Extended DNS Error to answer with. For kInsecure, an
    // optional note (unsupported algorithm or digest, NSEC3 iterations).
    std::optional<wire::ExtendedErrorOption> error;
    // The longest the validated data may stay cached (RRSIG validity and
    // original TTL; the bogus TTL for bogus data).
    uint32_t ttl_cap = UINT32_MAX;
    // Validation could not finish this time (a work limit of this request
    // ran out, a server could not be reached): not a fact about the data,
    // so it is answered but never stored, and never counted as bogus.
    bool transient = false;
    // For a zone's keys proven Secure: the validated DNSKEY RRset, its keys
    // decoded as needed and shared by every copy.
    std::shared_ptr<const dnssec::KeySet> dnskeys;
    // For a zone's keys: they made validation reach its work limits lately
    // (KeyTrap), so the zone's data is checked under
    // ValidationLimits::held() until the hold ends (KeyCache::hold).
    bool held = false;

    static Verdict of(Security security, std::optional<wire::ExtendedErrorOption> error = {}) {
        Verdict v;
        v.security = security;
        v.error = std::move(error);
        return v;
    }
};

}  // namespace cairn::cache
