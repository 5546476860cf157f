#include "cache/signature_expiry.h"

#include <algorithm>

#include "wire/typed_rdata.h"

namespace cairn::cache {

namespace {

std::optional<int64_t> expiry_of(const wire::RData& rdata, int64_t now) {
    auto sig = wire::RrsigData::from(rdata);
    if (!sig) return std::nullopt;
    const auto delta = static_cast<int32_t>(sig->expiration - static_cast<uint32_t>(now));
    return now + delta;
}

}  // namespace

std::optional<int64_t> earliest_signature_expiry(std::span<const wire::RData> signatures,
                                                 int64_t now) {
    std::optional<int64_t> earliest;
    for (const auto& rdata : signatures)
        if (auto at = expiry_of(rdata, now)) earliest = earliest ? std::min(*earliest, *at) : *at;
    return earliest;
}

std::optional<int64_t> earliest_signature_expiry(std::span<const wire::Record> records,
                                                 int64_t now) {
    std::optional<int64_t> earliest;
    for (const auto& r : records) {
        if (r.type != wire::RRType::RRSIG) continue;
        if (auto at = expiry_of(r.rdata, now)) earliest = earliest ? std::min(*earliest, *at) : *at;
    }
    return earliest;
}

}  // namespace cairn::cache
