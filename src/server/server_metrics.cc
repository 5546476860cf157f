#include "server/server_metrics.h"

#include <array>

namespace cairn::server {

namespace {

constexpr std::array<const char*, kRcodeClasses> kNames = {"noerror",  "formerr",   "servfail",
                                                           "nxdomain", "notimp",    "refused",
                                                           "badvers",  "badcookie", "other"};
constexpr std::array<const char*, kRcodeClasses> kLabels = {"NOERROR",  "FORMERR",   "SERVFAIL",
                                                            "NXDOMAIN", "NOTIMP",    "REFUSED",
                                                            "BADVERS",  "BADCOOKIE", "OTHER"};

}  // namespace

RcodeClass rcode_class(unsigned rcode) {
    switch (static_cast<wire::Rcode>(rcode)) {
        case wire::Rcode::NOERROR: return RcodeClass::kNoerror;
        case wire::Rcode::FORMERR: return RcodeClass::kFormerr;
        case wire::Rcode::SERVFAIL: return RcodeClass::kServfail;
        case wire::Rcode::NXDOMAIN: return RcodeClass::kNxdomain;
        case wire::Rcode::NOTIMP: return RcodeClass::kNotimp;
        case wire::Rcode::REFUSED: return RcodeClass::kRefused;
        case wire::Rcode::BADVERS: return RcodeClass::kBadvers;
        case wire::Rcode::BADCOOKIE: return RcodeClass::kBadcookie;
        default: return RcodeClass::kOther;
    }
}

const char* rcode_class_name(RcodeClass rcode) {
    return kNames[static_cast<size_t>(rcode)];
}

const char* rcode_class_label(RcodeClass rcode) {
    return kLabels[static_cast<size_t>(rcode)];
}

}  // namespace cairn::server
