// The resolver side of dnstap: one upstream attempt's query
// (RESOLVER_QUERY) and the response it took (RESOLVER_RESPONSE), as they
// were on the wire, with cairn's source address and the server's. A tap
// without a recorder, or whose events are not selected, does nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "observe/dnstap_recorder.h"
#include "wire/ip_address.h"

namespace cairn::net {

class UpstreamTap {
public:
    UpstreamTap() = default;
    explicit UpstreamTap(observe::DnstapRecorder* recorder) : recorder_(recorder) {}

    // Whether sent() wants `local`, which costs a system call to learn.
    bool active() const { return recorder_ != nullptr; }
    // `query` left `local` for `server` now.
    void sent(observe::DnstapProtocol protocol, const std::optional<wire::SocketAddress>& local,
              const wire::SocketAddress& server, std::span<const uint8_t> query);
    // `response`, the one the attempt took, arrived now.
    void received(std::span<const uint8_t> response);

private:
    observe::DnstapEvent exchange(observe::DnstapKind kind) const;

    observe::DnstapRecorder* recorder_ = nullptr;
    observe::DnstapProtocol protocol_ = observe::DnstapProtocol::kUdp;
    std::optional<observe::DnstapEnd> local_;
    observe::DnstapEnd server_;
    std::optional<observe::DnstapTime> sent_at_;
};

}  // namespace cairn::net
