// Name compression for messages being built (RFC 1035 §4.1.4).
#pragma once

#include <array>
#include <cstdint>

#include "wire/buffer.h"
#include "wire/name.h"

namespace cairn::wire {

// Remembers where names (and their suffixes) were written in one message so
// later names can point at them. A fixed table: no allocation; once it is
// full, further names are still written, just less compactly.
class NameCompressor {
public:
    // Writes `name` at the writer's position, compressed against names
    // written before, and remembers its suffixes.
    WireStatus write(Writer& writer, const Name& name);
    // Forgets names at or after `offset` (the builder undid those bytes).
    void forget_from(size_t offset);
    void clear() { count_ = 0; }

private:
    struct Entry {
        uint64_t hash;
        uint16_t offset;
        uint8_t labels;
    };
    static constexpr size_t kMaxEntries = 128;
    std::array<Entry, kMaxEntries> entries_{};
    size_t count_ = 0;
};

}  // namespace cairn::wire
