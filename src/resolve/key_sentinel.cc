#include "resolve/key_sentinel.h"

#include <algorithm>
#include <string_view>

#include "dnssec/key_tag.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

constexpr std::string_view kIsTa = "root-key-sentinel-is-ta-";
constexpr std::string_view kNotTa = "root-key-sentinel-not-ta-";
constexpr size_t kDigits = 5;

bool starts_with_ignoring_case(std::span<const uint8_t> label, std::string_view prefix) {
    if (label.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (wire::ascii_lower(label[i]) != static_cast<uint8_t>(prefix[i])) return false;
    }
    return true;
}

}  // namespace

std::optional<SentinelLabel> sentinel_label(const wire::Name& qname) {
    if (qname.label_count() == 0) return std::nullopt;
    const auto label = qname.label(0);
    SentinelLabel sentinel;
    size_t prefix = 0;
    if (label.size() == kIsTa.size() + kDigits && starts_with_ignoring_case(label, kIsTa)) {
        prefix = kIsTa.size();
    } else if (label.size() == kNotTa.size() + kDigits &&
               starts_with_ignoring_case(label, kNotTa)) {
        sentinel.is_ta = false;
        prefix = kNotTa.size();
    } else {
        return std::nullopt;
    }
    for (size_t i = prefix; i < label.size(); ++i) {
        if (label[i] < '0' || label[i] > '9') return std::nullopt;
        sentinel.key_tag = sentinel.key_tag * 10 + (label[i] - '0');
    }
    return sentinel;
}

std::vector<uint16_t> root_anchor_key_tags(const dnssec::TrustAnchors& anchors) {
    std::vector<uint16_t> tags;
    const dnssec::TrustAnchor* root = anchors.find(wire::Name::root());
    if (root == nullptr) return tags;
    for (const auto& rdata : root->ds.rdatas) {
        if (auto ds = wire::DsData::from(rdata)) tags.push_back(ds->key_tag);
    }
    for (const auto& rdata : root->dnskeys.rdatas) {
        auto key = wire::DnskeyData::from(rdata);
        if (key && !key->revoked()) tags.push_back(dnssec::key_tag(rdata));
    }
    return tags;
}

std::optional<std::string> key_sentinel_failure(const wire::Question& question, bool validated,
                                                bool secure, const dnssec::TrustAnchors& anchors) {
    if (!validated || !secure) return std::nullopt;
    if (question.type != wire::RRType::A && question.type != wire::RRType::AAAA)
        return std::nullopt;
    const auto sentinel = sentinel_label(question.name);
    if (!sentinel) return std::nullopt;
    const auto tags = root_anchor_key_tags(anchors);
    const bool trusted = std::find(tags.begin(), tags.end(), sentinel->key_tag) != tags.end();
    if (trusted != sentinel->is_ta)
        return "root key sentinel (RFC 8509): key tag " + std::to_string(sentinel->key_tag) +
               (trusted ? " is" : " is not") + " a root trust anchor";
    return std::nullopt;
}

}  // namespace cairn::resolve
