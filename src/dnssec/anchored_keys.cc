#include "dnssec/anchored_keys.h"

#include <algorithm>

#include "dnssec/algorithms.h"
#include "dnssec/ds_digest.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

namespace {

bool matches_anchor(const wire::RData& key, const TrustAnchor& anchor) {
    if (std::ranges::find(anchor.dnskeys.rdatas, key) != anchor.dnskeys.rdatas.end()) return true;
    return std::ranges::any_of(anchor.ds.rdatas, [&](const wire::RData& rdata) {
        auto ds = wire::DsData::from(rdata);
        return ds && algorithm_supported(ds->algorithm) && digest_supported(ds->digest_type) &&
               ds_matches(*ds, anchor.zone, key);
    });
}

}  // namespace

wire::RRset anchored_keys(const wire::RRset& dnskeys, const TrustAnchor& anchor) {
    wire::RRset keys{dnskeys.owner, wire::RRType::DNSKEY, dnskeys.rclass, dnskeys.ttl, {}};
    if (!(dnskeys.owner == anchor.zone)) return keys;
    for (const auto& rdata : dnskeys.rdatas) {
        auto key = wire::DnskeyData::from(rdata);
        if (key && key->zone_key() && !key->revoked() && matches_anchor(rdata, anchor))
            keys.add(rdata);
    }
    return keys;
}

RRsetVerdict verify_anchored_dnskeys(const wire::RRset& dnskeys,
                                     std::span<const wire::RData> signatures,
                                     const TrustAnchor& anchor, int64_t now,
                                     const ValidationLimits& limits, WorkCounter& work) {
    const wire::RRset entry = anchored_keys(dnskeys, anchor);
    if (entry.rdatas.empty()) {
        RRsetVerdict v;
        v.reason = wire::ExtendedErrorCode::kDnskeyMissing;
        v.why = "no DNSKEY of " + anchor.zone.to_text() + " matches its trust anchor";
        return v;
    }
    return verify_rrset(dnskeys, signatures, entry, anchor.zone, now, limits, work);
}

}  // namespace cairn::dnssec
