// The zone-transfer client: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP
// from a primary, and the SOA query that tells whether to transfer at all
// (RFC 1034 §4.3.5 refresh). For zones Cairn keeps itself: response policy
// zones, the local root copy (RFC 8806). Not on the data path: these run on
// the daemon's main event loop, on the executor of the calling coroutine.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <optional>

#include "net/transfer_reader.h"
#include "wire/ip_address.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::net {

struct TransferLimits {
    // For the whole transfer, connection to closing SOA.
    std::chrono::milliseconds timeout{60'000};
    // Wire octets of all messages, and records kept: a primary that never
    // ends (or a far larger zone than expected) cannot exhaust memory.
    size_t max_bytes = 256u << 20;
    size_t max_records = 4'000'000;
};

struct TransferRequest {
    wire::Name zone;
    wire::SocketAddress primary;
    // Source address to bind; nullopt: the kernel's choice.
    std::optional<wire::IpAddress> source;
    // The SOA of the version we hold: asks IXFR from its serial. An IXFR
    // refused (any rcode but NOERROR) or not usable is followed by AXFR.
    // nullopt: AXFR.
    std::optional<wire::Record> have_soa;
    TransferLimits limits;
};

// One transfer; errors name the zone, the primary and what went wrong
// (connection, timeout, rcode, malformed or unterminated stream, limits).
asio::awaitable<Result<ZoneTransfer, TextError>> transfer_zone(TransferRequest request);

// The primary's SOA record for `zone`, asked over UDP (over TCP when the
// reply is truncated); an error when it does not answer in `timeout` or
// answers without an authoritative SOA for the zone.
asio::awaitable<Result<wire::Record, TextError>> query_soa(
    const wire::Name& zone, const wire::SocketAddress& primary,
    std::optional<wire::IpAddress> source = std::nullopt,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

}  // namespace cairn::net
