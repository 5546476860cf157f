// The outcome of resolving one exact question (no CNAME following) and the
// per-request budgets that bound the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "cache/security.h"
#include "dnssec/limits.h"
#include "resolve/response_kind.h"
#include "resolve/trace.h"
#include "wire/edns.h"
#include "wire/ip_address.h"
#include "wire/record.h"
#include "wire/rrset.h"

namespace cairn::resolve {

// Why a lookup failed, where that changes what to do next.
enum class FailureCause : uint8_t {
    kNone,
    kLimit,        // a work limit of the request was reached: stop
    kUnreachable,  // servers did not answer
    kRefused,      // servers answered, but only with errors or lame answers
};

// One RRset a server gave, with the RRSIGs over it.
struct SignedRRset {
    wire::RRset rrset;
    std::vector<wire::RData> signatures;
    cache::Trust trust = cache::Trust::kAnswerNonAuth;
    // Expanded from a wildcard (an RRSIG's labels field says so): it holds
    // only with the proof that the name itself does not exist
    // (RFC 4035 §5.3.4).
    bool wildcard = false;
};

struct LookupResult {
    ResponseKind kind = ResponseKind::kError;
    // For kAnswer/kCname/kDname: the RRsets on the question's chain, in
    // chain order. Not cached yet: the resolver validates and stores them.
    // A CNAME the server made from a DNAME is left out (the resolver makes
    // its own, RFC 6672 §3.4).
    std::vector<SignedRRset> answer;
    // For kNxdomain/kNodata: SOA and proofs, the SOA's TTL already the
    // negative TTL; `negative_ttl` is nullopt when there is no SOA (and the
    // answer is not to be cached, RFC 2308 §5).
    std::vector<wire::Record> authority;
    std::optional<uint32_t> negative_ttl;
    // For kAnswer/kCname/kDname: the NSEC/NSEC3 records and RRSIGs of the
    // authority section (a wildcard expansion's proof that the name itself
    // does not exist).
    std::vector<wire::Record> proof;
    // Set when the lookup failed: the answer is SERVFAIL with this EDE.
    std::optional<wire::ExtendedErrorOption> error;
    FailureCause cause = FailureCause::kNone;
    // Where the response came from: the zone asked and the server that
    // answered (to ask another when its data fails validation).
    wire::Name zone;
    std::optional<wire::IpAddress> server;

    static LookupResult failure(FailureCause cause, wire::ExtendedErrorCode code,
                                std::string text) {
        LookupResult r;
        r.error = wire::ExtendedErrorOption{code, std::move(text)};
        r.cause = cause;
        return r;
    }
};

// Shared by every lookup made for one client request, including the ones
// for glueless name server addresses.
struct RequestBudget {
    uint32_t upstream_queries = 0;
    uint32_t nested_lookups = 0;  // depth of glueless sub-resolutions in progress
    std::chrono::steady_clock::time_point deadline;
    // Name server names whose addresses are being looked up right now:
    // delegations that depend on each other must not recurse for ever.
    std::vector<wire::Name> resolving_ns;
    // Glueless name server lookups that found no address (NXNSAttack).
    uint32_t glueless_failures = 0;
    // Servers not to ask again for a zone in this request: their data
    // failed validation.
    struct Excluded {
        wire::Name zone;
        wire::IpAddress address;
    };
    std::vector<Excluded> excluded;
    // Answers that failed validation and were asked again elsewhere.
    uint32_t bogus_retries = 0;
    // DNSSEC work spent (KeyTrap and NSEC3 bounds).
    dnssec::WorkCounter dnssec_work;
    // A background refresh (prefetch) rather than a client's request.
    bool prefetch = false;
    // The request's answer will be validated (not CD, validation on): only
    // then are zone keys worth fetching ahead.
    bool validating = true;
    // Where the steps are recorded for `cairnctl trace`; null for every
    // other request, whose hooks then cost a null check.
    Trace* trace = nullptr;
};

}  // namespace cairn::resolve
