// One table describes the RDATA layout of every type Cairn understands; wire
// parsing, compression, canonical form and presentation are all driven by it,
// so a type is added in one place.
#pragma once

#include <cstdint>
#include <span>

#include "wire/types.h"

namespace cairn::wire {

enum class FieldKind : uint8_t {
    kU8,
    kAlgorithm,  // 8-bit DNSSEC algorithm; text may also be its mnemonic
    kU16,
    kU32,
    kIpv4,         // 4 octets, dotted quad
    kIpv6,         // 16 octets, RFC 5952 text
    kName,         // domain name; compressed on input only where RFC 3597 §4 allows
    kCharString,   // one <character-string>: length octet + data
    kCharStrings,  // one or more <character-string>s filling the rest
    kHexRest,      // rest of RDATA as hex (DS digest, TLSA, SSHFP, ZONEMD)
    kBase64Rest,   // rest of RDATA as base64 (DNSKEY key, RRSIG signature)
    kTime,         // 32-bit serial time, YYYYMMDDHHmmSS (RFC 4034 §3.2)
    kRRType,       // 16-bit type, printed as mnemonic
    kTypeBitmap,   // NSEC/NSEC3 window blocks filling the rest
    kSalt,         // length octet + salt, hex or "-" (RFC 5155 §3.3)
    kHashBase32,   // length octet + hash, base32hex without padding
    kCaaTag,       // length octet + tag, unquoted (RFC 8659)
    kCaaValue,     // rest of RDATA, quoted
    kSvcParams,    // SVCB key=value pairs filling the rest (RFC 9460)
    kOpaque,       // rest of RDATA, RFC 3597 \# form (unknown types, OPT)
};

struct RdataSchema {
    RRType type;
    std::span<const FieldKind> fields;
    // Names in RDATA may be compressed when writing (RFC 3597 §4 well-known types).
    bool compress;
    // Names in RDATA are lower-cased in canonical form (RFC 4034 §6.2 as
    // corrected by RFC 6840 §5.1: NSEC is not).
    bool canonical_lowercase;
};

// The schema for `type`; unknown types get a single kOpaque field.
const RdataSchema& schema_for(RRType type);

// True when Cairn knows the type's RDATA format (and prints it typed).
bool has_typed_format(RRType type);

}  // namespace cairn::wire
