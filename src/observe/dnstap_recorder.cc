#include "observe/dnstap_recorder.h"

#include <utility>

namespace cairn::observe {
namespace {

// Single-writer increment: only the worker's thread records.
void bump(std::atomic<uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool is_client_event(DnstapKind kind) {
    return kind == DnstapKind::kClientQuery || kind == DnstapKind::kClientResponse;
}

}  // namespace

DnstapRecorder::DnstapRecorder(DnstapSettings settings, DnstapQueue& queue)
    : settings_(std::move(settings)), queue_(queue) {
    // Room for a large answer and its envelope without growing later.
    frame_.reserve(4096);
}

void DnstapRecorder::hide_client(DnstapEvent& event) const {
    if (!is_client_event(event.kind) || !event.query_end) return;
    const auto& when = event.query_time ? event.query_time : event.response_time;
    const int64_t now = when ? when->seconds : DnstapTime::now().seconds;
    const auto shown = show_client_address(event.query_end->address, settings_.addresses, now);
    event.query_end->address = shown.address;
    if (shown.form != AddressPrivacy::kFull) event.query_end->port = 0;
}

void DnstapRecorder::record(DnstapEvent event) {
    if (!wants(event.kind)) return;
    hide_client(event);
    encode_dnstap(event, settings_.origin, frame_);
    bump(queue_.offer(frame_) ? frames_ : dropped_);
}

}  // namespace cairn::observe
