#include "dnssec/signed_data.h"

#include <algorithm>

namespace cairn::dnssec {

namespace {

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
    put_u16(out, static_cast<uint16_t>(v >> 16));
    put_u16(out, static_cast<uint16_t>(v));
}

void put_bytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}

// RFC 4035 §5.3.2: an owner with more labels than the RRSIG's labels field
// was expanded from a wildcard, and the signature covers the wildcard.
wire::Name signed_owner(const wire::Name& owner, uint8_t labels) {
    const wire::Name lower = owner.lowercased();
    const size_t owner_labels = lower.label_count() - (lower.is_wildcard() ? 1 : 0);
    if (labels >= owner_labels) return lower;
    static constexpr uint8_t kStar[] = {'*'};
    // Cannot fail: the suffix is at least one label shorter than `owner`.
    return *lower.suffix(labels).prepend(kStar);
}

}  // namespace

std::vector<uint8_t> signed_data(const wire::RrsigData& sig, const wire::RRset& rrset) {
    std::vector<wire::RData> rdatas;
    rdatas.reserve(rrset.rdatas.size());
    for (const auto& rdata : rrset.rdatas)
        rdatas.push_back(rdata.canonical(rrset.type));
    std::ranges::sort(rdatas, [](const wire::RData& a, const wire::RData& b) {
        return std::ranges::lexicographical_compare(a.bytes(), b.bytes());
    });
    rdatas.erase(std::unique(rdatas.begin(), rdatas.end()), rdatas.end());

    const wire::Name owner = signed_owner(rrset.owner, sig.labels);
    const wire::Name signer = sig.signer.lowercased();
    size_t size = 18 + signer.wire_length();
    for (const auto& rdata : rdatas)
        size += owner.wire_length() + 10 + rdata.size();

    std::vector<uint8_t> out;
    out.reserve(size);
    put_u16(out, static_cast<uint16_t>(sig.type_covered));
    out.push_back(sig.algorithm);
    out.push_back(sig.labels);
    put_u32(out, sig.original_ttl);
    put_u32(out, sig.expiration);
    put_u32(out, sig.inception);
    put_u16(out, sig.key_tag);
    put_bytes(out, signer.wire());
    for (const auto& rdata : rdatas) {
        put_bytes(out, owner.wire());
        put_u16(out, static_cast<uint16_t>(rrset.type));
        put_u16(out, static_cast<uint16_t>(rrset.rclass));
        put_u32(out, sig.original_ttl);
        put_u16(out, static_cast<uint16_t>(rdata.size()));
        put_bytes(out, rdata.bytes());
    }
    return out;
}

}  // namespace cairn::dnssec
