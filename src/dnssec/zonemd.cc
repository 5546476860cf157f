#include "dnssec/zonemd.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "wire/typed_rdata.h"

namespace cairn::dnssec {

namespace {

using wire::RRType;

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* digest_method(uint8_t scheme, uint8_t hash_algorithm) {
    if (scheme != zonemd::kSchemeSimple) return nullptr;
    switch (hash_algorithm) {
        case zonemd::kSha384: return EVP_sha384();
        case zonemd::kSha512: return EVP_sha512();
        default: return nullptr;
    }
}

// One record as the digest takes it: owner lower-cased, RDATA canonical.
struct CanonicalRecord {
    wire::Name owner;
    RRType type;
    wire::RRClass rclass;
    uint32_t ttl;
    wire::RData rdata;
};

bool covers_zonemd(const wire::Record& rrsig) {
    const auto bytes = rrsig.rdata.bytes();
    return bytes.size() >= 2 &&
           ((bytes[0] << 8) | bytes[1]) == static_cast<uint16_t>(RRType::ZONEMD);
}

// RFC 8976 §3.3.1: out-of-zone data, the apex ZONEMD RRset and its RRSIGs
// are not digested; everything else in the zone is, occluded data included.
bool digested(const wire::Record& record, const wire::Name& apex) {
    if (!record.owner.is_subdomain_of(apex)) return false;
    if (record.owner != apex) return true;
    if (record.type == RRType::ZONEMD) return false;
    return record.type != RRType::RRSIG || !covers_zonemd(record);
}

int compare(const CanonicalRecord& a, const CanonicalRecord& b) {
    if (const int c = wire::Name::canonical_compare(a.owner, b.owner); c != 0) return c;
    if (a.type != b.type) return a.type < b.type ? -1 : 1;
    if (a.rclass != b.rclass) return a.rclass < b.rclass ? -1 : 1;
    const auto x = a.rdata.bytes();
    const auto y = b.rdata.bytes();
    if (std::ranges::lexicographical_compare(x, y)) return -1;
    return std::ranges::lexicographical_compare(y, x) ? 1 : 0;
}

// The zone's digested records in canonical order, each once (§3.3.1.3).
std::vector<CanonicalRecord> canonical_zone(std::span<const wire::Record> zone,
                                            const wire::Name& apex) {
    std::vector<CanonicalRecord> records;
    records.reserve(zone.size());
    for (const auto& r : zone) {
        if (!digested(r, apex)) continue;
        records.push_back(
            {r.owner.lowercased(), r.type, r.rclass, r.ttl, r.rdata.canonical(r.type)});
    }
    std::vector<size_t> order(records.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    // Sorting indices moves 8 octets per swap rather than a whole name.
    std::ranges::stable_sort(
        order, [&](size_t a, size_t b) { return compare(records[a], records[b]) < 0; });
    std::vector<CanonicalRecord> sorted;
    sorted.reserve(records.size());
    for (size_t i : order)
        if (sorted.empty() || compare(sorted.back(), records[i]) != 0)
            sorted.push_back(std::move(records[i]));
    return sorted;
}

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

std::optional<std::vector<uint8_t>> hash(std::span<const CanonicalRecord> records,
                                         const EVP_MD* md) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) return std::nullopt;
    std::vector<uint8_t> rr;
    for (const auto& r : records) {
        rr.clear();
        const auto owner = r.owner.wire();
        rr.insert(rr.end(), owner.begin(), owner.end());
        put_u16(rr, static_cast<uint16_t>(r.type));
        put_u16(rr, static_cast<uint16_t>(r.rclass));
        put_u16(rr, static_cast<uint16_t>(r.ttl >> 16));
        put_u16(rr, static_cast<uint16_t>(r.ttl));
        put_u16(rr, static_cast<uint16_t>(r.rdata.size()));
        const auto rdata = r.rdata.bytes();
        rr.insert(rr.end(), rdata.begin(), rdata.end());
        if (EVP_DigestUpdate(ctx.get(), rr.data(), rr.size()) != 1) return std::nullopt;
    }
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1) return std::nullopt;
    out.resize(length);
    return out;
}

// The apex records of `type`, each distinct RDATA once (an AXFR carries the
// SOA twice).
std::vector<wire::RData> apex_rdatas(std::span<const wire::Record> zone, const wire::Name& apex,
                                     RRType type) {
    std::vector<wire::RData> out;
    for (const auto& r : zone)
        if (r.type == type && r.owner == apex && std::ranges::find(out, r.rdata) == out.end())
            out.push_back(r.rdata);
    return out;
}

