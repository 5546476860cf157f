// A local copy of the root zone (RFC 8806): accepted only when its DNSKEY
// RRset is vouched for by the root trust anchor, the RRSIG over its ZONEMD
// RRset verifies with those keys and the ZONEMD digest (RFC 8976) matches
// the zone; held as an immutable snapshot, swapped whole on refresh, and
// answered from memory while it is valid. Without a valid copy the resolver
// asks the root servers, as it does without this feature.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dnssec/trust_anchors.h"
#include "policy/zone_copy.h"
#include "wire/result.h"

namespace cairn::policy {

// One accepted copy of the root zone.
struct RootCopy {
    ZoneCopy zone;
    uint32_t serial = 0;
    uint32_t refresh = 0;  // SOA timers (RFC 1035 §3.3.13), seconds
    uint32_t retry = 0;
    uint32_t expire = 0;
    size_t records = 0;
    // The earliest expiration of any RRSIG in the zone (wall-clock second):
    // past it, some answer from the copy would no longer validate.
    int64_t signatures_expire = 0;
};

// Why a copy was not taken, or was let go: the metrics count each kind.
enum class RootFailure : uint8_t {
    kTransfer,         // no zone from any source (the transfer failed)
    kZone,             // not a root zone: no single SOA, no DNSKEY
    kKeys,             // DNSKEY RRset not proven by the trust anchor
    kZonemdSignature,  // no valid RRSIG over the ZONEMD RRset
    kZonemd,           // ZONEMD absent, unusable or not matching the zone
    kExpired,          // past SOA expire since the last refresh, or signatures expired
};
inline constexpr size_t kRootFailureKinds = 6;
const char* to_string(RootFailure failure);

struct RootRejection {
    RootFailure kind = RootFailure::kZone;
    std::string why;  // one line for the log
};

// Checks `records` (a whole root zone, as transferred) at wall-clock second
// `now` against the root's anchor in `anchors` (RFC 8806 §3, RFC 8976 §4).
// The ZONEMD digest covers every record, so one signature check over it
// stands for the RRSIGs of the whole zone; each of those is still checked
// for its validity period, and the copy lives no longer than the first.
Result<std::shared_ptr<const RootCopy>, RootRejection> accept_root_zone(
    std::span<const wire::Record> records, const dnssec::TrustAnchors& anchors, int64_t now);

struct LocalRootStats {
    bool loaded = false;
    uint32_t serial = 0;
    int64_t age = 0;         // seconds since the copy was last transferred or refreshed
    uint64_t answers = 0;    // responses given from the copy
    uint64_t fallbacks = 0;  // questions for the root servers with no valid copy
    std::array<uint64_t, kRootFailureKinds> failures{};
};

// The copy in use, shared by every worker. Readers take a snapshot without
// a lock (an atomic shared_ptr); the fetcher installs, refreshes and drops.
class LocalRoot {
public:
    // The response the root servers would give to `question`, from the
    // current copy at wall-clock second `now`; nullopt (and the question
    // counted as a fallback) when there is no valid copy or it cannot say.
    std::optional<wire::Message> answer(const wire::Question& question, int64_t now) const;
    // The copy valid at `now`, or nullptr.
    std::shared_ptr<const RootCopy> current(int64_t now) const;

    // Replaces the copy with `copy`, fetched at `now`.
    void install(std::shared_ptr<const RootCopy> copy, int64_t now);
    // The sources still serve the current serial: SOA expire counts anew.
    void refreshed(int64_t now);
    void drop();
    void count_failure(RootFailure failure);

    LocalRootStats stats(int64_t now) const;

private:
    std::atomic<std::shared_ptr<const RootCopy>> copy_;
    std::atomic<int64_t> refreshed_at_{0};
    mutable std::atomic<uint64_t> answers_{0};
    mutable std::atomic<uint64_t> fallbacks_{0};
    std::array<std::atomic<uint64_t>, kRootFailureKinds> failures_{};
};

}  // namespace cairn::policy
