// Field-level access to the RDATA of the types the resolver reasons about.
// Each struct converts from and to `RData` (uncompressed wire form).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/type_bitmap.h"

namespace cairn::wire {

struct AData {
    std::array<uint8_t, 4> address{};
    static WireResult<AData> from(const RData& rdata);
    RData to_rdata() const;
};

struct AaaaData {
    std::array<uint8_t, 16> address{};
    static WireResult<AaaaData> from(const RData& rdata);
    RData to_rdata() const;
};

// NS, CNAME, DNAME, PTR: a single name.
struct NameData {
    Name name;
    static WireResult<NameData> from(const RData& rdata);
    RData to_rdata() const;
};

struct SoaData {
    Name mname;
    Name rname;
    uint32_t serial = 0;
    uint32_t refresh = 0;
    uint32_t retry = 0;
    uint32_t expire = 0;
    uint32_t minimum = 0;
    static WireResult<SoaData> from(const RData& rdata);
    RData to_rdata() const;
};

struct MxData {
    uint16_t preference = 0;
    Name exchange;
    static WireResult<MxData> from(const RData& rdata);
    RData to_rdata() const;
};

struct SrvData {
    uint16_t priority = 0;
    uint16_t weight = 0;
    uint16_t port = 0;
    Name target;
    static WireResult<SrvData> from(const RData& rdata);
    RData to_rdata() const;
};

// DS and CDS (RFC 4034 §5).
struct DsData {
    uint16_t key_tag = 0;
    uint8_t algorithm = 0;
    uint8_t digest_type = 0;
    std::vector<uint8_t> digest;
    static WireResult<DsData> from(const RData& rdata);
    RData to_rdata() const;
};

// DNSKEY and CDNSKEY (RFC 4034 §2).
struct DnskeyData {
    static constexpr uint16_t kZoneKeyFlag = 0x0100;
    static constexpr uint16_t kRevokeFlag = 0x0080;  // RFC 5011
    static constexpr uint16_t kSepFlag = 0x0001;

    uint16_t flags = 0;
    uint8_t protocol = 3;
    uint8_t algorithm = 0;
    std::vector<uint8_t> public_key;

    bool zone_key() const { return flags & kZoneKeyFlag; }
    bool revoked() const { return flags & kRevokeFlag; }
    bool secure_entry_point() const { return flags & kSepFlag; }

    static WireResult<DnskeyData> from(const RData& rdata);
    RData to_rdata() const;
};

// RRSIG (RFC 4034 §3).
struct RrsigData {
    RRType type_covered = RRType::A;
    uint8_t algorithm = 0;
    uint8_t labels = 0;
    uint32_t original_ttl = 0;
    uint32_t expiration = 0;
    uint32_t inception = 0;
    uint16_t key_tag = 0;
    Name signer;
    std::vector<uint8_t> signature;
    static WireResult<RrsigData> from(const RData& rdata);
    RData to_rdata() const;
};

// NSEC (RFC 4034 §4).
struct NsecData {
    Name next;
    TypeBitmap types;
    static WireResult<NsecData> from(const RData& rdata);
    RData to_rdata() const;
};

// NSEC3 (RFC 5155 §3).
struct Nsec3Data {
    static constexpr uint8_t kOptOutFlag = 0x01;

    uint8_t hash_algorithm = 1;
    uint8_t flags = 0;
    uint16_t iterations = 0;
    std::vector<uint8_t> salt;
    std::vector<uint8_t> next_hashed_owner;
    TypeBitmap types;

    bool opt_out() const { return flags & kOptOutFlag; }
    static WireResult<Nsec3Data> from(const RData& rdata);
    RData to_rdata() const;
};

// NSEC3PARAM (RFC 5155 §4).
struct Nsec3ParamData {
    uint8_t hash_algorithm = 1;
    uint8_t flags = 0;
    uint16_t iterations = 0;
    std::vector<uint8_t> salt;
    static WireResult<Nsec3ParamData> from(const RData& rdata);
    RData to_rdata() const;
};

}  // namespace cairn::wire
