// A name as the shared caches keep it: its wire form in a heap block of its
// own length. wire::Name holds 255 octets inline, which suits a value on the
// stack and costs a cache hundreds of octets per entry.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "wire/name.h"

namespace cairn::cache {

class StoredName {
public:
    explicit StoredName(const wire::Name& name) { assign(name.wire()); }
    StoredName(const StoredName& other) { assign(other.wire()); }
    StoredName& operator=(const StoredName& other) {
        if (this != &other) assign(other.wire());
        return *this;
    }
    StoredName(StoredName&&) noexcept = default;
    StoredName& operator=(StoredName&&) noexcept = default;

    std::span<const uint8_t> wire() const { return {bytes_.get() + 1, bytes_[0]}; }
    // The name as a value, with the spelling it was stored with.
    wire::Name name() const { return *wire::Name::from_wire(wire()); }
    // Equal to wire::Name::hash() of the same name, in any case.
    uint64_t hash() const { return wire::name_hash(wire()); }
    bool operator==(const wire::Name& other) const { return other.equals_wire(wire()); }
    bool operator==(const StoredName& other) const {
        return wire::wire_names_equal(wire(), other.wire());
    }
    // The length of its heap block, before the allocator's rounding.
    size_t heap_size() const { return size_t{bytes_[0]} + 1; }

private:
    void assign(std::span<const uint8_t> wire) {
        bytes_ = std::make_unique_for_overwrite<uint8_t[]>(wire.size() + 1);
        bytes_[0] = static_cast<uint8_t>(wire.size());
        std::memcpy(bytes_.get() + 1, wire.data(), wire.size());
    }

    std::unique_ptr<uint8_t[]> bytes_;  // length octet, then the wire form
};

}  // namespace cairn::cache
