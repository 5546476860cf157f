// What an authoritative server's (scrubbed) response means for the question
// that was asked.
#pragma once

#include "wire/message.h"

namespace cairn::resolve {

enum class ResponseKind : uint8_t {
    kAnswer,    // the asked RRset is in the answer section
    kCname,     // the asked name is an alias (CNAME owned by it)
    kDname,     // an ancestor of the asked name is redirected (DNAME)
    kReferral,  // a delegation to a zone below the one asked
    kNxdomain,  // the name does not exist
    kNodata,    // the name exists without the asked type
    // A non-authoritative NOERROR with nothing in it: lame for a full
    // question; for a QNAME-minimised one a server that mishandles empty
    // non-terminals (RFC 9156 §2.3), which the full question settles.
    kEmpty,
    kLame,   // the server does not serve the zone (or talks nonsense)
    kError,  // SERVFAIL, REFUSED, NOTIMP, FORMERR or another error rcode
};

struct Classification {
    ResponseKind kind = ResponseKind::kLame;
    wire::Name referral_zone;  // for kReferral: the child zone
};

// `zone` is the zone the server was asked as authoritative for.
Classification classify_response(const wire::Message& response, const wire::Question& question,
                                 const wire::Name& zone);

const char* to_string(ResponseKind kind);

}  // namespace cairn::resolve
