#include "net/dnstap_upstream.h"

namespace cairn::net {

observe::DnstapEvent UpstreamTap::exchange(observe::DnstapKind kind) const {
    observe::DnstapEvent event;
    event.kind = kind;
    event.protocol = protocol_;
    event.query_end = local_;
    event.response_end = server_;
    event.query_time = sent_at_;
    return event;
}

void UpstreamTap::sent(observe::DnstapProtocol protocol,
                       const std::optional<wire::SocketAddress>& local,
                       const wire::SocketAddress& server, std::span<const uint8_t> query) {
    if (!recorder_) return;
    protocol_ = protocol;
    if (local) local_ = observe::DnstapEnd{local->address, local->port};
    server_ = {server.address, server.port};
    sent_at_ = observe::DnstapTime::now();
    if (!recorder_->wants(observe::DnstapKind::kResolverQuery)) return;
    auto event = exchange(observe::DnstapKind::kResolverQuery);
    event.query_message = query;
    recorder_->record(event);
}

void UpstreamTap::received(std::span<const uint8_t> response) {
    if (!recorder_ || !sent_at_ || !recorder_->wants(observe::DnstapKind::kResolverResponse))
        return;
    auto event = exchange(observe::DnstapKind::kResolverResponse);
    event.response_time = observe::DnstapTime::now();
    event.response_message = response;
    recorder_->record(event);
}

}  // namespace cairn::net
