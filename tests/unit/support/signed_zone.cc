#include "support/signed_zone.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "wire/typed_rdata.h"

namespace cairn::testing {

namespace {

using wire::Name;
using wire::RRType;

// The zone cut at or above `owner`, if `owner` lies in a delegated subtree.
std::optional<Name> cut_above(const std::vector<Name>& cuts, const Name& owner) {
    for (const auto& cut : cuts)
        if (owner.is_subdomain_of(cut)) return cut;
    return std::nullopt;
}

uint32_t nsec_ttl(const FakeZone& zone) {
    for (const auto& r : zone.records) {
        if (r.type != RRType::SOA || r.owner != zone.origin) continue;
        if (auto soa = wire::SoaData::from(r.rdata)) return std::min(r.ttl, soa->minimum);
    }
    return 3600;
}

}  // namespace

void sign_zone(FakeZone& zone, const TestZoneSigner& ksk, const TestZoneSigner& zsk,
               uint32_t inception, uint32_t expiration) {
    zone.records.push_back(ksk.dnskey());
    zone.records.push_back(zsk.dnskey());
    std::vector<Name> cuts;
    for (const auto& r : zone.records)
        if (r.type == RRType::NS && r.owner != zone.origin) cuts.push_back(r.owner);

    std::map<Name, std::vector<RRType>> names;  // what the NSEC chain lists
    std::vector<wire::Record> added;
    for (const auto& rrset : wire::group_rrsets(zone.records)) {
        if (auto cut = cut_above(cuts, rrset.owner)) {
            // Below a cut everything is glue; at the cut the parent owns the
            // DS RRset only, yet lists NS in its NSEC bitmap.
            if (rrset.owner != *cut || (rrset.type != RRType::NS && rrset.type != RRType::DS))
                continue;
            names[rrset.owner].push_back(rrset.type);
            if (rrset.type == RRType::NS) continue;
        } else {
            names[rrset.owner].push_back(rrset.type);
        }
        const TestZoneSigner& signer = rrset.type == RRType::DNSKEY ? ksk : zsk;
        added.push_back(signer.rrsig(rrset, inception, expiration));
    }
    for (auto& r : zsk.nsec_chain(names, inception, expiration, nsec_ttl(zone)))
        added.push_back(std::move(r));
    zone.records.insert(zone.records.end(), added.begin(), added.end());
}

}  // namespace cairn::testing
