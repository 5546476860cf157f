#include "trust_anchor_check.h"

#include <algorithm>
#include <string_view>

#include "dnssec/algorithms.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "wire/typed_rdata.h"

namespace cairn::daemon {

namespace {

// Reasons listed in one error before the rest are only counted.
constexpr size_t kReasonsShown = 3;

std::string algorithm_text(uint8_t algorithm) {
    return std::to_string(algorithm) + " (" + dnssec::algorithm_mnemonic(algorithm) + ")";
}

std::string ds_problem(const wire::RData& rdata) {
    const auto ds = wire::DsData::from(rdata);
    if (!ds) return "malformed";
    if (!dnssec::algorithm_supported(ds->algorithm))
        return "algorithm " + algorithm_text(ds->algorithm) + " is not supported";
    if (!dnssec::digest_supported(ds->digest_type))
        return "digest type " + std::to_string(ds->digest_type) + " is not supported";
    return {};
}

std::string dnskey_problem(const wire::RData& rdata) {
    const auto key = wire::DnskeyData::from(rdata);
    if (!key) return "malformed";
    if (!dnssec::algorithm_supported(key->algorithm))
        return "algorithm " + algorithm_text(key->algorithm) + " is not supported";
    if (key->protocol != 3) return "protocol " + std::to_string(key->protocol) + " is not 3";
    if (!key->zone_key()) return "not a zone key (flags " + std::to_string(key->flags) + ")";
    if (key->revoked()) return "revoked (RFC 5011)";
    if (!dnssec::PublicKey::from_dnskey(*key)) return "the public key cannot be decoded";
    return {};
}

// "DS 20326 for example." / "DNSKEY 38696 for example."
std::string describe(const wire::Record& record) {
    uint16_t tag = 0;
    if (record.type == wire::RRType::DS) {
        if (const auto ds = wire::DsData::from(record.rdata)) tag = ds->key_tag;
    } else {
        tag = dnssec::key_tag(record.rdata);
    }
    return wire::to_string(record.type) + " " + std::to_string(tag) + " for " +
           record.owner.to_text();
}

std::string joined(const std::vector<std::string>& items, size_t shown,
                   std::string_view separator = "; ") {
    std::string out;
    for (size_t i = 0; i < items.size() && i < shown; ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    if (items.size() > shown)
        out += std::string(separator) + "and " + std::to_string(items.size() - shown) + " more";
    return out;
}

// The usable zones of one file, and warnings for its unusable records.
Result<std::vector<wire::Name>, TextError> check_file(const std::string& path,
                                                      std::vector<std::string>& warnings) {
    auto loaded = dnssec::TrustAnchors::load_files({path});
    if (!loaded) return Unexpected{loaded.error()};
    if (loaded->empty())
        return text_error("trust-anchors " + path +
                          ": no usable trust anchor: the file holds no "
                          "DS or DNSKEY records");
    std::vector<wire::Name> usable;
    std::vector<std::string> reasons;
    for (const auto& anchor : loaded->all()) {
        for (const auto* set : {&anchor.ds, &anchor.dnskeys}) {
            for (const auto& record : set->to_records()) {
                const std::string why = unusable_because(record);
                if (why.empty()) {
                    if (std::find(usable.begin(), usable.end(), anchor.zone) == usable.end())
                        usable.push_back(anchor.zone);
                } else {
                    reasons.push_back(describe(record) + ": " + why);
                }
            }
        }
    }
    if (usable.empty())
        return text_error("trust-anchors " + path +
                          ": no usable trust anchor: " + joined(reasons, kReasonsShown));
    for (const auto& reason : reasons)
        warnings.push_back("trust-anchors " + path + ": ignored " + reason);
    return usable;
}

}  // namespace

std::string unusable_because(const wire::Record& record) {
    if (record.type == wire::RRType::DS) return ds_problem(record.rdata);
    if (record.type == wire::RRType::DNSKEY) return dnskey_problem(record.rdata);
    return "not a DS or DNSKEY record";
}

Result<CheckedAnchors, TextError> load_checked_anchors(const std::vector<std::string>& paths) {
    CheckedAnchors checked;
    std::vector<wire::Name> zones;
    for (const auto& path : paths) {
        auto usable = check_file(path, checked.warnings);
        if (!usable) return Unexpected{usable.error()};
        for (const auto& zone : *usable)
            if (std::find(zones.begin(), zones.end(), zone) == zones.end()) zones.push_back(zone);
    }
    auto anchors = dnssec::TrustAnchors::load_files(paths);
    if (!anchors) return Unexpected{anchors.error()};
    checked.anchors = std::move(*anchors);
    if (std::find(zones.begin(), zones.end(), wire::Name::root()) == zones.end()) {
        std::vector<std::string> names;
        for (const auto& zone : zones)
            names.push_back(zone.to_text());
        checked.warnings.push_back(
            "trust anchors do not cover the root: validation covers only " +
            joined(names, names.size(), ", ") +
            " (and names below); answers elsewhere are not validated (insecure)");
    }
    return checked;
}

}  // namespace cairn::daemon
