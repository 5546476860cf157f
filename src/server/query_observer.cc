#include "server/query_observer.h"

namespace cairn::server {
namespace {

observe::DnstapEnd client_end(const net::Peer& peer) {
    return {peer.address.address, peer.address.port};
}

}  // namespace

observe::DnstapProtocol dnstap_protocol(net::ClientProtocol protocol) {
    using observe::DnstapProtocol;
    switch (protocol) {
        case net::ClientProtocol::kUdp: return DnstapProtocol::kUdp;
        case net::ClientProtocol::kTcp: return DnstapProtocol::kTcp;
        case net::ClientProtocol::kTls: return DnstapProtocol::kDot;
        // Cleartext HTTP/2 is DoH behind a proxy that took the TLS off.
        case net::ClientProtocol::kHttps:
        case net::ClientProtocol::kHttp: return DnstapProtocol::kDoh;
        case net::ClientProtocol::kQuic: return DnstapProtocol::kDoq;
    }
    return DnstapProtocol::kUdp;
}

void QueryObserver::record_query(std::span<const uint8_t> query, const net::Peer& peer) {
    if (!dnstap_->wants(observe::DnstapKind::kClientQuery)) return;
    observe::DnstapEvent event;
    event.kind = observe::DnstapKind::kClientQuery;
    event.protocol = dnstap_protocol(peer.protocol);
    event.query_end = client_end(peer);
    event.query_time = observe::DnstapTime::now();
    event.query_message = query;
    dnstap_->record(event);
}

void QueryObserver::record_answer(std::span<const uint8_t> answer, const net::Peer& peer) {
    if (!dnstap_->wants(observe::DnstapKind::kClientResponse)) return;
    observe::DnstapEvent event;
    event.kind = observe::DnstapKind::kClientResponse;
    event.protocol = dnstap_protocol(peer.protocol);
    event.query_end = client_end(peer);
    event.response_time = observe::DnstapTime::now();
    event.response_message = answer;
    dnstap_->record(event);
}

void QueryObserver::log_answer(const wire::Question& question, const net::Peer& peer,
                               std::optional<wire::Rcode> rcode) {
    const auto now = observe::DnstapTime::now();
    observe::QueryLogEntry entry;
    entry.seconds = now.seconds;
    entry.milliseconds = now.nanoseconds / 1'000'000;
    entry.client = observe::show_client_address(peer.address.address, addresses_, now.seconds);
    entry.transport = net::client_protocol_name(peer.protocol);
    entry.qname = &question.name;
    entry.qtype = question.type;
    entry.rcode = rcode;
    observe::format_query_line(entry, line_);
    query_log_->write(line_);
}

}  // namespace cairn::server
