// Response rate limiting (RRL) for UDP answers, per client prefix: the
// defence against using Cairn to reflect and amplify traffic towards a
// forged source address. TCP needs none (a TCP client has proven its
// address), nor does a client that returns a valid server cookie (RFC 7873
// §5.3): the pipeline does not ask for those.
//
// Each class of response has its own budget, in responses per second per
// client prefix (0: not limited): answers (NOERROR), NXDOMAINs, and errors
// (REFUSED, FORMERR, NOTIMP, SERVFAIL, BADVERS). A budget is a token bucket
// holding at most one second's worth, refilled once per second of the
// clock it is given.
//
// Of the responses over budget, every `slip`th is sent anyway as an empty
// answer with TC=1 (a client at that address that really asked retries
// over TCP, where no limit applies); the others are dropped. Errors never
// slip: an error answer is as small as a truncated one and tells a real
// client just as much, so a flood of refusable or malformed queries is
// dropped once over budget.
//
// One limiter per worker thread, used by that thread alone: no lock. Its
// table is allocated once (at construction, when a limit is on) with a
// fixed number of entries, in sets of four; a new client prefix takes the
// least recently seen entry of its set. Nothing is allocated per response.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "net/client_prefix.h"

namespace cairn::server {

enum class ResponseClass : uint8_t { kAnswer, kNxdomain, kError };

struct RateLimits {
    // Responses per second per client prefix; 0: not limited.
    uint32_t answers = 0;
    uint32_t nxdomains = 0;
    // Errors are limited by default: a client that really asks gets few of
    // them, and this is enough for one that asks in quick succession (a
    // stub going through a list of broken names), while a flood of
    // refusable or malformed queries gets a few per cent back.
    uint32_t errors = 50;
    // Every slip-th limited answer or NXDOMAIN goes out truncated; 0: none.
    uint32_t slip = 2;
    // Client prefixes tracked at once per worker thread.
    uint32_t table_entries = 16384;
};

enum class RateVerdict : uint8_t { kSend, kDrop, kSlip };

class ResponseRateLimiter {
public:
    // `seed` makes the table's buckets unpredictable to clients.
    ResponseRateLimiter(const RateLimits& limits, uint64_t seed);

    // Whether responses of `kind` are limited at all (a cheap test, so the
    // fast path pays nothing for limits that are off).
    bool limits(ResponseClass kind) const { return rates_[index(kind)] != 0; }

    // Takes a token for one response of `kind` to `client` at `now` (in
    // seconds, any monotonic origin).
    RateVerdict take(const net::ClientPrefix& client, ResponseClass kind, int64_t now);

    size_t table_entries() const { return table_.size(); }

private:
    static constexpr size_t kWays = 4;

    struct Entry {
        uint64_t high = 0;
        uint64_t low = 0;
        int64_t last = 0;      // the second of the last refill
        uint32_t tokens = 0;   // responses left in this second's budget
        uint32_t limited = 0;  // responses refused, for the slip
        uint8_t tag = 0;       // 0: free; else the class and address family
    };

    static size_t index(ResponseClass kind) { return static_cast<size_t>(kind); }
    Entry& find_or_claim(const net::ClientPrefix& client, uint8_t tag, int64_t now, uint32_t rate);

    std::array<uint32_t, 3> rates_;
    uint32_t slip_;
    uint64_t seed_;
    std::vector<Entry> table_;
};

// The class a response's rcode puts it in.
ResponseClass response_class(unsigned rcode);

}  // namespace cairn::server
