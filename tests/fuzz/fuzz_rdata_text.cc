// RData::from_text on arbitrary presentation text. The first input byte picks
// the RR type, the rest is the RDATA text. What parses must be valid wire
// RDATA, must print, and the printed text must parse back to the same bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "wire/rdata.h"
#include "wire/text_tokens.h"

using cairn::wire::Name;
using cairn::wire::RData;
using cairn::wire::RRType;
using cairn::wire::tokenize;

namespace {

constexpr std::array kTypes = {
    RRType::A,      RRType::NS,     RRType::CNAME,   RRType::SOA,        RRType::PTR,
    RRType::HINFO,  RRType::MINFO,  RRType::MX,      RRType::TXT,        RRType::RP,
    RRType::AFSDB,  RRType::RT,     RRType::AAAA,    RRType::SRV,        RRType::NAPTR,
    RRType::KX,     RRType::DNAME,  RRType::DS,      RRType::SSHFP,      RRType::RRSIG,
    RRType::NSEC,   RRType::DNSKEY, RRType::NSEC3,   RRType::NSEC3PARAM, RRType::TLSA,
    RRType::SMIMEA, RRType::CDS,    RRType::CDNSKEY, RRType::ZONEMD,     RRType::SVCB,
    RRType::HTTPS,  RRType::SPF,    RRType::CAA,     RRType::DLV,        RRType::MB,
    RRType::NULL_,  RRType{65280},  RRType{1234},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const Name origin = *Name::from_text("Origin.example.");
    if (size < 1) return 0;
    const RRType type = kTypes[data[0] % kTypes.size()];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    auto tokens = tokenize(text);
    if (!tokens) return 0;
    auto rdata = RData::from_text(type, *tokens, origin);
    if (!rdata) return 0;

    // What the text parser builds, the wire parser accepts.
    FUZZ_CHECK(rdata->size() <= 65535);
    auto checked = RData::from_wire(type, rdata->bytes());
    FUZZ_CHECK(checked.ok());

    const std::string printed = rdata->to_text(type);
    auto printed_tokens = tokenize(printed);
    FUZZ_CHECK(printed_tokens.ok());
    auto again = RData::from_text(type, *printed_tokens, Name::root());
    if (!again) {
        std::fprintf(stderr, "printed form does not parse: %s\n  error: %s\n", printed.c_str(),
                     again.error().message.c_str());
    }
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->bytes().size() == rdata->bytes().size());
    FUZZ_CHECK(*again == *rdata);
    FUZZ_CHECK(again->to_text(type) == printed);
    (void)rdata->canonical(type);
    return 0;
}
