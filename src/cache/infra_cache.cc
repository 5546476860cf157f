#include "cache/infra_cache.h"

#include <algorithm>
#include <mutex>

#include "cache/lru_map.h"
#include "cache/shard_totals.h"

namespace cairn::cache {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Floor of the per-server timeout: a loaded host (or path) adds jitter that a
// few-millisecond SRTT does not predict, and a spurious timeout costs a
// retry and a back-off.
constexpr milliseconds kMinTimeout{200};
constexpr milliseconds kMaxTimeout{5000};
// Back-off starts with the second timeout in a row: 1 s, then doubling up
// to 120 s. When it ends one query (a probe) may go again; if that times out
// too the next back-off is twice as long.
constexpr uint32_t kTimeoutsBeforeBackoff = 2;
constexpr std::chrono::seconds kFirstBackoff{1};
constexpr std::chrono::seconds kMaxBackoff{120};
constexpr uint32_t kMaxCountedTimeouts = 32;
// A server that timed out ranks as if it were this much slower, per timeout.
constexpr microseconds kMaxRankingRtt = std::chrono::seconds(120);
// How long a server stays lame for a zone, and for how many zones one server
// remembers it.
constexpr std::chrono::minutes kLameDuration{15};
constexpr size_t kMaxLameZones = 16;
// How long a server that does not preserve the QNAME's case is asked
// without 0x20.
constexpr std::chrono::hours kCaseBlindDuration{1};

struct LameZone {
    wire::Name zone;
    MonotonicTime until;
};

struct ServerInfo {
    // RFC 6298 §2 estimator; meaningful once `measured`.
    microseconds srtt{0};
    microseconds rttvar{0};
    bool measured = false;
    uint32_t timeouts_in_row = 0;
    MonotonicTime backoff_until{};
    EdnsSupport edns = EdnsSupport::kUnknown;
    std::vector<LameZone> lame;
    MonotonicTime case_blind_until{};
    std::optional<ServerCookie> cookie;
    MonotonicTime updated{};
};

struct AddressHash {
    size_t operator()(const wire::IpAddress& address) const {
        uint64_t h = address.is_v4() ? 4 : 6;
        for (uint8_t b : address.bytes())
            h = (h ^ b) * 0x100000001b3ULL;
        return detail::mix64(h);
    }
};

using InfraMap = detail::LruMap<wire::IpAddress, ServerInfo, AddressHash>;

size_t accounted_bytes(const ServerInfo& info) {
    return InfraMap::kNodeOverhead + detail::heap_block(info.lame.capacity() * sizeof(LameZone));
}

// `value` doubled `times` times, but not beyond `cap` (unless it started
// there).
template <class D>
D doubled(D value, uint32_t times, D cap) {
    for (uint32_t i = 0; i < times && value < cap; ++i)
        value = std::min(value * 2, cap);
    return value;
}

}  // namespace

struct InfraCache::Shard {
    Shard(size_t budget, std::chrono::seconds max_age) : map(budget), max_age(max_age) {}

    bool aged_out(const ServerInfo& info) const { return latest - info.updated > max_age; }

    // The live entry for `server`, or nullptr. Callers without a time of
    // their own judge age by the latest time the shard has seen.
    const ServerInfo* read(const wire::IpAddress& server) {
        auto* slot = map.peek(server);
        return slot && !aged_out(slot->value) ? &slot->value : nullptr;
    }

    // The entry for `server`, made if absent or aged out, marked updated.
    ServerInfo& write(const wire::IpAddress& server, MonotonicTime now) {
        latest = std::max(latest, now);
        auto* slot = map.find(server);
        if (!slot || aged_out(slot->value)) {
            // Entries nobody updated for max_age go first.
            while (map.oldest() && map.oldest() != slot && aged_out(map.oldest()->value))
                map.erase(map.oldest());
            slot = map.put(server, ServerInfo{}, accounted_bytes(ServerInfo{}));
        }
        slot->value.updated = now;
        return slot->value;
    }

    // Accounts again for the entry of `server`, whose lame list grew.
    void account(const wire::IpAddress& server) {
        if (auto* slot = map.peek(server)) map.resize(slot, accounted_bytes(slot->value));
    }

    std::mutex mutex;
    InfraMap map;
    const std::chrono::seconds max_age;
    MonotonicTime latest{};
};

InfraCache::InfraCache(size_t max_bytes, std::chrono::seconds max_age) {
    const size_t n = detail::shard_count(64, max_bytes);
    shards_.reserve(n);
    for (size_t i = 0; i < n; ++i)
        shards_.push_back(std::make_unique<Shard>(max_bytes / n, max_age));
}

InfraCache::~InfraCache() = default;

InfraCache::Shard& InfraCache::shard_for(const wire::IpAddress& server) const {
    return *shards_[AddressHash{}(server) & (shards_.size() - 1)];
}

std::chrono::microseconds InfraCache::srtt(const wire::IpAddress& server,
                                           std::chrono::microseconds unknown) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    const ServerInfo* info = shard.read(server);
    if (!info) return unknown;
    // Unanswered queries make a server look slower, so that others are
    // preferred while it is in trouble.
    return doubled(info->measured ? info->srtt : unknown, info->timeouts_in_row, kMaxRankingRtt);
}

