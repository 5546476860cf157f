// The RRset and negative caches as text (`cairnctl cache dump`), and that
// text read back into them (`cairnctl cache load`): a restart that keeps
// what the cache had learnt, with honest TTLs and the verdicts of DNSSEC.
//
// The format, one entry per line, its head in zone-file order:
//
//   ; time 1700000000
//   <owner> <ttl> <class> <type> rrset <trust> <security> | <record> | ...
//   <name> <ttl> IN <type> nxdomain - <security> | <record> | ...
//   <name> <ttl> IN <type> nodata - <security> | <record> | ...
//
// `; time` gives the second (since the epoch) the dump was made; other
// lines starting with ';' are comments. <ttl> is the seconds the entry had
// left then. <trust> is the RFC 2181 §5.4.1 rank (additional, referral,
// answer-nonauth, authority-auth, answer-auth, validated); <security> what
// validation concluded (secure, insecure, bogus, indeterminate), with
// `/<code>` for the Extended DNS Error it noted (e.g. `bogus/6`). After the
// head, each record of the entry in zone-file syntax, separated by a lone
// `|`: for an RRset its records, its RRSIGs and (a wildcard expansion) the
// NSEC/NSEC3 records and RRSIGs proving it; for a negative entry the
// authority records that prove it (SOA, NSEC/NSEC3, RRSIGs). A NXDOMAIN's
// <type> is the type of the question that brought it; it covers them all.
//
// A dump is trusted as it stands (its verdicts are not checked again): load
// only what cairn wrote.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"
#include "wire/result.h"

namespace cairn::cache {

// The lines of one entry.
std::string dump_line(const CachedRRset& entry);
std::string dump_line(const NegativeEntry& entry);

// Every live entry of both caches, with the `; time` line for `now`. Each
// cache is read one shard at a time (RRsetCache::for_each_live).
std::string dump_caches(const RRsetCache& rrsets, const NegativeCache& negatives, int64_t now);

struct LoadCounts {
    size_t rrsets = 0;     // stored
    size_t negatives = 0;  // stored
    size_t expired = 0;    // expired since the dump: skipped
    size_t kept = 0;       // RRsets not stored: live data of higher rank was cached
};

// Reads a dump made by dump_caches(). The whole text is parsed first: a line
// that does not parse loads nothing, and the error names `source` and the
// line. Then every entry is stored with the TTL it has left at `now` (its
// TTL less the time since the dump), its trust rank and its verdict; those
// that have expired are skipped. Live data of higher rank already cached
// is kept (RRsetCache::insert).
Result<LoadCounts, TextError> load_caches(RRsetCache& rrsets, NegativeCache& negatives,
                                          std::string_view text, int64_t now,
                                          std::string_view source);

}  // namespace cairn::cache
