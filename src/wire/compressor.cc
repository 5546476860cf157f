#include "wire/compressor.h"

namespace cairn::wire {

namespace {

uint64_t suffix_hash(std::span<const uint8_t> wire) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (uint8_t c : wire) {
        h ^= ascii_lower(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// True when the (possibly compressed) name written at `offset` in `buffer`
// equals the uncompressed `suffix`, ignoring case. Pointers were written by
// us and point backwards, so the walk ends.
bool written_name_equals(std::span<const uint8_t> buffer, size_t offset,
                         std::span<const uint8_t> suffix) {
    size_t pos = offset;
    size_t i = 0;
    for (int hops = 0; hops < 128; ++hops) {
        if (pos >= buffer.size() || i >= suffix.size()) return false;
        const uint8_t len = buffer[pos];
        if ((len & 0xC0) == 0xC0) {
            if (pos + 1 >= buffer.size()) return false;
            pos = static_cast<size_t>(len & 0x3F) << 8 | buffer[pos + 1];
            continue;
        }
        if (len != suffix[i] || pos + 1 + len > buffer.size()) return false;
        if (len == 0) return i + 1 == suffix.size();
        for (size_t k = 1; k <= len; ++k)
            if (ascii_lower(buffer[pos + k]) != ascii_lower(suffix[i + k])) return false;
        pos += 1 + len;
        i += 1 + len;
    }
    return false;
}

}  // namespace

WireStatus NameCompressor::write(Writer& writer, const Name& name) {
    const auto wire = name.wire();
    const size_t labels = name.label_count();
    // Find the longest suffix already in the message.
    size_t match_label = labels;
    int pointer = -1;
    size_t pos = 0;
    for (size_t label = 0; label < labels; ++label) {
        const auto suffix = wire.subspan(pos);
        const uint64_t h = suffix_hash(suffix);
        for (size_t e = 0; e < count_; ++e) {
            const auto& entry = entries_[e];
            if (entry.hash == h && entry.labels == labels - label &&
                written_name_equals(writer.whole(), entry.offset, suffix)) {
                pointer = entry.offset;
                break;
            }
        }
        if (pointer >= 0) {
            match_label = label;
            break;
        }
        pos += 1 + wire[pos];
    }
    // Literal labels before the match, remembering each new suffix.
    pos = 0;
    const size_t start = writer.size();
    for (size_t label = 0; label < match_label; ++label) {
        const size_t here = writer.size();
        if (here < 0x4000 && count_ < kMaxEntries)
            entries_[count_++] = Entry{suffix_hash(wire.subspan(pos)), static_cast<uint16_t>(here),
                                       static_cast<uint8_t>(labels - label)};
        const size_t len = 1 + wire[pos];
        if (auto st = writer.bytes(wire.subspan(pos, len)); !st) {
            forget_from(start);
            return st;
        }
        pos += len;
    }
    if (pointer >= 0) {
        if (auto st = writer.u16(static_cast<uint16_t>(0xC000 | pointer)); !st) {
            forget_from(start);
            return st;
        }
        return {};
    }
    if (auto st = writer.u8(0); !st) {
        forget_from(start);
        return st;
    }
    return {};
}

void NameCompressor::forget_from(size_t offset) {
    size_t kept = 0;
    for (size_t e = 0; e < count_; ++e)
        if (entries_[e].offset < offset) entries_[kept++] = entries_[e];
    count_ = kept;
}

}  // namespace cairn::wire
