#include "cairnctl/stream_framing.h"

#include <cassert>

namespace cairn::ctl {

std::vector<uint8_t> length_prefixed(std::span<const uint8_t> message) {
    assert(message.size() <= kMaxStreamMessage);
    std::vector<uint8_t> framed;
    framed.reserve(2 + message.size());
    framed.push_back(static_cast<uint8_t>(message.size() >> 8));
    framed.push_back(static_cast<uint8_t>(message.size()));
    framed.insert(framed.end(), message.begin(), message.end());
    return framed;
}

}  // namespace cairn::ctl
