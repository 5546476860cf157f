#include "dnssec/rrset_verifier.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "dnssec/algorithms.h"
#include "dnssec/public_key.h"
#include "dnssec/signed_data.h"

namespace cairn::dnssec {

namespace {

using Status = RRsetVerdict::Status;
using wire::ExtendedErrorCode;

// RFC 4034 §3.1.5: signature times are serial numbers (RFC 1982) that wrap
// every 2^32 seconds, so they are read as a signed distance from now.
int32_t seconds_from_now(uint32_t when, int64_t now) {
    return static_cast<int32_t>(when - static_cast<uint32_t>(now));
}

std::string time_text(uint32_t when, int64_t now) {
    const std::time_t t = static_cast<std::time_t>(now + seconds_from_now(when, now));
    std::tm tm{};
    char text[32] = "?";
    if (gmtime_r(&t, &tm) != nullptr) std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    return text;
}

// Labels of `name` as an RRSIG counts them: without a leading "*" (RFC 4034
// §3.1.3).
size_t rrsig_labels(const wire::Name& name) {
    return name.label_count() - (name.is_wildcard() ? 1 : 0);
}

RRsetVerdict verdict(Status status, std::string why,
                     ExtendedErrorCode reason = ExtendedErrorCode::kDnssecBogus) {
    RRsetVerdict v;
    v.status = status;
    v.reason = reason;
    v.why = std::move(why);
    return v;
}

size_t usable_keys_with(const KeySet& keys, uint16_t tag, uint8_t algorithm) {
    size_t n = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        const KeyFacts& facts = keys.facts(i);
        n += facts.tag == tag && facts.algorithm == algorithm && facts.usable();
    }
    return n;
}

bool any_proven(const KeySet& keys, uint16_t tag, uint8_t algorithm) {
    for (size_t i = 0; i < keys.size(); ++i) {
        const KeyFacts& facts = keys.facts(i);
        if (facts.tag == tag && facts.algorithm == algorithm && keys.proven(i)) return true;
    }
    return false;
}

}  // namespace

RRsetVerdict verify_rrset(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                          const wire::RRset& dnskeys, const wire::Name& zone, int64_t now,
                          const ValidationLimits& limits, WorkCounter& work) {
    return verify_rrset(rrset, signatures, KeySet(dnskeys), zone, now, limits, work);
}

