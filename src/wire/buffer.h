// Bounds-checked reading and writing of big-endian wire data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "wire/wire_error.h"

namespace cairn::wire {

// Reads from a whole message. Keeps the message span (not just the rest) so
// that compression pointers, which are message offsets, can be followed.
class Reader {
public:
    explicit Reader(std::span<const uint8_t> message, size_t offset = 0)
        : data_(message), pos_(offset) {}

    std::span<const uint8_t> message() const { return data_; }
    size_t offset() const { return pos_; }
    size_t remaining() const { return data_.size() - pos_; }
    bool at_end() const { return pos_ == data_.size(); }

    WireResult<uint8_t> u8() {
        if (remaining() < 1) return fail(WireError::kTruncated);
        return data_[pos_++];
    }
    WireResult<uint16_t> u16() {
        if (remaining() < 2) return fail(WireError::kTruncated);
        uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
        pos_ += 2;
        return v;
    }
    WireResult<uint32_t> u32() {
        if (remaining() < 4) return fail(WireError::kTruncated);
        uint32_t v = uint32_t{data_[pos_]} << 24 | uint32_t{data_[pos_ + 1]} << 16 |
                     uint32_t{data_[pos_ + 2]} << 8 | uint32_t{data_[pos_ + 3]};
        pos_ += 4;
        return v;
    }
    WireResult<std::span<const uint8_t>> bytes(size_t n) {
        if (remaining() < n) return fail(WireError::kTruncated);
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    WireStatus skip(size_t n) {
        if (remaining() < n) return fail(WireError::kTruncated);
        pos_ += n;
        return {};
    }
    void seek(size_t offset) { pos_ = offset <= data_.size() ? offset : data_.size(); }

    // Compression pointers followed by the names read so far: the work a
    // hostile message can cause, which tests check stays bounded.
    size_t pointer_hops() const { return pointer_hops_; }
    void count_pointer_hop() { ++pointer_hops_; }

private:
    std::span<const uint8_t> data_;
    size_t pos_;
    size_t pointer_hops_ = 0;
};

// Writes into caller-provided memory; never allocates. Every write reports
// kNoSpace rather than overflowing.
class Writer {
public:
    explicit Writer(std::span<uint8_t> out) : out_(out) {}

    size_t size() const { return pos_; }
    size_t capacity() const { return out_.size(); }
    size_t available() const { return out_.size() - pos_; }
    std::span<uint8_t> written() const { return out_.first(pos_); }
    std::span<const uint8_t> whole() const { return out_; }

    WireStatus u8(uint8_t v) {
        if (available() < 1) return fail(WireError::kNoSpace);
        out_[pos_++] = v;
        return {};
    }
    WireStatus u16(uint16_t v) {
        if (available() < 2) return fail(WireError::kNoSpace);
        out_[pos_] = static_cast<uint8_t>(v >> 8);
        out_[pos_ + 1] = static_cast<uint8_t>(v);
        pos_ += 2;
        return {};
    }
    WireStatus u32(uint32_t v) {
        if (available() < 4) return fail(WireError::kNoSpace);
        out_[pos_] = static_cast<uint8_t>(v >> 24);
        out_[pos_ + 1] = static_cast<uint8_t>(v >> 16);
        out_[pos_ + 2] = static_cast<uint8_t>(v >> 8);
        out_[pos_ + 3] = static_cast<uint8_t>(v);
        pos_ += 4;
        return {};
    }
    WireStatus bytes(std::span<const uint8_t> data) {
        if (available() < data.size()) return fail(WireError::kNoSpace);
        if (!data.empty()) std::memcpy(out_.data() + pos_, data.data(), data.size());
        pos_ += data.size();
        return {};
    }
    // Overwrites a 16-bit value already written (RDLENGTH, counts).
    void patch_u16(size_t offset, uint16_t v) {
        out_[offset] = static_cast<uint8_t>(v >> 8);
        out_[offset + 1] = static_cast<uint8_t>(v);
    }
    // Drops everything written after `offset` (used to undo a partial RRset).
    void rewind(size_t offset) { pos_ = offset < pos_ ? offset : pos_; }

private:
    std::span<uint8_t> out_;
    size_t pos_ = 0;
};

inline uint16_t load_u16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t load_u32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace cairn::wire
