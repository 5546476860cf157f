// An RRset's data as the shared caches keep it: the RDATA, the RRSIGs and
// whole records (a wildcard expansion's proof; the authority section of a
// negative answer) packed into one heap block, instead of a vector per
// part, a block per RDATA and an inline 255-octet owner name per record.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "wire/record.h"

namespace cairn::cache {

class PackedRRset {
public:
    PackedRRset() = default;
    PackedRRset(std::span<const wire::RData> rdatas, std::span<const wire::RData> signatures,
                std::span<const wire::Record> records);
    PackedRRset(const PackedRRset& other);
    PackedRRset& operator=(const PackedRRset& other);
    PackedRRset(PackedRRset&&) noexcept = default;
    PackedRRset& operator=(PackedRRset&&) noexcept = default;

    std::vector<wire::RData> rdatas() const;
    std::vector<wire::RData> signatures() const;
    std::vector<wire::Record> records() const;
    bool has_records() const;

    // Byte for byte these RDATA and RRSIGs, in this order.
    bool holds(std::span<const wire::RData> rdatas, std::span<const wire::RData> signatures) const;

    // The length of its heap block, before the allocator's rounding.
    size_t heap_size() const { return size_; }

private:
    std::span<const uint8_t> bytes() const { return {bytes_.get(), size_}; }

    // Three parts, each a 16-bit count, then RDATA as (16-bit length,
    // octets); records as (name length, name, type, class, TTL,
    // RDATA length, RDATA), numbers in network order.
    std::unique_ptr<uint8_t[]> bytes_;
    uint32_t size_ = 0;
    uint32_t signatures_at_ = 0;
    uint32_t records_at_ = 0;
};

}  // namespace cairn::cache
