// The fixed 12-octet message header (RFC 1035 §4.1.1, AD/CD from RFC 4035).
#pragma once

#include <cstdint>
#include <span>

#include "wire/buffer.h"
#include "wire/types.h"

namespace cairn::wire {

struct Header {
    static constexpr size_t kSize = 12;

    uint16_t id = 0;
    bool qr = false;
    Opcode opcode = Opcode::QUERY;
    bool aa = false;
    bool tc = false;
    bool rd = false;
    bool ra = false;
    bool z = false;  // must be zero; kept so a reply can mirror what was seen
    bool ad = false;
    bool cd = false;
    uint8_t rcode = 0;  // low 4 bits; the high 8 live in the OPT record
    uint16_t qdcount = 0;
    uint16_t ancount = 0;
    uint16_t nscount = 0;
    uint16_t arcount = 0;

    static WireResult<Header> parse(Reader& reader);
    WireStatus write(Writer& writer) const;

    uint16_t flags() const;
    void set_flags(uint16_t flags);

    bool operator==(const Header&) const = default;
};

// Offsets of header fields, for patching stored packets in place.
inline constexpr size_t kHeaderIdOffset = 0;
inline constexpr size_t kHeaderFlagsOffset = 2;
inline constexpr size_t kHeaderQdcountOffset = 4;
inline constexpr size_t kHeaderAncountOffset = 6;
inline constexpr size_t kHeaderNscountOffset = 8;
inline constexpr size_t kHeaderArcountOffset = 10;

}  // namespace cairn::wire
