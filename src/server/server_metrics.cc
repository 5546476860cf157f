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

const char* rcode_class_name(RcodeClass rcode) {
    return kNames[static_cast<size_t>(rcode)];
}

const char* rcode_class_label(RcodeClass rcode) {
    return kLabels[static_cast<size_t>(rcode)];
}

}  // namespace cairn::server
