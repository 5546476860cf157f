#include "dnssec/security.h"

namespace cairn::dnssec {

const char* security_name(Security s) {
    switch (s) {
        case Security::kIndeterminate: return "indeterminate";
        case Security::kInsecure: return "insecure";
        case Security::kSecure: return "secure";
        case Security::kBogus: return "bogus";
    }
    return "unknown";
}

}  // namespace cairn::dnssec
