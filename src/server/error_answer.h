// Answers the server gives by itself, without the resolver: REFUSED,
// NOTIMP, FORMERR, BADVERS, empty truncated answers, and the CHAOS-class
// identity answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/query_edns.h"
#include "wire/edns.h"
#include "wire/header.h"
#include "wire/record.h"

namespace cairn::server {

struct ErrorAnswer {
    const wire::Header& query;
    // Echoed when the query's question could be read.
    const wire::Question* question = nullptr;
    // An OPT record is included when the query carried a well-formed one.
    const QueryEdns* edns = nullptr;
    wire::Rcode rcode = wire::Rcode::SERVFAIL;
    std::optional<wire::ExtendedErrorCode> extended_error;
    // The Extended DNS Error's text, for the operator (RFC 8914 §2).
    std::string_view extra_text;
    // TC=1: an empty answer that sends the client to TCP (a rate-limit slip).
    bool truncated = false;
};

// Writes error answers into caller memory. Keeps two OPT values, one with an
// Extended DNS Error whose text has room reserved, so that even an answer
// with an Extended DNS Error and a short text allocates nothing.
class ErrorAnswerWriter {
public:
    explicit ErrorAnswerWriter(uint16_t our_udp_size);

    // Returns the answer's length (0 if `out` is too small, which a buffer
    // of 512 octets never is).
    size_t write(const ErrorAnswer& answer, std::span<uint8_t> out);

private:
    uint16_t our_udp_size_;
    wire::Edns plain_;
    wire::Edns with_error_;
};

// The CHAOS-class names a server answers about itself (as BIND, Unbound and
// NSD do): version.bind and version.server give `version`, id.server and
// hostname.bind give `identity`.
struct ServerIdentity {
    std::string version;
    std::string identity;
};

// The TXT answer to a CH-class query about this server, or 0 when the name is
// not one of those or its value is not configured (then the caller answers
// REFUSED). Not on the fast path: allocates.
size_t write_chaos_answer(const wire::Header& query, const wire::Question& question,
                          const QueryEdns& edns, const ServerIdentity& identity,
                          uint16_t our_udp_size, std::span<uint8_t> out);

}  // namespace cairn::server
