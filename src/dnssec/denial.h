// Authenticated denial of existence: what verified NSEC or NSEC3 records
// prove about a name (RFC 4035 §5.4, RFC 5155 §8, RFC 6840 §4, RFC 7129).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnssec/limits.h"
#include "wire/record.h"

namespace cairn::dnssec {

// What the response claims and the records must prove.
enum class DenialGoal : uint8_t {
    kNxdomain,        // qname does not exist (and no wildcard could match it)
    kNodata,          // qname exists (or a wildcard matches it) without qtype
    kWildcardAnswer,  // a wildcard answered: qname itself does not exist
    kNoDs,            // qname has no DS (qtype DS): insecure delegation or no cut
};

struct DenialResult {
    enum class Status : uint8_t {
        kProven,
        kOptOut,             // NSEC3 opt-out span covers the name: insecure (RFC 5155 §6)
        kNotProven,          // missing or wrong records: bogus, EDE 12
        kIterationsTooHigh,  // NSEC3 iterations above the limit: insecure, EDE 27
        kUnsupportedHash,    // NSEC3 hash algorithm other than SHA-1: insecure
        kLimit,              // hash budget spent: SERVFAIL
    };
    Status status = Status::kNotProven;
    // For kNoDs proven: the name is a zone cut (NS bit set, no SOA).
    bool delegation = false;
    std::string why;  // for anything but kProven: one line for logs / EDE text
};

// `records` are the NSEC or NSEC3 records (not RRSIGs) of the response's
// authority section, each already verified Secure with the keys of `zone`.
// `wildcard_parent` is required for kWildcardAnswer: the closest encloser
// the answer's RRSIG labels field implies (RRsetVerdict::wildcard_parent).
// NSEC3 hashing spends from `work.nsec3_hashes`.
DenialResult prove_denial(DenialGoal goal, const wire::Name& qname, wire::RRType qtype,
                          const wire::Name& zone, std::span<const wire::Record> records,
                          const std::optional<wire::Name>& wildcard_parent,
                          const ValidationLimits& limits, WorkCounter& work);

// NSEC: `nsec` (owner and RDATA) covers `name`: owner < name < next in
// canonical order, the last NSEC of the zone wrapping to the apex.
bool nsec_covers(const wire::Record& nsec, const wire::Name& name);

// RFC 5155 §5: IH(salt, name, iterations), SHA-1 of the canonical name.
std::vector<uint8_t> nsec3_hash(const wire::Name& name, std::span<const uint8_t> salt,
                                uint16_t iterations);

}  // namespace cairn::dnssec
