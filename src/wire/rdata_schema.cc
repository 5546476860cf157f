#include "wire/rdata_schema.h"

#include <array>

namespace cairn::wire {

namespace {

using F = FieldKind;

constexpr F kIpv4Fields[] = {F::kIpv4};
constexpr F kIpv6Fields[] = {F::kIpv6};
constexpr F kNameFields[] = {F::kName};
constexpr F kTwoNames[] = {F::kName, F::kName};
constexpr F kSoaFields[] = {F::kName, F::kName, F::kU32, F::kU32, F::kU32, F::kU32, F::kU32};
constexpr F kPreferenceName[] = {F::kU16, F::kName};
constexpr F kTxtFields[] = {F::kCharStrings};
constexpr F kHinfoFields[] = {F::kCharString, F::kCharString};
constexpr F kSrvFields[] = {F::kU16, F::kU16, F::kU16, F::kName};
constexpr F kNaptrFields[] = {F::kU16,        F::kU16,        F::kCharString,
                              F::kCharString, F::kCharString, F::kName};
constexpr F kDsFields[] = {F::kU16, F::kAlgorithm, F::kU8, F::kHexRest};
constexpr F kSshfpFields[] = {F::kU8, F::kU8, F::kHexRest};
constexpr F kDnskeyFields[] = {F::kU16, F::kU8, F::kAlgorithm, F::kBase64Rest};
constexpr F kRrsigFields[] = {F::kRRType, F::kAlgorithm, F::kU8,   F::kU32,       F::kTime,
                              F::kTime,   F::kU16,       F::kName, F::kBase64Rest};
constexpr F kNsecFields[] = {F::kName, F::kTypeBitmap};
constexpr F kNsec3Fields[] = {F::kU8, F::kU8, F::kU16, F::kSalt, F::kHashBase32, F::kTypeBitmap};
constexpr F kNsec3ParamFields[] = {F::kU8, F::kU8, F::kU16, F::kSalt};
constexpr F kCaaFields[] = {F::kU8, F::kCaaTag, F::kCaaValue};
constexpr F kTlsaFields[] = {F::kU8, F::kU8, F::kU8, F::kHexRest};
constexpr F kSvcbFields[] = {F::kU16, F::kName, F::kSvcParams};
constexpr F kZonemdFields[] = {F::kU32, F::kU8, F::kU8, F::kHexRest};
constexpr F kOpaqueFields[] = {F::kOpaque};

constexpr bool kCompress = true;
constexpr bool kLower = true;

constexpr std::array kSchemas = {
    RdataSchema{RRType::A, kIpv4Fields, false, false},
    RdataSchema{RRType::NS, kNameFields, kCompress, kLower},
    RdataSchema{RRType::MD, kNameFields, kCompress, kLower},
    RdataSchema{RRType::MF, kNameFields, kCompress, kLower},
    RdataSchema{RRType::CNAME, kNameFields, kCompress, kLower},
    RdataSchema{RRType::SOA, kSoaFields, kCompress, kLower},
    RdataSchema{RRType::MB, kNameFields, kCompress, kLower},
    RdataSchema{RRType::MG, kNameFields, kCompress, kLower},
    RdataSchema{RRType::MR, kNameFields, kCompress, kLower},
    RdataSchema{RRType::PTR, kNameFields, kCompress, kLower},
    RdataSchema{RRType::HINFO, kHinfoFields, false, kLower},
    RdataSchema{RRType::MINFO, kTwoNames, kCompress, kLower},
    RdataSchema{RRType::MX, kPreferenceName, kCompress, kLower},
    RdataSchema{RRType::TXT, kTxtFields, false, false},
    RdataSchema{RRType::RP, kTwoNames, false, kLower},
    RdataSchema{RRType::AFSDB, kPreferenceName, false, kLower},
    RdataSchema{RRType::RT, kPreferenceName, false, kLower},
    RdataSchema{RRType::AAAA, kIpv6Fields, false, false},
    RdataSchema{RRType::SRV, kSrvFields, false, kLower},
    RdataSchema{RRType::NAPTR, kNaptrFields, false, kLower},
    RdataSchema{RRType::KX, kPreferenceName, false, kLower},
    RdataSchema{RRType::DNAME, kNameFields, false, kLower},
    RdataSchema{RRType::DS, kDsFields, false, false},
    RdataSchema{RRType::SSHFP, kSshfpFields, false, false},
    RdataSchema{RRType::RRSIG, kRrsigFields, false, kLower},
    RdataSchema{RRType::NSEC, kNsecFields, false, false},
    RdataSchema{RRType::DNSKEY, kDnskeyFields, false, false},
    RdataSchema{RRType::NSEC3, kNsec3Fields, false, false},
    RdataSchema{RRType::NSEC3PARAM, kNsec3ParamFields, false, false},
    RdataSchema{RRType::TLSA, kTlsaFields, false, false},
    RdataSchema{RRType::SMIMEA, kTlsaFields, false, false},
    RdataSchema{RRType::CDS, kDsFields, false, false},
    RdataSchema{RRType::CDNSKEY, kDnskeyFields, false, false},
    RdataSchema{RRType::ZONEMD, kZonemdFields, false, false},
    RdataSchema{RRType::SVCB, kSvcbFields, false, false},
    RdataSchema{RRType::HTTPS, kSvcbFields, false, false},
    RdataSchema{RRType::SPF, kTxtFields, false, false},
    RdataSchema{RRType::CAA, kCaaFields, false, false},
    RdataSchema{RRType::DLV, kDsFields, false, false},
};

constexpr RdataSchema kOpaqueSchema{RRType{0}, kOpaqueFields, false, false};

}  // namespace

const RdataSchema& schema_for(RRType type) {
    for (const auto& schema : kSchemas)
        if (schema.type == type) return schema;
    return kOpaqueSchema;
}

bool has_typed_format(RRType type) {
    return &schema_for(type) != &kOpaqueSchema;
}

}  // namespace cairn::wire
