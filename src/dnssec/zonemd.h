// Message digests over whole zones (ZONEMD, RFC 8976): the SIMPLE scheme's
// digest over a zone's records in canonical form and order, and the check a
// recipient makes of a zone against its apex ZONEMD RRset (§4).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/record.h"

namespace cairn::dnssec {

namespace zonemd {
inline constexpr uint8_t kSchemeSimple = 1;  // RFC 8976 §5.2
inline constexpr uint8_t kSha384 = 1;        // RFC 8976 §5.3
inline constexpr uint8_t kSha512 = 2;
// A digest shorter than this is never accepted (RFC 8976 §2.2.4).
inline constexpr size_t kMinDigestLength = 12;
}  // namespace zonemd

// ZONEMD RDATA (RFC 8976 §2.2): serial, scheme, hash algorithm, digest.
struct ZonemdData {
    uint32_t serial = 0;
    uint8_t scheme = 0;
    uint8_t hash_algorithm = 0;
    std::vector<uint8_t> digest;

    // nullopt when the RDATA is shorter than the fixed fields.
    static std::optional<ZonemdData> from(const wire::RData& rdata);
};

// True for the scheme and hash algorithm pairs Cairn computes.
bool zonemd_supported(uint8_t scheme, uint8_t hash_algorithm);

// The digest of `zone` (every record of a zone, in any order) for the zone
// at `apex` with `scheme` and `hash_algorithm` (RFC 8976 §3.3): records
// outside the zone are left out, occluded data below delegations and glue
// are kept; the apex ZONEMD RRset and the RRSIGs covering it are left out
// (§3.3.1), so a placeholder's value does not matter; each record is taken
// once in canonical form and order (owner, then type, then RDATA; RFC 4034
// §6), with its own TTL. nullopt for an unsupported scheme or algorithm.
std::optional<std::vector<uint8_t>> zone_digest(std::span<const wire::Record> zone,
                                                const wire::Name& apex, uint8_t scheme,
                                                uint8_t hash_algorithm);

struct ZonemdVerdict {
    enum class Status : uint8_t {
        kVerified,   // a supported ZONEMD with the SOA's serial matched
        kAbsent,     // no ZONEMD at the apex
        kNoSoa,      // the zone has not exactly one SOA at the apex
        kUnusable,   // ZONEMDs, none usable: serial, scheme, algorithm or size
        kDuplicate,  // two usable ZONEMDs share scheme and algorithm (§2.4)
        kMismatch,   // the digest computed differs from every usable one
    };
    Status status = Status::kAbsent;
    std::string why;      // one line for the log
    uint32_t serial = 0;  // the SOA serial, when there is one SOA
};

// Checks `zone` (all its records, apex ZONEMD and RRSIGs included) against
// its apex ZONEMD RRset as RFC 8976 §4 says: a ZONEMD counts only with the
// SOA's serial, a supported scheme and hash algorithm, and a digest of the
// algorithm's size; one that matches verifies the zone. Whether the ZONEMD
// RRset itself is authentic (its RRSIG) is the caller's to check.
ZonemdVerdict verify_zonemd(std::span<const wire::Record> zone, const wire::Name& apex);

const char* to_string(ZonemdVerdict::Status status);

}  // namespace cairn::dnssec
