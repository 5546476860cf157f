#include "server/rate_limiter.h"

#include <algorithm>
#include <bit>

#include "wire/types.h"

namespace cairn::server {

ResponseRateLimiter::ResponseRateLimiter(const RateLimits& limits, uint64_t seed)
    : rates_{limits.answers, limits.nxdomains, limits.errors}, slip_(limits.slip), seed_(seed) {
    const bool any = limits.answers != 0 || limits.nxdomains != 0 || limits.errors != 0;
    if (!any) return;
    // A whole number of sets, a power of two of them (the set is a mask of
    // the hash).
    const size_t wanted = std::max<size_t>(limits.table_entries, kWays);
    table_.resize(std::bit_ceil(wanted));
}

RateVerdict ResponseRateLimiter::take(const net::ClientPrefix& client, ResponseClass kind,
                                      int64_t now) {
    const uint32_t rate = rates_[index(kind)];
    if (rate == 0) return RateVerdict::kSend;
    const auto tag = static_cast<uint8_t>(1 + index(kind) + (client.is_v6() ? 4 : 0));
    Entry& entry = find_or_claim(client, tag, now, rate);
    if (now > entry.last) {
        // Whole seconds passed: refill, up to one second's worth.
        const auto seconds = static_cast<uint64_t>(now - entry.last);
        entry.tokens = static_cast<uint32_t>(
            std::min<uint64_t>(rate, entry.tokens + std::min<uint64_t>(seconds, rate) * rate));
        entry.last = now;
    } else if (now < entry.last) {
        entry.last = now;  // the clock went back: start the second again
    }
    if (entry.tokens > 0) {
        --entry.tokens;
        return RateVerdict::kSend;
    }
    ++entry.limited;
    if (kind != ResponseClass::kError && slip_ != 0 && entry.limited % slip_ == 0)
        return RateVerdict::kSlip;
    return RateVerdict::kDrop;
}

ResponseRateLimiter::Entry& ResponseRateLimiter::find_or_claim(const net::ClientPrefix& client,
                                                               uint8_t tag, int64_t now,
                                                               uint32_t rate) {
    const size_t sets = table_.size() / kWays;
    const size_t set = (client.hash(seed_ + tag) & (sets - 1)) * kWays;
    Entry* victim = &table_[set];
    for (size_t i = set; i < set + kWays; ++i) {
        Entry& entry = table_[i];
        if (entry.tag == tag && entry.high == client.high() && entry.low == client.low())
            return entry;
        if (entry.tag == 0) {
            if (victim->tag != 0) victim = &entry;
        } else if (victim->tag != 0 && entry.last < victim->last) {
            victim = &entry;
        }
    }
    // A new client starts with a full budget.
    *victim = Entry{client.high(), client.low(), now, rate, 0, tag};
    return *victim;
}

ResponseClass response_class(unsigned rcode) {
    switch (static_cast<wire::Rcode>(rcode)) {
        case wire::Rcode::NOERROR: return ResponseClass::kAnswer;
        case wire::Rcode::NXDOMAIN: return ResponseClass::kNxdomain;
        default: return ResponseClass::kError;
    }
}

}  // namespace cairn::server
