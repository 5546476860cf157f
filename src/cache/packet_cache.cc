#include "cache/packet_cache.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "cache/lru_map.h"
#include "wire/header.h"

namespace cairn::cache {
namespace {

uint64_t key_hash(const PacketKeyView& key) {
    const uint64_t bits = uint64_t{static_cast<uint16_t>(key.qtype)} << 20 |
                          uint64_t{static_cast<uint16_t>(key.qclass)} << 4 |
                          uint64_t{key.dnssec_ok} << 3 | uint64_t{key.checking_disabled} << 2 |
                          uint64_t{key.has_edns} << 1 | uint64_t{key.recursion_desired};
    return detail::mix64(key.qname.hash() ^ bits * 0x9e3779b97f4a7c15ULL);
}

uint8_t key_flags(const PacketKeyView& key) {
    return static_cast<uint8_t>(key.dnssec_ok << 3 | key.checking_disabled << 2 |
                                key.has_edns << 1 | key.recursion_desired);
}

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

constexpr size_t kFirstBuckets = 64;

}  // namespace

// The header of an entry's heap block; the answer as sent follows it, then
// the offsets of its TTL fields (two octets each, native order, unaligned).
// The key's name is the answer's question (checked when stored), its type
// and class follow that name, its flags are `flags`.
struct PacketCache::Entry {
    Entry* next = nullptr;   // in the bucket's chain
    Entry* newer = nullptr;  // towards the most recently used
    Entry* older = nullptr;  // towards the least recently used
    uint64_t hash = 0;
    int64_t stored_at = 0;
    int64_t expires = 0;
    uint32_t bytes = 0;  // accounted: the block and a share of the buckets
    uint16_t size = 0;   // of the answer
    uint16_t ttl_count = 0;
    uint8_t qname_length = 0;
    uint8_t flags = 0;

    uint8_t* answer() { return reinterpret_cast<uint8_t*>(this + 1); }
    const uint8_t* answer() const { return reinterpret_cast<const uint8_t*>(this + 1); }
    uint16_t ttl_offset(size_t i) const {
        uint16_t offset = 0;
        std::memcpy(&offset, answer() + size + 2 * i, sizeof offset);
        return offset;
    }

