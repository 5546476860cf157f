// Turns the resolver's Answer into the wire answer for one client (DESIGN.md
// "The data path", step 5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resolve/resolver.h"
#include "server/query_edns.h"
#include "wire/header.h"
#include "wire/record.h"

namespace cairn::server {

// What of the query decides the shape of its answer.
struct AnswerShape {
    wire::Header query;       // ID, RD, CD are echoed
    wire::Question question;  // echoed as the client spelt it
    QueryEdns edns;
    size_t max_size = 512;  // see answer_size_limit
};

// The size limit of an answer: 65535 over TCP; over UDP the client's EDNS
// buffer size clamped to [512, ours] (RFC 6891 §6.2.5), 512 without EDNS
// (RFC 1035 §4.2.1).
size_t answer_size_limit(bool tcp, const QueryEdns& edns, uint16_t our_udp_size);

struct ShapedAnswer {
    std::span<const uint8_t> message;
    wire::Rcode rcode = wire::Rcode::NOERROR;  // as sent
    bool truncated = false;
};

// Builds the answer into `buffer` (at least `shape.max_size` octets):
// - QR, RA; ID, RD, CD and the question as the client sent them;
// - AD exactly when the answer is authentic (the caller clears it for
//   clients that asked with neither DO nor AD: see clear_ad_unless_asked);
// - RRSIG, NSEC and NSEC3 records left out unless the client set DO or asked
//   for that type (RFC 4035 §3.2.1);
// - an OPT record iff the query had one, advertising `our_udp_size`, with the
//   answer's Extended DNS Error, and one always on SERVFAIL (RFC 8914);
// - whole RRsets up to `max_size`, TC=1 when the answer or authority section
//   did not fit (RFC 2181 §9).
ShapedAnswer shape_answer(const AnswerShape& shape, const resolve::Answer& answer,
                          uint16_t our_udp_size, std::span<uint8_t> buffer);

// RFC 6840 §5.8: AD only for a client that set DO or AD in its query. The
// stored (packet cache) form keeps AD, so this runs on each copy sent.
void clear_ad_unless_asked(std::span<uint8_t> message, bool query_ad, bool query_do);

}  // namespace cairn::server
