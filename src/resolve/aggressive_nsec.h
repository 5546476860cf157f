// Aggressive use of the validated cache (RFC 8198, with the TTLs of
// RFC 9077): answers a question from NSEC/NSEC3 records already validated,
// without asking the zone: NXDOMAIN, NODATA and wildcard answers, each
// proven again by dnssec::prove_denial. Pure: no I/O, no clock of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cache/denial_index.h"
#include "cache/rrset_cache.h"
#include "dnssec/limits.h"
#include "wire/record.h"

namespace cairn::resolve {

struct Synthesised {
    enum class Kind : uint8_t {
        kNxdomain,
        kNodata,    // the name (or an empty non-terminal, or the wildcard) lacks the type
        kWildcard,  // the expansion of a cached Secure wildcard RRset
    };
    Kind kind = Kind::kNxdomain;
    wire::Rcode rcode = wire::Rcode::NXDOMAIN;  // NOERROR for kNodata and kWildcard
    // kWildcard: the RRset (of the type asked, or the wildcard's CNAME) with
    // the question's name as owner, then its RRSIGs unchanged (their labels
    // field shows the expansion).
    std::vector<wire::Record> answers;
    // kWildcard from a wildcard CNAME, for a question of another type: the
    // CNAME's target, where the chain goes on (RFC 1034 §3.6.2).
    std::optional<wire::Name> cname_target;
    // The zone's SOA and its RRSIGs (kNxdomain, kNodata), then each NSEC or
    // NSEC3 record of the proof followed by its RRSIGs.
    std::vector<wire::Record> authority;
    // The TTL of every record above: no longer than any record it rests on,
    // and for a negative answer no longer than the SOA's TTL and MINIMUM.
    uint32_t ttl = 0;
};

// The answer to `question` that the records in `index` (and, for a wildcard
// answer, the Secure RRset under the wildcard in `rrsets`) prove, or nullopt
// when they do not: records missing or expired, the proof incomplete, an
// NSEC3 opt-out span involved, NSEC3 iterations above the limit, or the hash
// budget spent. `now` is the wall-clock second the TTLs count from. NSEC3
// hashing, here and in the proof, spends from `work.nsec3_hashes`.
std::optional<Synthesised> synthesise(const cache::DenialIndex& index,
                                      const cache::RRsetCache& rrsets,
                                      const wire::Question& question, int64_t now,
                                      const dnssec::ValidationLimits& limits,
                                      dnssec::WorkCounter& work);

}  // namespace cairn::resolve
