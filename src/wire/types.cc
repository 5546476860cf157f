#include "wire/types.h"

#include <array>
#include <charconv>
#include <utility>

namespace cairn::wire {

namespace {

struct TypeName {
    RRType type;
    std::string_view name;
};

constexpr std::array kTypeNames = {
    TypeName{RRType::A, "A"},
    TypeName{RRType::NS, "NS"},
    TypeName{RRType::MD, "MD"},
    TypeName{RRType::MF, "MF"},
    TypeName{RRType::CNAME, "CNAME"},
    TypeName{RRType::SOA, "SOA"},
    TypeName{RRType::MB, "MB"},
    TypeName{RRType::MG, "MG"},
    TypeName{RRType::MR, "MR"},
    TypeName{RRType::NULL_, "NULL"},
    TypeName{RRType::WKS, "WKS"},
    TypeName{RRType::PTR, "PTR"},
    TypeName{RRType::HINFO, "HINFO"},
    TypeName{RRType::MINFO, "MINFO"},
    TypeName{RRType::MX, "MX"},
    TypeName{RRType::TXT, "TXT"},
    TypeName{RRType::RP, "RP"},
    TypeName{RRType::AFSDB, "AFSDB"},
    TypeName{RRType::X25, "X25"},
    TypeName{RRType::ISDN, "ISDN"},
    TypeName{RRType::RT, "RT"},
    TypeName{RRType::NSAP, "NSAP"},
    TypeName{RRType::NSAP_PTR, "NSAP-PTR"},
    TypeName{RRType::SIG, "SIG"},
    TypeName{RRType::KEY, "KEY"},
    TypeName{RRType::PX, "PX"},
    TypeName{RRType::GPOS, "GPOS"},
    TypeName{RRType::AAAA, "AAAA"},
    TypeName{RRType::LOC, "LOC"},
    TypeName{RRType::NXT, "NXT"},
    TypeName{RRType::SRV, "SRV"},
    TypeName{RRType::NAPTR, "NAPTR"},
    TypeName{RRType::KX, "KX"},
    TypeName{RRType::CERT, "CERT"},
    TypeName{RRType::A6, "A6"},
    TypeName{RRType::DNAME, "DNAME"},
    TypeName{RRType::OPT, "OPT"},
    TypeName{RRType::APL, "APL"},
    TypeName{RRType::DS, "DS"},
    TypeName{RRType::SSHFP, "SSHFP"},
    TypeName{RRType::IPSECKEY, "IPSECKEY"},
    TypeName{RRType::RRSIG, "RRSIG"},
    TypeName{RRType::NSEC, "NSEC"},
    TypeName{RRType::DNSKEY, "DNSKEY"},
    TypeName{RRType::DHCID, "DHCID"},
    TypeName{RRType::NSEC3, "NSEC3"},
    TypeName{RRType::NSEC3PARAM, "NSEC3PARAM"},
    TypeName{RRType::TLSA, "TLSA"},
    TypeName{RRType::SMIMEA, "SMIMEA"},
    TypeName{RRType::HIP, "HIP"},
    TypeName{RRType::NINFO, "NINFO"},
    TypeName{RRType::CDS, "CDS"},
    TypeName{RRType::CDNSKEY, "CDNSKEY"},
    TypeName{RRType::OPENPGPKEY, "OPENPGPKEY"},
    TypeName{RRType::CSYNC, "CSYNC"},
    TypeName{RRType::ZONEMD, "ZONEMD"},
    TypeName{RRType::SVCB, "SVCB"},
    TypeName{RRType::HTTPS, "HTTPS"},
    TypeName{RRType::SPF, "SPF"},
    TypeName{RRType::UNSPEC, "UNSPEC"},
    TypeName{RRType::NID, "NID"},
    TypeName{RRType::L32, "L32"},
    TypeName{RRType::L64, "L64"},
    TypeName{RRType::LP, "LP"},
    TypeName{RRType::EUI48, "EUI48"},
    TypeName{RRType::EUI64, "EUI64"},
    TypeName{RRType::TKEY, "TKEY"},
    TypeName{RRType::TSIG, "TSIG"},
    TypeName{RRType::IXFR, "IXFR"},
    TypeName{RRType::AXFR, "AXFR"},
    TypeName{RRType::MAILB, "MAILB"},
    TypeName{RRType::MAILA, "MAILA"},
    TypeName{RRType::ANY, "ANY"},
    TypeName{RRType::URI, "URI"},
    TypeName{RRType::CAA, "CAA"},
    TypeName{RRType::AVC, "AVC"},
    TypeName{RRType::AMTRELAY, "AMTRELAY"},
    TypeName{RRType::TA, "TA"},
    TypeName{RRType::DLV, "DLV"},
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
        char y = b[i] >= 'a' && b[i] <= 'z' ? static_cast<char>(b[i] - 32) : b[i];
        if (x != y) return false;
    }
    return true;
}

// Parses "<prefix><decimal 0..65535>" case-insensitively.
std::optional<uint16_t> prefixed_number(std::string_view text, std::string_view prefix) {
    if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix))
        return std::nullopt;
    auto digits = text.substr(prefix.size());
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value > 0xFFFF)
        return std::nullopt;
    return static_cast<uint16_t>(value);
}

}  // namespace