RRsetVerdict verify_rrset(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                          const KeySet& keys, const wire::Name& zone, int64_t now,
                          const ValidationLimits& limits, WorkCounter& work) {
    // Texts for `why`, made only when something fails.
    auto subject = [&] { return rrset.owner.to_text() + "/" + wire::to_string(rrset.type); };
    uint32_t spent = 0;  // verifications for this RRset
    size_t candidates = 0;
    size_t expired = 0;
    size_t not_yet_valid = 0;
    size_t without_key = 0;
    size_t unsupported = 0;
    uint8_t unsupported_algorithm = 0;
    std::string first_failure;
    bool keys_capped = false;  // keys left untried under the per-tag limit
    bool crowded = false;      // a held zone's RRSIG named a crowded tag

    for (const auto& rdata : signatures) {
        auto parsed = wire::RrsigData::from(rdata);
        if (!parsed) {
            ++candidates;
            if (first_failure.empty()) first_failure = "malformed RRSIG for " + subject();
            continue;
        }
        const wire::RrsigData& sig = *parsed;
        // Signatures by another zone, or for another type, say nothing here.
        if (sig.type_covered != rrset.type || sig.signer != zone) continue;
        if (!algorithm_supported(sig.algorithm)) {
            ++unsupported;
            unsupported_algorithm = sig.algorithm;
            continue;
        }
        ++candidates;
        auto fail = [&](const std::string& problem) {
            if (first_failure.empty())
                first_failure = "RRSIG for " + subject() + " by " + zone.to_text() + " key " +
                                std::to_string(sig.key_tag) + " (" +
                                algorithm_mnemonic(sig.algorithm) + ") " + problem;
        };

        if (!rrset.owner.is_subdomain_of(zone)) {
            fail("covers a name outside the zone");
            continue;
        }
        // A labels field below the zone's would make the wildcard lie above
        // the zone that signed it.
        if (sig.labels > rrset.owner.label_count() || sig.labels < zone.label_count()) {
            fail("has a bad labels field " + std::to_string(sig.labels));
            continue;
        }
        if (seconds_from_now(sig.expiration, now) < 0) {
            ++expired;
            fail("expired " + time_text(sig.expiration, now));
            continue;
        }
        if (seconds_from_now(sig.inception, now) > 0) {
            ++not_yet_valid;
            fail("not valid before " + time_text(sig.inception, now));
            continue;
        }

        // A held zone's crowded tag: only a key of it that verified before;
        // while none has, the search may take max_keys_per_tag checks.
        bool proven_only = false;
        uint32_t rrset_budget = limits.max_verifications_per_rrset;
        if (limits.held &&
            usable_keys_with(keys, sig.key_tag, sig.algorithm) > limits.max_keys_per_tag) {
            crowded = true;
            proven_only = any_proven(keys, sig.key_tag, sig.algorithm);
            if (!proven_only) rrset_budget = std::max(rrset_budget, limits.max_keys_per_tag);
        }
        size_t matching = 0;
        uint32_t tried = 0;
        std::vector<uint8_t> data;  // built once a key is there to check it
        size_t i = 0;
        for (; i < keys.size() && tried < limits.max_keys_per_tag; ++i) {
            const KeyFacts& facts = keys.facts(i);
            if (facts.tag != sig.key_tag || facts.algorithm != sig.algorithm) continue;
            ++matching;
            if (!facts.usable() || (proven_only && !keys.proven(i))) continue;
            ++tried;
            const PublicKey* key = keys.key(i);
            if (key == nullptr) continue;  // malformed key material
            if (spent >= rrset_budget ||
                work.verifications >= limits.max_verifications_per_request) {
                auto limited = verdict(
                    Status::kLimit, "validation work limit reached for " + subject() + " after " +
                                        std::to_string(spent) + " signature checks");
                limited.keys_per_tag_capped = keys_capped;
                limited.rrset_budget_spent = spent >= limits.max_verifications_per_rrset;
                limited.held = limits.held;
                limited.crowded_tag = crowded || keys_capped;
                return limited;
            }
            if (data.empty()) data = signed_data(sig, rrset);
            ++spent;
            ++work.verifications;
            if (!key->verify(data, sig.signature)) continue;
            keys.mark_proven(i);

            RRsetVerdict v;
            v.status = Status::kValid;
            v.ttl_cap = std::min(sig.original_ttl,
                                 static_cast<uint32_t>(seconds_from_now(sig.expiration, now)));
            if (sig.labels < rrsig_labels(rrset.owner))
                v.wildcard_parent = rrset.owner.suffix(sig.labels);
            return v;
        }
        for (; i < keys.size() && !keys_capped; ++i) {
            const KeyFacts& facts = keys.facts(i);
            keys_capped =
                facts.tag == sig.key_tag && facts.algorithm == sig.algorithm && facts.usable();
        }
        if (matching == 0) {
            ++without_key;
            fail("has no DNSKEY with that tag and algorithm");
        } else if (tried == 0) {
            fail("names only revoked or non-zone keys");
        } else {
            fail("does not verify");
        }
    }

    if (candidates == 0) {
        if (unsupported > 0)
            return verdict(Status::kUnsigned, "no RRSIG by " + zone.to_text() + " for " +
                                                  subject() +
                                                  " with an algorithm of its DS (only " +
                                                  algorithm_mnemonic(unsupported_algorithm) + ")");
        return verdict(Status::kUnsigned, "no RRSIG by " + zone.to_text() + " for " + subject());
    }
    ExtendedErrorCode reason = ExtendedErrorCode::kDnssecBogus;
    if (expired == candidates)
        reason = ExtendedErrorCode::kSignatureExpired;
    else if (not_yet_valid == candidates)
        reason = ExtendedErrorCode::kSignatureNotYetValid;
    else if (without_key == candidates)
        reason = ExtendedErrorCode::kDnskeyMissing;
    auto bogus = verdict(Status::kBogus, first_failure, reason);
    bogus.keys_per_tag_capped = keys_capped;
    bogus.crowded_tag = crowded || keys_capped;
    return bogus;
}

std::optional<RRsetVerdict> recheck_verified(const wire::RRset& rrset,
                                             std::span<const wire::RData> signatures,
                                             const wire::Name& zone, int64_t now) {
    if (signatures.empty() || !rrset.owner.is_subdomain_of(zone)) return std::nullopt;
    RRsetVerdict v;
    v.status = Status::kValid;
    v.ttl_cap = UINT32_MAX;
    for (const auto& rdata : signatures) {
        auto sig = wire::RrsigData::from(rdata);
        if (!sig || sig->type_covered != rrset.type || sig->signer != zone ||
            !algorithm_supported(sig->algorithm) || sig->labels != rrsig_labels(rrset.owner))
            return std::nullopt;
        const int32_t left = seconds_from_now(sig->expiration, now);
        if (left < 0 || seconds_from_now(sig->inception, now) > 0) return std::nullopt;
        v.ttl_cap = std::min({v.ttl_cap, sig->original_ttl, static_cast<uint32_t>(left)});
    }
    return v;
}

}  // namespace cairn::dnssec
