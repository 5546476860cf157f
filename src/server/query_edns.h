// What the server needs to know of a query's OPT record (RFC 6891), read
// straight from the wire without allocating, for the fast path.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "wire/message.h"

namespace cairn::server {

// A COOKIE option (RFC 7873 §4): the client cookie, and the server cookie
// when the client has one.
struct QueryCookie {
    bool present = false;
    std::array<uint8_t, 8> client{};
    uint8_t server_length = 0;  // 0, or 8 to 32
    std::array<uint8_t, 32> server{};

    std::span<const uint8_t> server_cookie() const { return {server.data(), server_length}; }
};

struct QueryEdns {
    bool present = false;
    uint16_t udp_size = 0;
    uint8_t version = 0;
    bool dnssec_ok = false;
    QueryCookie cookie;  // the first COOKIE option
};

enum class QueryTail : uint8_t {
    kOk,              // `edns` describes the query completely
    kMalformed,       // FORMERR
    kNeedsFullParse,  // an unusual shape: let wire::Message::parse judge it
};

// Looks at what follows the question of a query whose head parsed. The
// common shapes are handled here: nothing (arcount 0), or one OPT record
// owned by the root whose options are well formed (the same checks as
// wire::Edns::parse), ending exactly at the end of the message. Anything
// else (records in answer or authority, several additional records, a
// compressed owner) needs the full parse.
QueryTail inspect_query_tail(std::span<const uint8_t> query, const wire::QueryHead& head,
                             QueryEdns& edns);

// The same facts from a fully parsed message.
QueryEdns query_edns_of(const wire::Message& message);

}  // namespace cairn::server
