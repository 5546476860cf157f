#include "cache/packet_cache.h"

#include <algorithm>
#include <cstring>

#include "cache/lru_map.h"
#include "wire/header.h"

namespace cairn::cache {
namespace {

struct PacketKeyHash {
    size_t operator()(const PacketKey& key) const {
        const uint64_t bits = uint64_t{static_cast<uint16_t>(key.qtype)} << 20 |
                              uint64_t{static_cast<uint16_t>(key.qclass)} << 4 |
                              uint64_t{key.dnssec_ok} << 3 | uint64_t{key.checking_disabled} << 2 |
                              uint64_t{key.has_edns} << 1 | uint64_t{key.recursion_desired};
        return detail::mix64(key.qname.hash() ^ bits * 0x9e3779b97f4a7c15ULL);
    }
};

struct PacketKeyEqual {
    bool operator()(const PacketKey& a, const PacketKey& b) const {
        return a.qtype == b.qtype && a.qclass == b.qclass && a.dnssec_ok == b.dnssec_ok &&
               a.checking_disabled == b.checking_disabled && a.has_edns == b.has_edns &&
               a.recursion_desired == b.recursion_desired && a.qname == b.qname;
    }
};

struct StoredPacket {
    std::vector<uint8_t> wire;
    // Where each record's TTL field is (every record but OPT, whose "TTL"
    // holds EDNS flags).
    std::vector<uint16_t> ttl_offsets;
    int64_t stored_at = 0;
    int64_t expires = 0;
};

using PacketMap = detail::LruMap<PacketKey, StoredPacket, PacketKeyHash, PacketKeyEqual>;

constexpr size_t kQuestionOffset = wire::Header::kSize;
constexpr uint16_t kOptType = static_cast<uint16_t>(wire::RRType::OPT);

// Moves `pos` past a possibly compressed name; false if it runs off the end
// or uses a reserved label type. Pointer targets are not followed: only the
// record layout matters here.
bool skip_name(std::span<const uint8_t> data, size_t& pos) {
    while (pos < data.size()) {
        const uint8_t len = data[pos];
        if ((len & 0xC0) == 0xC0) {
            pos += 2;
            return pos <= data.size();
        }
        if (len & 0xC0) return false;
        pos += 1 + len;
        if (len == 0) return true;
    }
    return false;
}

// Checks that `answer` answers `qname` (one question, spelled uncompressed
// right after the header, as every first name is) and collects its TTL
// offsets.
bool index_answer(std::span<const uint8_t> answer, const wire::Name& qname,
                  std::vector<uint16_t>& ttl_offsets) {
    if (answer.size() < kQuestionOffset || answer.size() > UINT16_MAX) return false;
    if (wire::load_u16(answer.data() + wire::kHeaderQdcountOffset) != 1) return false;
    if (answer.size() < kQuestionOffset + qname.wire_length()) return false;
    auto stored_qname = wire::Name::from_wire(answer.subspan(kQuestionOffset, qname.wire_length()));
    if (!stored_qname || !(*stored_qname == qname)) return false;
    size_t pos = kQuestionOffset + qname.wire_length() + 4;  // type, class
    const size_t records = size_t{wire::load_u16(answer.data() + wire::kHeaderAncountOffset)} +
                           wire::load_u16(answer.data() + wire::kHeaderNscountOffset) +
                           wire::load_u16(answer.data() + wire::kHeaderArcountOffset);
    ttl_offsets.reserve(records);
    for (size_t i = 0; i < records; ++i) {
        if (!skip_name(answer, pos)) return false;
        if (pos + 10 > answer.size()) return false;  // type, class, TTL, RDLENGTH
        if (wire::load_u16(answer.data() + pos) != kOptType)
            ttl_offsets.push_back(static_cast<uint16_t>(pos + 4));
        pos += 10 + wire::load_u16(answer.data() + pos + 8);
    }
    return pos == answer.size();
}

void store_u32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}

}  // namespace

struct PacketCache::Index {
    explicit Index(size_t max_bytes) : map(max_bytes) {}
    PacketMap map;
};

PacketCache::PacketCache(size_t max_bytes) : index_(std::make_unique<Index>(max_bytes)) {}

PacketCache::~PacketCache() = default;
PacketCache::PacketCache(PacketCache&&) noexcept = default;
PacketCache& PacketCache::operator=(PacketCache&&) noexcept = default;

size_t PacketCache::lookup(const PacketKey& key, uint16_t id, const wire::Name& question_spelling,
                           int64_t now, std::span<uint8_t> out) {
    PacketMap& map = index_->map;
    auto* slot = map.peek(key);
    if (!slot) {
        ++misses_;
        return 0;
    }
    const StoredPacket& stored = slot->value;
    if (now >= stored.expires) {
        map.erase(slot);
        ++misses_;
        return 0;
    }
    const size_t size = stored.wire.size();
    if (size > out.size()) {
        ++misses_;
        return 0;
    }
    map.touch(slot);

    uint8_t* p = out.data();
    std::memcpy(p, stored.wire.data(), size);
    p[wire::kHeaderIdOffset] = static_cast<uint8_t>(id >> 8);
    p[wire::kHeaderIdOffset + 1] = static_cast<uint8_t>(id);
    // The client's spelling of the question (0x20); answer owners that point
    // at it by compression follow along.
    if (question_spelling == slot->key->qname)
        std::memcpy(p + kQuestionOffset, question_spelling.wire().data(),
                    question_spelling.wire_length());
    const int64_t age64 = std::clamp<int64_t>(now - stored.stored_at, 0, UINT32_MAX);
    const auto age = static_cast<uint32_t>(age64);
    for (const uint16_t offset : stored.ttl_offsets) {
        const uint32_t ttl = wire::load_u32(p + offset);
        store_u32(p + offset, ttl > age ? ttl - age : 0);
    }
    ++hits_;
    return size;
}

void PacketCache::insert(const PacketKey& key, std::span<const uint8_t> answer, uint32_t ttl,
                         int64_t now) {
    PacketMap& map = index_->map;
    StoredPacket stored;
    if (ttl == 0 || !index_answer(answer, key.qname, stored.ttl_offsets)) {
        // Not cacheable; an older answer must not outlive this newer one.
        map.erase(key);
        return;
    }
    stored.ttl_offsets.shrink_to_fit();
    stored.wire.assign(answer.begin(), answer.end());
    stored.stored_at = now;
    stored.expires = now + ttl;
    const size_t bytes = PacketMap::kNodeOverhead + detail::heap_block(stored.wire.capacity()) +
                         detail::heap_block(stored.ttl_offsets.capacity() * sizeof(uint16_t));
    map.put(key, std::move(stored), bytes);
}

void PacketCache::clear() {
    index_->map.clear();
}

size_t PacketCache::entries() const {
    return index_->map.size();
}

size_t PacketCache::memory_used() const {
    return index_->map.bytes();
}

}  // namespace cairn::cache
