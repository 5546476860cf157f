// Whole wire answers, for the server's fast path. One PacketCache per worker
// thread: never shared, so a hit takes no lock at all, and a hit allocates
// nothing.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/message.h"

namespace cairn::cache {

// What makes two queries share an answer (DESIGN.md "The data path"), the
// name borrowed: a lookup copies nothing.
struct PacketKeyView {
    const wire::Name& qname;  // compared case-insensitively
    wire::RRType qtype = wire::RRType::A;
    wire::RRClass qclass = wire::RRClass::IN;
    bool dnssec_ok = false;
    bool checking_disabled = false;
    bool has_edns = false;
    bool recursion_desired = true;
};

// The same, owning its name: kept by a query waiting for its answer.
struct PacketKey {
    wire::Name qname;
    wire::RRType qtype = wire::RRType::A;
    wire::RRClass qclass = wire::RRClass::IN;
    bool dnssec_ok = false;
    bool checking_disabled = false;
    bool has_edns = false;
    bool recursion_desired = true;

    operator PacketKeyView() const {
        return {qname, qtype, qclass, dnssec_ok, checking_disabled, has_edns, recursion_desired};
    }
};

class PacketCache {
public:
    // Bounded to `max_bytes` of stored answers; least recently used go first.
    explicit PacketCache(size_t max_bytes);
    ~PacketCache();
    PacketCache(const PacketCache&) = delete;
    PacketCache& operator=(const PacketCache&) = delete;

    // On a hit, copies the stored answer into `out`, patching the ID, the
    // question's letter case (0x20 and clients that care) and every TTL
    // (minus the answer's age), and returns its length. Returns 0 on a miss,
    // when the entry expired, or when it does not fit in `out` (then the
    // slow path builds a truncated answer). No allocation.
    size_t lookup(const PacketKeyView& key, uint16_t id, const wire::Name& question_spelling,
                  int64_t now, std::span<uint8_t> out);

    // Stores `answer` (a complete response as sent) for `ttl` seconds. The
    // TTL fields' offsets are found once here so lookups can patch them.
    void insert(const PacketKeyView& key, std::span<const uint8_t> answer, uint32_t ttl,
                int64_t now);

    void clear();
    size_t entries() const;
    size_t memory_used() const;
    uint64_t hits() const { return hits_; }
    uint64_t misses() const { return misses_; }

private:
    // One heap block per answer (see packet_cache.cc): the key is not kept
    // apart, its name is the answer's own question, so an entry costs
    // little more than the answer.
    struct Entry;
    struct EntryDeleter {
        void operator()(Entry* entry) const;
    };

    Entry* find(const PacketKeyView& key, uint64_t hash) const;
    void unlink_lru(Entry* entry);
    void link_lru_front(Entry* entry);
    void remove(Entry* entry);
    void grow();

    size_t max_bytes_;
    size_t used_bytes_ = 0;
    size_t count_ = 0;
    std::vector<Entry*> buckets_;  // chains through Entry::next; a power of two
    Entry* newest_ = nullptr;
    Entry* oldest_ = nullptr;
    uint64_t hits_ = 0;
    uint64_t misses_ = 0;
};

}  // namespace cairn::cache