std::chrono::milliseconds InfraCache::timeout(const wire::IpAddress& server,
                                              std::chrono::milliseconds initial) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    const ServerInfo* info = shard.read(server);
    if (!info) return initial;
    milliseconds base = initial;
    if (info->measured) {
        // RFC 6298 §2: RTO = SRTT + 4 * RTTVAR, within our bounds.
        base = std::clamp(std::chrono::ceil<milliseconds>(info->srtt + 4 * info->rttvar),
                          kMinTimeout, kMaxTimeout);
    }
    // RFC 6298 §5.5: back the timer off after each timeout.
    return doubled(base, info->timeouts_in_row, std::max(kMaxTimeout, base));
}

void InfraCache::record_rtt(const wire::IpAddress& server, std::chrono::microseconds rtt,
                            MonotonicTime now) {
    rtt = std::max(rtt, microseconds{0});
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    ServerInfo& info = shard.write(server, now);
    if (!info.measured) {
        // RFC 6298 §2.2.
        info.srtt = rtt;
        info.rttvar = rtt / 2;
        info.measured = true;
    } else {
        // RFC 6298 §2.3, alpha = 1/8, beta = 1/4.
        const microseconds delta = info.srtt > rtt ? info.srtt - rtt : rtt - info.srtt;
        info.rttvar = (3 * info.rttvar + delta) / 4;
        info.srtt = (7 * info.srtt + rtt) / 8;
    }
    // It answered: whatever back-off there was is over.
    info.timeouts_in_row = 0;
    info.backoff_until = MonotonicTime{};
}

void InfraCache::record_timeout(const wire::IpAddress& server, MonotonicTime now) {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    ServerInfo& info = shard.write(server, now);
    info.timeouts_in_row = std::min(info.timeouts_in_row + 1, kMaxCountedTimeouts);
    if (info.timeouts_in_row >= kTimeoutsBeforeBackoff) {
        const auto period =
            doubled(kFirstBackoff, info.timeouts_in_row - kTimeoutsBeforeBackoff, kMaxBackoff);
        info.backoff_until = now + period;
    }
}

bool InfraCache::backed_off(const wire::IpAddress& server, MonotonicTime now) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.latest = std::max(shard.latest, now);
    const ServerInfo* info = shard.read(server);
    return info && now < info->backoff_until;
}

EdnsSupport InfraCache::edns(const wire::IpAddress& server) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    const ServerInfo* info = shard.read(server);
    return info ? info->edns : EdnsSupport::kUnknown;
}

void InfraCache::set_edns(const wire::IpAddress& server, EdnsSupport support, MonotonicTime now) {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.write(server, now).edns = support;
}

void InfraCache::mark_lame(const wire::IpAddress& server, const wire::Name& zone,
                           MonotonicTime now) {
    const MonotonicTime until = now + kLameDuration;
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    auto& lame = shard.write(server, now).lame;
    std::erase_if(lame, [&](const LameZone& z) { return z.until <= now; });
    for (auto& z : lame) {
        if (z.zone == zone) {
            z.until = until;
            return;
        }
    }
    if (lame.size() >= kMaxLameZones) {
        // Forget the one that would have expired first.
        auto first = std::min_element(lame.begin(), lame.end(), [](const auto& a, const auto& b) {
            return a.until < b.until;
        });
        *first = LameZone{zone, until};
        return;
    }
    lame.push_back(LameZone{zone, until});
    shard.account(server);
}

bool InfraCache::lame(const wire::IpAddress& server, const wire::Name& zone,
                      MonotonicTime now) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.latest = std::max(shard.latest, now);
    const ServerInfo* info = shard.read(server);
    if (!info) return false;
    return std::any_of(info->lame.begin(), info->lame.end(),
                       [&](const LameZone& z) { return z.zone == zone && now < z.until; });
}

ServerHygiene InfraCache::hygiene(const wire::IpAddress& server, MonotonicTime now) const {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.latest = std::max(shard.latest, now);
    const ServerInfo* info = shard.read(server);
    ServerHygiene hygiene;
    if (!info) return hygiene;
    hygiene.preserves_case = now >= info->case_blind_until;
    hygiene.cookie = info->cookie;
    return hygiene;
}

void InfraCache::mark_case_blind(const wire::IpAddress& server, MonotonicTime now) {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.write(server, now).case_blind_until = now + kCaseBlindDuration;
}

void InfraCache::set_cookie(const wire::IpAddress& server, const ServerCookie& cookie,
                            MonotonicTime now) {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.write(server, now).cookie = cookie;
}

void InfraCache::forget_cookie(const wire::IpAddress& server, MonotonicTime now) {
    Shard& shard = shard_for(server);
    std::lock_guard lock(shard.mutex);
    shard.write(server, now).cookie.reset();
}

void InfraCache::clear() {
    clear_shards(shards_);
}

std::vector<ServerEstimate> InfraCache::servers() const {
    std::vector<ServerEstimate> out;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        shard->map.for_each([&](const wire::IpAddress& server, const ServerInfo& info) {
            if (shard->aged_out(info)) return;
            out.push_back({server, info.srtt, info.rttvar, info.measured, info.timeouts_in_row});
        });
    }
    return out;
}

size_t InfraCache::entries() const {
    size_t n = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        n += shard->map.size();
    }
    return n;
}

size_t InfraCache::memory_used() const {
    return sum_over_shards(shards_, [](const auto& map) { return map.bytes(); });
}

}  // namespace cairn::cache