std::string to_string(RRType type) {
    for (const auto& entry : kTypeNames)
        if (entry.type == type) return std::string(entry.name);
    return "TYPE" + std::to_string(static_cast<uint16_t>(type));
}

std::optional<RRType> rrtype_from_string(std::string_view text) {
    for (const auto& entry : kTypeNames)
        if (iequals(entry.name, text)) return entry.type;
    if (auto n = prefixed_number(text, "TYPE")) return static_cast<RRType>(*n);
    return std::nullopt;
}

std::string to_string(RRClass rclass) {
    switch (rclass) {
        case RRClass::IN: return "IN";
        case RRClass::CH: return "CH";
        case RRClass::HS: return "HS";
        case RRClass::NONE: return "NONE";
        case RRClass::ANY: return "ANY";
    }
    return "CLASS" + std::to_string(static_cast<uint16_t>(rclass));
}

std::optional<RRClass> rrclass_from_string(std::string_view text) {
    if (iequals(text, "IN")) return RRClass::IN;
    if (iequals(text, "CH") || iequals(text, "CHAOS")) return RRClass::CH;
    if (iequals(text, "HS")) return RRClass::HS;
    if (iequals(text, "NONE")) return RRClass::NONE;
    if (iequals(text, "ANY")) return RRClass::ANY;
    if (auto n = prefixed_number(text, "CLASS")) return static_cast<RRClass>(*n);
    return std::nullopt;
}

std::string to_string(Opcode opcode) {
    switch (opcode) {
        case Opcode::QUERY: return "QUERY";
        case Opcode::IQUERY: return "IQUERY";
        case Opcode::STATUS: return "STATUS";
        case Opcode::NOTIFY: return "NOTIFY";
        case Opcode::UPDATE: return "UPDATE";
        case Opcode::DSO: return "DSO";
    }
    return "OPCODE" + std::to_string(static_cast<unsigned>(opcode));
}

std::string to_string(Rcode rcode) {
    switch (rcode) {
        case Rcode::NOERROR: return "NOERROR";
        case Rcode::FORMERR: return "FORMERR";
        case Rcode::SERVFAIL: return "SERVFAIL";
        case Rcode::NXDOMAIN: return "NXDOMAIN";
        case Rcode::NOTIMP: return "NOTIMP";
        case Rcode::REFUSED: return "REFUSED";
        case Rcode::YXDOMAIN: return "YXDOMAIN";
        case Rcode::YXRRSET: return "YXRRSET";
        case Rcode::NXRRSET: return "NXRRSET";
        case Rcode::NOTAUTH: return "NOTAUTH";
        case Rcode::NOTZONE: return "NOTZONE";
        case Rcode::DSOTYPENI: return "DSOTYPENI";
        case Rcode::BADVERS: return "BADVERS";
        case Rcode::BADKEY: return "BADKEY";
        case Rcode::BADTIME: return "BADTIME";
        case Rcode::BADMODE: return "BADMODE";
        case Rcode::BADNAME: return "BADNAME";
        case Rcode::BADALG: return "BADALG";
        case Rcode::BADTRUNC: return "BADTRUNC";
        case Rcode::BADCOOKIE: return "BADCOOKIE";
    }
    return "RCODE" + std::to_string(static_cast<unsigned>(rcode));
}

bool is_meta_type(RRType type) {
    const auto v = static_cast<uint16_t>(type);
    return type == RRType::OPT || (v >= 128 && v <= 255);
}

}  // namespace cairn::wire
