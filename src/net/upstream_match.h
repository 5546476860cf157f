// Whether a datagram or TCP message is the answer to the query we sent
// upstream (RFC 5452 §9.1). The socket already pins the server's address
// and port; this checks ID, question, the question's letter case when 0x20
// was used, and our client cookie (RFC 7873 §5.3) when we sent one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "net/client_cookie.h"
#include "wire/message.h"

namespace cairn::net {

// What the answer to one query must echo.
struct ExpectedReply {
    uint16_t id = 0;
    wire::Question question;  // as sent, in the case it was sent
    // 0x20 was used: the question must come back in exactly its case.
    bool exact_case = false;
    // The client cookie sent, if any: a reply's COOKIE option must echo it.
    std::optional<ClientCookie> client_cookie;
    // The server is known to use cookies: a reply without one is forged.
    bool cookie_required = false;
};

enum class ResponseVerdict : uint8_t {
    // Not the answer: another ID, not a response, another question. On a
    // query's own socket, from the server's address and port, it is a near
    // miss: someone may be guessing.
    kMismatch,
    kMalformed,  // our ID, but it does not parse
    kTruncated,  // ours, with TC=1: ask again over TCP
    // Ours in every way but the QNAME's letter case: forged by someone who
    // guessed the ID, or a server that does not preserve case (`message`
    // is set; over UDP it is never accepted).
    kCaseMismatch,
    // FORMERR or NOTIMP without a question, when 0x20 was used: there is no
    // case to check, so it is believed only over TCP (`message` is set).
    kUnverified,
    // Ours, but without our client cookie from a server known to use
    // cookies, or with another client cookie (RFC 7873 §5.3: discarded
    // over UDP; `message` is set).
    kCookieMismatch,
    kAccept,  // ours, parsed into `message`
};

struct ResponseCheck {
    ResponseVerdict verdict = ResponseVerdict::kMismatch;
    wire::Message message;
};

// Names compare case-insensitively unless `expected.exact_case`. A response
// without a question section is the answer only as FORMERR or NOTIMP (what
// servers that do not know EDNS send) or with TC=1.
ResponseCheck check_response(std::span<const uint8_t> data, const ExpectedReply& expected);

// What a reply's COOKIE option says, for a query that sent `client`.
struct CookieEcho {
    enum Kind : uint8_t {
        kAbsent,  // no COOKIE option (or no OPT record)
        kWrong,   // a COOKIE option with another client cookie
        kValid,   // our client cookie, and the server's (`server`, 8 to 32 octets, or empty)
    };
    Kind kind = kAbsent;
    std::span<const uint8_t> server;  // points into the message
};
CookieEcho cookie_echo(const wire::Message& reply, const ClientCookie& client);

}  // namespace cairn::net
