#include "cache/packed_rrset.h"

#include <algorithm>
#include <cstring>

#include "wire/buffer.h"

namespace cairn::cache {
namespace {

size_t packed_size(std::span<const wire::RData> rdatas) {
    size_t n = 2;
    for (const auto& r : rdatas)
        n += 2 + r.size();
    return n;
}

size_t packed_size(std::span<const wire::Record> records) {
    size_t n = 2;
    for (const auto& r : records)
        n += 1 + r.owner.wire_length() + 10 + r.rdata.size();
    return n;
}

uint8_t* put_u16(uint8_t* p, size_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
    return p + 2;
}

uint8_t* put_u32(uint8_t* p, uint32_t v) {
    return put_u16(put_u16(p, v >> 16), v & 0xFFFF);
}

uint8_t* put_bytes(uint8_t* p, std::span<const uint8_t> bytes) {
    if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
    return p + bytes.size();
}

uint8_t* pack(uint8_t* p, std::span<const wire::RData> rdatas) {
    p = put_u16(p, rdatas.size());
    for (const auto& r : rdatas)
        p = put_bytes(put_u16(p, r.size()), r.bytes());
    return p;
}

uint8_t* pack(uint8_t* p, std::span<const wire::Record> records) {
    p = put_u16(p, records.size());
    for (const auto& r : records) {
        *p++ = static_cast<uint8_t>(r.owner.wire_length());
        p = put_bytes(p, r.owner.wire());
        p = put_u16(p, static_cast<uint16_t>(r.type));
        p = put_u16(p, static_cast<uint16_t>(r.rclass));
        p = put_u32(p, r.ttl);
        p = put_bytes(put_u16(p, r.rdata.size()), r.rdata.bytes());
    }
    return p;
}

// Calls `each` with every RDATA of the part that starts at `part`.
template <class Each>
void for_each_rdata(std::span<const uint8_t> part, Each each) {
    const size_t count = wire::load_u16(part.data());
    size_t pos = 2;
    for (size_t i = 0; i < count; ++i) {
        const size_t length = wire::load_u16(part.data() + pos);
        each(part.subspan(pos + 2, length));
        pos += 2 + length;
    }
}

std::vector<wire::RData> unpack_rdatas(std::span<const uint8_t> part) {
    std::vector<wire::RData> out;
    out.reserve(wire::load_u16(part.data()));
    for_each_rdata(part, [&](std::span<const uint8_t> r) {
        out.push_back(wire::RData::from_trusted_bytes({r.begin(), r.end()}));
    });
    return out;
}

bool same_rdatas(std::span<const uint8_t> part, std::span<const wire::RData> rdatas) {
    if (wire::load_u16(part.data()) != rdatas.size()) return false;
    size_t i = 0;
    bool same = true;
    for_each_rdata(part, [&](std::span<const uint8_t> r) {
        const auto theirs = rdatas[i++].bytes();
        same = same && std::equal(r.begin(), r.end(), theirs.begin(), theirs.end());
    });
    return same;
}

}  // namespace

PackedRRset::PackedRRset(std::span<const wire::RData> rdatas,
                         std::span<const wire::RData> signatures,
                         std::span<const wire::Record> records) {
    signatures_at_ = static_cast<uint32_t>(packed_size(rdatas));
    records_at_ = signatures_at_ + static_cast<uint32_t>(packed_size(signatures));
    size_ = records_at_ + static_cast<uint32_t>(packed_size(records));
    bytes_ = std::make_unique_for_overwrite<uint8_t[]>(size_);
    pack(pack(pack(bytes_.get(), rdatas), signatures), records);
}

PackedRRset::PackedRRset(const PackedRRset& other)
    : size_(other.size_), signatures_at_(other.signatures_at_), records_at_(other.records_at_) {
    if (size_ == 0) return;
    bytes_ = std::make_unique_for_overwrite<uint8_t[]>(size_);
    std::memcpy(bytes_.get(), other.bytes_.get(), size_);
}

PackedRRset& PackedRRset::operator=(const PackedRRset& other) {
    if (this != &other) *this = PackedRRset(other);
    return *this;
}

std::vector<wire::RData> PackedRRset::rdatas() const {
    if (size_ == 0) return {};
    return unpack_rdatas(bytes().subspan(0, signatures_at_));
}

std::vector<wire::RData> PackedRRset::signatures() const {
    if (size_ == 0) return {};
    return unpack_rdatas(bytes().subspan(signatures_at_, records_at_ - signatures_at_));
}

bool PackedRRset::has_records() const {
    return size_ != 0 && wire::load_u16(bytes_.get() + records_at_) != 0;
}

std::vector<wire::Record> PackedRRset::records() const {
    std::vector<wire::Record> out;
    if (!has_records()) return out;
    const auto part = bytes().subspan(records_at_);
    const size_t count = wire::load_u16(part.data());
    out.reserve(count);
    size_t pos = 2;
    for (size_t i = 0; i < count; ++i) {
        const size_t name_length = part[pos];
        wire::Record r;
        r.owner = *wire::Name::from_wire(part.subspan(pos + 1, name_length));
        pos += 1 + name_length;
        r.type = static_cast<wire::RRType>(wire::load_u16(part.data() + pos));
        r.rclass = static_cast<wire::RRClass>(wire::load_u16(part.data() + pos + 2));
        r.ttl = wire::load_u32(part.data() + pos + 4);
        const size_t length = wire::load_u16(part.data() + pos + 8);
        const auto rdata = part.subspan(pos + 10, length);
        r.rdata = wire::RData::from_trusted_bytes({rdata.begin(), rdata.end()});
        pos += 10 + length;
        out.push_back(std::move(r));
    }
    return out;
}

bool PackedRRset::holds(std::span<const wire::RData> rdatas,
                        std::span<const wire::RData> signatures) const {
    if (size_ == 0) return rdatas.empty() && signatures.empty();
    return same_rdatas(bytes().subspan(0, signatures_at_), rdatas) &&
           same_rdatas(bytes().subspan(signatures_at_, records_at_ - signatures_at_), signatures);
}

}  // namespace cairn::cache
