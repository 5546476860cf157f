// DNS over QUIC's use of a stream (RFC 9250 §4.2): the client opens one
// bidirectional stream per query and sends the query as a 2-octet length and
// the message, then ends the stream (FIN); the answer comes back on the same
// stream, framed the same way, and ends it. What a stream carries is judged
// here, apart from QUIC, so it can be tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cairn::net {

// DoQ's application error codes (RFC 9250 §4.3).
inline constexpr uint64_t kDoqNoError = 0x0;
inline constexpr uint64_t kDoqInternalError = 0x1;
inline constexpr uint64_t kDoqProtocolError = 0x2;
inline constexpr uint64_t kDoqRequestCancelled = 0x3;
inline constexpr uint64_t kDoqExcessiveLoad = 0x4;

// The largest DNS message, and so the most one stream may carry each way.
inline constexpr size_t kDoqMaxMessage = 65535;
inline constexpr size_t kDoqMaxStreamData = kDoqMaxMessage + 2;

enum class DoqQueryStatus : uint8_t {
    kIncomplete,    // more data, or the FIN, still to come
    kQuery,         // the stream is done and holds one acceptable query
    kTruncated,     // FIN before the length field or the message it announces
    kTrailingData,  // data after the announced message: a second query (§4.3.3)
    kTooShort,      // shorter than a DNS header
    kNonZeroId,     // the message ID must be 0 (§4.2.1)
    kKeepalive,     // edns-tcp-keepalive is TCP's, never sent on DoQ (§5.5.2)
};

// Every status but kIncomplete and kQuery ends the connection with
// DOQ_PROTOCOL_ERROR (§4.3.3).
std::string_view to_string(DoqQueryStatus status);

// Gathers the query of one stream as its data arrives, in order.
class DoqQueryReader {
public:
    // Adds the next `data` of the stream; `fin` when the client ended the
    // stream with it. Once a status other than kIncomplete is returned the
    // stream is settled and add() must not be called again.
    DoqQueryStatus add(std::span<const uint8_t> data, bool fin);

    // The query, without its length field; valid after kQuery until release().
    std::span<const uint8_t> message() const;
    // Octets the stream carried (length field included).
    size_t size() const { return buffer_.size(); }
    // Frees the buffer once the query has been handled.
    void release();

private:
    DoqQueryStatus finish() const;

    std::vector<uint8_t> buffer_;
};

// `message` with its 2-octet length in front, as the stream carries it.
// `message` is at most kDoqMaxMessage octets.
void frame_doq_message(std::span<const uint8_t> message, std::vector<uint8_t>& out);

}  // namespace cairn::net
