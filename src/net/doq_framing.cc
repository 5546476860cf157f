#include "net/doq_framing.h"

#include "wire/edns_edit.h"
#include "wire/header.h"

namespace cairn::net {

namespace {

size_t announced_length(std::span<const uint8_t> stream) {
    return size_t{stream[0]} << 8 | stream[1];
}

}  // namespace

std::string_view to_string(DoqQueryStatus status) {
    switch (status) {
        case DoqQueryStatus::kIncomplete: return "incomplete";
        case DoqQueryStatus::kQuery: return "query";
        case DoqQueryStatus::kTruncated: return "stream ended inside the message";
        case DoqQueryStatus::kTrailingData: return "data after the query";
        case DoqQueryStatus::kTooShort: return "message shorter than a DNS header";
        case DoqQueryStatus::kNonZeroId: return "message ID is not 0";
        case DoqQueryStatus::kKeepalive: return "edns-tcp-keepalive on DoQ";
    }
    return "?";
}

DoqQueryStatus DoqQueryReader::add(std::span<const uint8_t> data, bool fin) {
    // No stream holds more than one whole message; QUIC's flow control
    // bounds what one can bring, this bounds what is kept of it.
    if (buffer_.size() + data.size() > kDoqMaxStreamData) return DoqQueryStatus::kTrailingData;
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    if (buffer_.size() >= 2 && buffer_.size() > announced_length(buffer_) + 2)
        return DoqQueryStatus::kTrailingData;
    if (!fin) return DoqQueryStatus::kIncomplete;
    return finish();
}

DoqQueryStatus DoqQueryReader::finish() const {
    if (buffer_.size() < 2 || buffer_.size() != announced_length(buffer_) + 2)
        return DoqQueryStatus::kTruncated;
    const auto query = message();
    if (query.size() < wire::Header::kSize) return DoqQueryStatus::kTooShort;
    if (query[0] != 0 || query[1] != 0) return DoqQueryStatus::kNonZeroId;
    if (wire::stream_edns_options(query).keepalive) return DoqQueryStatus::kKeepalive;
    return DoqQueryStatus::kQuery;
}

std::span<const uint8_t> DoqQueryReader::message() const {
    if (buffer_.size() < 2) return {};
    return std::span<const uint8_t>(buffer_).subspan(2);
}

void DoqQueryReader::release() {
    buffer_.clear();
    buffer_.shrink_to_fit();
}

void frame_doq_message(std::span<const uint8_t> message, std::vector<uint8_t>& out) {
    out.clear();
    out.reserve(message.size() + 2);
    out.push_back(static_cast<uint8_t>(message.size() >> 8));
    out.push_back(static_cast<uint8_t>(message.size()));
    out.insert(out.end(), message.begin(), message.end());
}

}  // namespace cairn::net
