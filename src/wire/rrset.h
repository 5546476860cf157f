// Records grouped into RRsets: all records with one owner, class and type
// (RFC 2181 §5).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "wire/record.h"

namespace cairn::wire {

struct RRset {
    Name owner;
    RRType type = RRType::A;
    RRClass rclass = RRClass::IN;
    uint32_t ttl = 0;
    std::vector<RData> rdatas;

    // Adds `rdata` unless an identical one is present: an RRset holds no
    // duplicates (RFC 2181 §5).
    void add(RData rdata);

    // Orders the RDATA canonically (RFC 4034 §6.3): by canonical form,
    // compared as left-justified unsigned octet strings.
    void sort_canonical();

    std::vector<Record> to_records() const;

    bool operator==(const RRset&) const = default;
};

// Groups records into RRsets in order of first appearance. Records of one
// RRset with different TTLs get the lowest (RFC 2181 §5.2 calls such data
// invalid; the lowest is the safe choice for a cache).
std::vector<RRset> group_rrsets(std::span<const Record> records);

// RFC 4034 §6.3 comparison of two RDATA of `type`.
int canonical_rdata_compare(RRType type, const RData& a, const RData& b);

}  // namespace cairn::wire
