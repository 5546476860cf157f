// The type bitmap of NSEC and NSEC3 records (RFC 4034 §4.1.2).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/types.h"

namespace cairn::wire {

class TypeBitmap {
public:
    TypeBitmap() = default;
    // `wire` must already be valid (see field_length for kTypeBitmap).
    static TypeBitmap from_wire(std::span<const uint8_t> wire);
    static TypeBitmap from_types(std::span<const RRType> types);

    bool contains(RRType type) const;
    // Types present, ascending.
    std::vector<RRType> types() const;
    std::span<const uint8_t> wire() const { return wire_; }
    bool empty() const { return wire_.empty(); }

    bool operator==(const TypeBitmap&) const = default;

private:
    std::vector<uint8_t> wire_;
};

}  // namespace cairn::wire
