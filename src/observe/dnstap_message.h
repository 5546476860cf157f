// One dnstap frame (dnstap.info; the schema in dnstap.proto): a DNS message
// cairn received or sent, who sent it to whom, over what and when, encoded
// as the protobuf `dnstap.Dnstap` message a "protobuf:dnstap.Dnstap" Frame
// Stream carries. Encoding only: what is recorded, and where frames go, is
// dnstap_recorder.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/ip_address.h"

namespace cairn::observe {

// The Frame Streams content type of dnstap.
inline constexpr std::string_view kDnstapContentType = "protobuf:dnstap.Dnstap";

// The events cairn records (dnstap's Message.Type values).
enum class DnstapKind : uint8_t {
    kResolverQuery = 3,     // to an authoritative server
    kResolverResponse = 4,  // its answer
    kClientQuery = 5,       // from a client
    kClientResponse = 6,    // our answer to it
};

// The transport (dnstap's SocketProtocol values).
enum class DnstapProtocol : uint8_t { kUdp = 1, kTcp = 2, kDot = 3, kDoh = 4, kDoq = 7 };

// Wall-clock time, as dnstap carries it.
struct DnstapTime {
    int64_t seconds = 0;  // since the epoch
    uint32_t nanoseconds = 0;

    // CLOCK_REALTIME, the clock the readers of a capture compare with.
    static DnstapTime now();
};

// One end of an exchange; the port is left out when it is 0.
struct DnstapEnd {
    wire::IpAddress address;
    uint16_t port = 0;
};

struct DnstapEvent {
    DnstapKind kind = DnstapKind::kClientQuery;
    DnstapProtocol protocol = DnstapProtocol::kUdp;
    // Who asked (the client, or cairn's source address for a resolver
    // query) and who answers (cairn, or the authoritative server); absent
    // when not known. Both of one family: the asker's is written.
    std::optional<DnstapEnd> query_end;
    std::optional<DnstapEnd> response_end;
    std::optional<DnstapTime> query_time;
    std::optional<DnstapTime> response_time;
    // Whole DNS messages as on the wire; empty: absent.
    std::span<const uint8_t> query_message;
    std::span<const uint8_t> response_message;
};

// Who writes the frames: `identity` (the server's name) and `version` (the
// software's), each left out when empty.
struct DnstapOrigin {
    std::string identity;
    std::string version;
};

// The frame of `event` into `out` (its size set to the frame's; a buffer
// reused from frame to frame keeps its capacity, so it stops allocating).
void encode_dnstap(const DnstapEvent& event, const DnstapOrigin& origin, std::vector<uint8_t>& out);

}  // namespace cairn::observe
