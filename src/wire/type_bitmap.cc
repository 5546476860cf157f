#include "wire/type_bitmap.h"

#include <algorithm>
#include <array>

namespace cairn::wire {

TypeBitmap TypeBitmap::from_wire(std::span<const uint8_t> wire) {
    TypeBitmap b;
    b.wire_.assign(wire.begin(), wire.end());
    return b;
}

TypeBitmap TypeBitmap::from_types(std::span<const RRType> types) {
    std::vector<uint16_t> values;
    values.reserve(types.size());
    for (RRType t : types)
        values.push_back(static_cast<uint16_t>(t));
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    TypeBitmap b;
    size_t i = 0;
    while (i < values.size()) {
        const uint8_t window = static_cast<uint8_t>(values[i] >> 8);
        std::array<uint8_t, 32> bits{};
        size_t used = 0;
        for (; i < values.size() && (values[i] >> 8) == window; ++i) {
            const uint8_t low = static_cast<uint8_t>(values[i]);
            bits[low / 8] |= static_cast<uint8_t>(0x80 >> (low % 8));
            used = low / 8 + 1;
        }
        b.wire_.push_back(window);
        b.wire_.push_back(static_cast<uint8_t>(used));
        b.wire_.insert(b.wire_.end(), bits.begin(), bits.begin() + static_cast<long>(used));
    }
    return b;
}

bool TypeBitmap::contains(RRType type) const {
    const auto value = static_cast<uint16_t>(type);
    const uint8_t window = static_cast<uint8_t>(value >> 8);
    const uint8_t low = static_cast<uint8_t>(value);
    size_t pos = 0;
    while (pos + 2 <= wire_.size()) {
        const uint8_t w = wire_[pos];
        const size_t len = wire_[pos + 1];
        if (w == window) {
            const size_t octet = low / 8;
            return octet < len && pos + 2 + octet < wire_.size() &&
                   (wire_[pos + 2 + octet] & (0x80 >> (low % 8))) != 0;
        }
        pos += 2 + len;
    }
    return false;
}

std::vector<RRType> TypeBitmap::types() const {
    std::vector<RRType> out;
    size_t pos = 0;
    while (pos + 2 <= wire_.size()) {
        const unsigned window = wire_[pos];
        const size_t len = wire_[pos + 1];
        for (size_t octet = 0; octet < len && pos + 2 + octet < wire_.size(); ++octet) {
            for (unsigned bit = 0; bit < 8; ++bit) {
                if (wire_[pos + 2 + octet] & (0x80 >> bit))
                    out.push_back(static_cast<RRType>(window << 8 | (octet * 8 + bit)));
            }
        }
        pos += 2 + len;
    }
    return out;
}

}  // namespace cairn::wire
