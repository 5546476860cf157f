#include "policy/local_root.h"

#include <algorithm>

#include "cache/signature_expiry.h"
#include "dnssec/anchored_keys.h"
#include "dnssec/rrset_verifier.h"
#include "dnssec/zonemd.h"
#include "wire/typed_rdata.h"

namespace cairn::policy {

namespace {

using wire::Name;
using wire::RRType;

struct ApexSet {
    wire::RRset data;
    std::vector<wire::RData> signatures;
};

// The root's RRset of `type` with the RRSIGs over it.
ApexSet apex_set(std::span<const wire::Record> records, RRType type) {
    ApexSet set{{Name::root(), type, wire::RRClass::IN, 0, {}}, {}};
    for (const auto& r : records) {
        if (!r.owner.is_root()) continue;
        if (r.type == type) {
            if (set.data.rdatas.empty() || r.ttl < set.data.ttl) set.data.ttl = r.ttl;
            set.data.add(r.rdata);
        } else if (r.type == RRType::RRSIG) {
            const auto sig = wire::RrsigData::from(r.rdata);
            if (sig && sig->type_covered == type &&
                std::ranges::find(set.signatures, r.rdata) == set.signatures.end())
                set.signatures.push_back(r.rdata);
        }
    }
    return set;
}

Unexpected<RootRejection> reject(RootFailure kind, std::string why) {
    return Unexpected<RootRejection>{RootRejection{kind, std::move(why)}};
}

}  // namespace

const char* to_string(RootFailure failure) {
    switch (failure) {
        case RootFailure::kTransfer: return "transfer";
        case RootFailure::kZone: return "zone";
        case RootFailure::kKeys: return "keys";
        case RootFailure::kZonemdSignature: return "zonemd_signature";
        case RootFailure::kZonemd: return "zonemd";
        case RootFailure::kExpired: return "expired";
    }
    return "unknown";
}

Result<std::shared_ptr<const RootCopy>, RootRejection> accept_root_zone(
    std::span<const wire::Record> records, const dnssec::TrustAnchors& anchors, int64_t now) {
    const ApexSet soa = apex_set(records, RRType::SOA);
    std::optional<wire::SoaData> fields;
    if (soa.data.rdatas.size() == 1)
        if (auto parsed = wire::SoaData::from(soa.data.rdatas.front())) fields = std::move(*parsed);
    if (!fields) return reject(RootFailure::kZone, "not one SOA record at the root");
    const dnssec::TrustAnchor* anchor = anchors.find(Name::root());
    if (anchor == nullptr) return reject(RootFailure::kKeys, "no trust anchor for the root");

    const ApexSet dnskeys = apex_set(records, RRType::DNSKEY);
    if (dnskeys.data.rdatas.empty())
        return reject(RootFailure::kZone, "no DNSKEY RRset at the root");
    dnssec::WorkCounter work;
    const dnssec::ValidationLimits limits;
    const auto keys = dnssec::verify_anchored_dnskeys(dnskeys.data, dnskeys.signatures, *anchor,
                                                      now, limits, work);
    if (keys.status != dnssec::RRsetVerdict::Status::kValid)
        return reject(RootFailure::kKeys, "DNSKEY RRset: " + keys.why);

    // RFC 8976 §4: with DNSSEC, the ZONEMD RRset must validate before its
    // digest means anything.
    const ApexSet zonemd = apex_set(records, RRType::ZONEMD);
    if (zonemd.data.rdatas.empty()) return reject(RootFailure::kZonemd, "no ZONEMD at the root");
    const auto signed_zonemd = dnssec::verify_rrset(zonemd.data, zonemd.signatures, dnskeys.data,
                                                    Name::root(), now, limits, work);
    if (signed_zonemd.status != dnssec::RRsetVerdict::Status::kValid)
        return reject(RootFailure::kZonemdSignature,
                      "ZONEMD RRset: " + (signed_zonemd.why.empty() ? std::string("not signed")
                                                                    : signed_zonemd.why));
    const auto digest = dnssec::verify_zonemd(records, Name::root());
    if (digest.status != dnssec::ZonemdVerdict::Status::kVerified)
        return reject(
            RootFailure::kZonemd,
            std::string("ZONEMD ") + dnssec::to_string(digest.status) + ": " + digest.why);

    const auto expiry = cache::earliest_signature_expiry(records, now);
    if (!expiry || *expiry <= now)
        return reject(RootFailure::kExpired, "signatures in the zone have expired");
    auto copy = std::make_shared<RootCopy>(RootCopy{ZoneCopy(Name::root(), records), fields->serial,
                                                    fields->refresh, fields->retry, fields->expire,
                                                    records.size(), *expiry});
    return std::shared_ptr<const RootCopy>(std::move(copy));
}

std::optional<wire::Message> LocalRoot::answer(const wire::Question& question, int64_t now) const {
    const auto copy = current(now);
    auto response = copy ? copy->zone.answer(question) : std::nullopt;
    (response ? answers_ : fallbacks_).fetch_add(1, std::memory_order_relaxed);
    return response;
}

std::shared_ptr<const RootCopy> LocalRoot::current(int64_t now) const {
    auto copy = copy_.load(std::memory_order_acquire);
    if (!copy) return nullptr;
    const int64_t expires = refreshed_at_.load(std::memory_order_relaxed) + copy->expire;
    if (now >= expires || now >= copy->signatures_expire) return nullptr;
    return copy;
}

void LocalRoot::install(std::shared_ptr<const RootCopy> copy, int64_t now) {
    refreshed_at_.store(now, std::memory_order_relaxed);
    copy_.store(std::move(copy), std::memory_order_release);
}

void LocalRoot::refreshed(int64_t now) {
    refreshed_at_.store(now, std::memory_order_relaxed);
}

void LocalRoot::drop() {
    copy_.store(nullptr, std::memory_order_release);
}

void LocalRoot::count_failure(RootFailure failure) {
    failures_[static_cast<size_t>(failure)].fetch_add(1, std::memory_order_relaxed);
}

LocalRootStats LocalRoot::stats(int64_t now) const {
    LocalRootStats s;
    if (const auto copy = current(now)) {
        s.loaded = true;
        s.serial = copy->serial;
        s.age = now - refreshed_at_.load(std::memory_order_relaxed);
    }
    s.answers = answers_.load(std::memory_order_relaxed);
    s.fallbacks = fallbacks_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < kRootFailureKinds; ++i)
        s.failures[i] = failures_[i].load(std::memory_order_relaxed);
    return s;
}

}  // namespace cairn::policy
