// The plain-text query log (`log-queries`): one line per client query, for
// an operator who wants to read what was asked without a dnstap reader.
//
//   2024-05-01T12:00:00.123Z query 192.0.2.0/24 udp www.example.com. A NOERROR
//
// Fields, separated by one space: when the answer left (UTC, milliseconds),
// the word `query`, the client as `client-address-privacy` allows
// (client_address.h), the transport (udp, tcp, tls, https, http, quic), the
// name asked for in presentation format (so a name with spaces or control
// characters cannot break the line: they are escaped), the type, and the
// rcode of the answer, or `dropped` when none was sent (rate limiting).
// Formatting only: where lines are written is the daemon's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "observe/client_address.h"
#include "wire/name.h"
#include "wire/types.h"

namespace cairn::observe {

struct QueryLogEntry {
    int64_t seconds = 0;  // since the epoch
    uint32_t milliseconds = 0;
    ShownAddress client;
    std::string_view transport;
    const wire::Name* qname = nullptr;
    wire::RRType qtype = wire::RRType::A;
    std::optional<wire::Rcode> rcode;  // nullopt: no answer sent
};

// The line of `entry`, without a newline, into `out` (cleared first: a
// string reused from line to line keeps its capacity).
void format_query_line(const QueryLogEntry& entry, std::string& out);

// Where query log lines go. Written from every worker thread at once.
class QueryLogSink {
public:
    virtual ~QueryLogSink() = default;
    virtual void write(std::string_view line) = 0;
};

}  // namespace cairn::observe