std::string hex(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

std::string describe(const ZonemdData& z) {
    return "ZONEMD " + std::to_string(z.serial) + " " + std::to_string(z.scheme) + " " +
           std::to_string(z.hash_algorithm);
}

// Why `z` cannot verify a zone with SOA serial `serial`, or "" if it can.
std::string unusable_because(const ZonemdData& z, uint32_t serial) {
    if (z.serial != serial) return describe(z) + ": serial differs from the SOA's";
    const EVP_MD* md = digest_method(z.scheme, z.hash_algorithm);
    if (md == nullptr) return describe(z) + ": unsupported scheme or hash algorithm";
    if (z.digest.size() != static_cast<size_t>(EVP_MD_get_size(md)))
        return describe(z) + ": digest of " + std::to_string(z.digest.size()) + " octets";
    return {};
}

ZonemdVerdict verdict(ZonemdVerdict::Status status, std::string why, uint32_t serial) {
    return {status, std::move(why), serial};
}

}  // namespace

std::optional<ZonemdData> ZonemdData::from(const wire::RData& rdata) {
    const auto b = rdata.bytes();
    if (b.size() < 6) return std::nullopt;
    ZonemdData z;
    z.serial = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    z.scheme = b[4];
    z.hash_algorithm = b[5];
    z.digest.assign(b.begin() + 6, b.end());
    return z;
}

bool zonemd_supported(uint8_t scheme, uint8_t hash_algorithm) {
    return digest_method(scheme, hash_algorithm) != nullptr;
}

std::optional<std::vector<uint8_t>> zone_digest(std::span<const wire::Record> zone,
                                                const wire::Name& apex, uint8_t scheme,
                                                uint8_t hash_algorithm) {
    const EVP_MD* md = digest_method(scheme, hash_algorithm);
    if (md == nullptr) return std::nullopt;
    return hash(canonical_zone(zone, apex), md);
}

ZonemdVerdict verify_zonemd(std::span<const wire::Record> zone, const wire::Name& apex) {
    using Status = ZonemdVerdict::Status;
    const auto soas = apex_rdatas(zone, apex, RRType::SOA);
    std::optional<wire::SoaData> soa;
    if (soas.size() == 1)
        if (auto parsed = wire::SoaData::from(soas[0])) soa = std::move(*parsed);
    if (!soa)
        return verdict(Status::kNoSoa, std::to_string(soas.size()) + " SOA records at the apex", 0);
    const uint32_t serial = soa->serial;

    std::vector<ZonemdData> usable;
    std::string reasons;
    const auto rdatas = apex_rdatas(zone, apex, RRType::ZONEMD);
    if (rdatas.empty()) return verdict(Status::kAbsent, "no ZONEMD at the apex", serial);
    for (const auto& rdata : rdatas) {
        auto z = ZonemdData::from(rdata);
        const std::string why = z ? unusable_because(*z, serial) : "malformed ZONEMD";
        if (why.empty()) {
            usable.push_back(std::move(*z));
        } else {
            reasons += (reasons.empty() ? "" : "; ") + why;
        }
    }
    if (usable.empty()) return verdict(Status::kUnusable, reasons, serial);
    for (size_t i = 0; i < usable.size(); ++i)
        for (size_t j = i + 1; j < usable.size(); ++j)
            if (usable[i].scheme == usable[j].scheme &&
                usable[i].hash_algorithm == usable[j].hash_algorithm)
                return verdict(Status::kDuplicate, describe(usable[i]) + " appears twice", serial);

    const auto records = canonical_zone(zone, apex);
    std::string computed;
    for (const auto& z : usable) {
        const auto digest = hash(records, digest_method(z.scheme, z.hash_algorithm));
        if (digest && *digest == z.digest) return verdict(Status::kVerified, describe(z), serial);
        computed += (computed.empty() ? "" : "; ") + describe(z) + ": computed " +
                    (digest ? hex(*digest) : "nothing");
    }
    return verdict(Status::kMismatch, computed, serial);
}

const char* to_string(ZonemdVerdict::Status status) {
    using Status = ZonemdVerdict::Status;
    switch (status) {
        case Status::kVerified: return "verified";
        case Status::kAbsent: return "absent";
        case Status::kNoSoa: return "no-soa";
        case Status::kUnusable: return "unusable";
        case Status::kDuplicate: return "duplicate";
        case Status::kMismatch: return "mismatch";
    }
    return "unknown";
}

}  // namespace cairn::dnssec
