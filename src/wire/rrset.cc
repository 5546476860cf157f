#include "wire/rrset.h"

#include <algorithm>

namespace cairn::wire {

void RRset::add(RData rdata) {
    if (std::find(rdatas.begin(), rdatas.end(), rdata) == rdatas.end())
        rdatas.push_back(std::move(rdata));
}

int canonical_rdata_compare(RRType type, const RData& a, const RData& b) {
    const auto ca = a.canonical(type);
    const auto cb = b.canonical(type);
    const auto x = ca.bytes();
    const auto y = cb.bytes();
    const auto [ix, iy] = std::mismatch(x.begin(), x.end(), y.begin(), y.end());
    if (ix == x.end() && iy == y.end()) return 0;
    if (ix == x.end()) return -1;
    if (iy == y.end()) return 1;
    return *ix < *iy ? -1 : 1;
}

void RRset::sort_canonical() {
    // Canonicalise once, then sort pairs, rather than per comparison.
    std::vector<std::pair<RData, RData>> keyed;
    keyed.reserve(rdatas.size());
    for (auto& r : rdatas)
        keyed.emplace_back(r.canonical(type), std::move(r));
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        return std::lexicographical_compare(a.first.bytes().begin(), a.first.bytes().end(),
                                            b.first.bytes().begin(), b.first.bytes().end());
    });
    rdatas.clear();
    for (auto& k : keyed)
        rdatas.push_back(std::move(k.second));
}

std::vector<Record> RRset::to_records() const {
    std::vector<Record> out;
    out.reserve(rdatas.size());
    for (const auto& r : rdatas)
        out.push_back(Record{owner, type, rclass, ttl, r});
    return out;
}

std::vector<RRset> group_rrsets(std::span<const Record> records) {
    std::vector<RRset> sets;
    for (const auto& record : records) {
        auto it = std::find_if(sets.begin(), sets.end(), [&](const RRset& s) {
            return s.type == record.type && s.rclass == record.rclass && s.owner == record.owner;
        });
        if (it == sets.end()) {
            sets.push_back(RRset{record.owner, record.type, record.rclass, record.ttl, {}});
            it = sets.end() - 1;
        }
        it->ttl = std::min(it->ttl, record.ttl);
        it->add(record.rdata);
    }
    return sets;
}

}  // namespace cairn::wire
