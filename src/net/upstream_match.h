// Whether a datagram or TCP message is the answer to the query we sent
// upstream (RFC 5452 §9.1). The socket already pins the server's address
// and port; this checks ID and question.
#pragma once

#include <cstdint>
#include <span>

#include "wire/message.h"

namespace cairn::net {

enum class ResponseVerdict : uint8_t {
    kIgnore,     // not ours (another ID, not a response, another question): keep waiting
    kMalformed,  // our ID, but it does not parse
    kTruncated,  // ours, with TC=1: ask again over TCP
    kAccept,     // ours, parsed into `message`
};

struct ResponseCheck {
    ResponseVerdict verdict = ResponseVerdict::kIgnore;
    wire::Message message;  // set for kAccept
};

// Names compare case-insensitively (a 0x20-randomised query may come back
// in any case). A response without a question section is accepted only as
// FORMERR or NOTIMP (what servers that do not know EDNS send) or with TC=1.
ResponseCheck check_response(std::span<const uint8_t> data, uint16_t id,
                             const wire::Question& question);

}  // namespace cairn::net
