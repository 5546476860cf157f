#include "net/stream_answer.h"

#include <algorithm>
#include <array>

#include "wire/edns.h"
#include "wire/edns_edit.h"

namespace cairn::net {

Peer peer_for_query(const Peer& peer, std::span<const uint8_t> query, bool keepalive) {
    Peer out = peer;
    const auto options = wire::stream_edns_options(query);
    out.pad_answer = options.padding;
    out.keepalive_answer = keepalive && options.keepalive;
    return out;
}

size_t finish_answer(const Peer& peer, std::span<uint8_t> buffer, size_t length, size_t max_size,
                     std::chrono::milliseconds idle_timeout) {
    if (peer.keepalive_answer) {
        // RFC 7828 §3.1: the timeout in units of 100 ms.
        const auto units =
            static_cast<uint16_t>(std::min<int64_t>(idle_timeout.count() / 100, 65535));
        const std::array<uint8_t, 2> timeout{static_cast<uint8_t>(units >> 8),
                                             static_cast<uint8_t>(units)};
        length = wire::add_edns_option(buffer, length, max_size,
                                       static_cast<uint16_t>(wire::EdnsOptionCode::TCP_KEEPALIVE),
                                       timeout);
    }
    if (peer.pad_answer) length = wire::pad_to_block(buffer, length, max_size, kAnswerPaddingBlock);
    return length;
}

}  // namespace cairn::net