    bool matches(const PacketKeyView& key, uint64_t key_hash) const {
        if (hash != key_hash || flags != key_flags(key)) return false;
        const uint8_t* question = answer() + kQuestionOffset;
        return wire::load_u16(question + qname_length) == static_cast<uint16_t>(key.qtype) &&
               wire::load_u16(question + qname_length + 2) == static_cast<uint16_t>(key.qclass) &&
               key.qname.equals_wire({question, qname_length});
    }
};

void PacketCache::EntryDeleter::operator()(Entry* entry) const {
    entry->~Entry();
    ::operator delete(entry);
}

PacketCache::PacketCache(size_t max_bytes)
    : max_bytes_(max_bytes), buckets_(kFirstBuckets, nullptr) {}

PacketCache::~PacketCache() {
    clear();
}

PacketCache::Entry* PacketCache::find(const PacketKeyView& key, uint64_t hash) const {
    for (Entry* e = buckets_[hash & (buckets_.size() - 1)]; e; e = e->next)
        if (e->matches(key, hash)) return e;
    return nullptr;
}

void PacketCache::unlink_lru(Entry* e) {
    (e->newer ? e->newer->older : newest_) = e->older;
    (e->older ? e->older->newer : oldest_) = e->newer;
    e->newer = e->older = nullptr;
}

void PacketCache::link_lru_front(Entry* e) {
    e->older = newest_;
    e->newer = nullptr;
    if (newest_) newest_->newer = e;
    newest_ = e;
    if (!oldest_) oldest_ = e;
}

void PacketCache::remove(Entry* e) {
    Entry** link = &buckets_[e->hash & (buckets_.size() - 1)];
    while (*link != e)
        link = &(*link)->next;
    *link = e->next;
    unlink_lru(e);
    used_bytes_ -= e->bytes;
    --count_;
    EntryDeleter{}(e);
}

void PacketCache::grow() {
    std::vector<Entry*> bigger(buckets_.size() * 2, nullptr);
    for (Entry* head : buckets_)
        while (head) {
            Entry* next = head->next;
            Entry*& bucket = bigger[head->hash & (bigger.size() - 1)];
            head->next = bucket;
            bucket = head;
            head = next;
        }
    buckets_ = std::move(bigger);
}

size_t PacketCache::lookup(const PacketKeyView& key, uint16_t id,
                           const wire::Name& question_spelling, int64_t now,
                           std::span<uint8_t> out) {
    Entry* entry = find(key, key_hash(key));
    if (!entry) {
        ++misses_;
        return 0;
    }
    if (now >= entry->expires) {
        remove(entry);
        ++misses_;
        return 0;
    }
    const size_t size = entry->size;
    if (size > out.size()) {
        ++misses_;
        return 0;
    }
    if (newest_ != entry) {
        unlink_lru(entry);
        link_lru_front(entry);
    }

    uint8_t* p = out.data();
    std::memcpy(p, entry->answer(), size);
    p[wire::kHeaderIdOffset] = static_cast<uint8_t>(id >> 8);
    p[wire::kHeaderIdOffset + 1] = static_cast<uint8_t>(id);
    // The client's spelling of the question (0x20); answer owners that point
    // at it by compression follow along.
    if (question_spelling == key.qname)
        std::memcpy(p + kQuestionOffset, question_spelling.wire().data(),
                    question_spelling.wire_length());
    const int64_t age64 = std::clamp<int64_t>(now - entry->stored_at, 0, UINT32_MAX);
    const auto age = static_cast<uint32_t>(age64);
    for (size_t i = 0; i < entry->ttl_count; ++i) {
        const uint16_t offset = entry->ttl_offset(i);
        const uint32_t ttl = wire::load_u32(p + offset);
        store_u32(p + offset, ttl > age ? ttl - age : 0);
    }
    ++hits_;
    return size;
}

void PacketCache::insert(const PacketKeyView& key, std::span<const uint8_t> answer, uint32_t ttl,
                         int64_t now) {
    const uint64_t hash = key_hash(key);
    if (Entry* old = find(key, hash)) remove(old);
    std::vector<uint16_t> ttl_offsets;
    // Not cacheable: the older answer, removed above, must not outlive this
    // newer one either.
    if (ttl == 0 || !index_answer(answer, key.qname, ttl_offsets)) return;
    const size_t block = sizeof(Entry) + answer.size() + ttl_offsets.size() * sizeof(uint16_t);
    const size_t bytes = detail::heap_block(block) + 2 * sizeof(Entry*);
    if (bytes > max_bytes_) return;

    auto* entry = new (::operator new(block)) Entry;
    entry->hash = hash;
    entry->stored_at = now;
    entry->expires = now + ttl;
    entry->bytes = static_cast<uint32_t>(bytes);
    entry->size = static_cast<uint16_t>(answer.size());
    entry->ttl_count = static_cast<uint16_t>(ttl_offsets.size());
    entry->qname_length = static_cast<uint8_t>(key.qname.wire_length());
    entry->flags = key_flags(key);
    std::memcpy(entry->answer(), answer.data(), answer.size());
    if (!ttl_offsets.empty())
        std::memcpy(entry->answer() + answer.size(), ttl_offsets.data(),
                    ttl_offsets.size() * sizeof(uint16_t));

    Entry*& bucket = buckets_[hash & (buckets_.size() - 1)];
    entry->next = bucket;
    bucket = entry;
    link_lru_front(entry);
    used_bytes_ += bytes;
    ++count_;
    while (used_bytes_ > max_bytes_ && oldest_ != entry)
        remove(oldest_);
    if (count_ > buckets_.size()) grow();
}

void PacketCache::clear() {
    while (oldest_)
        remove(oldest_);
}

size_t PacketCache::entries() const {
    return count_;
}

size_t PacketCache::memory_used() const {
    return used_bytes_;
}

}  // namespace cairn::cache
