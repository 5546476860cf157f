// What one worker records over dnstap: the events the selection asks for,
// encoded into frames and handed to a queue that another thread drains
// (net/dnstap_output.h). Recording never waits: a frame the queue cannot
// take (full, or no reader connected) is dropped and counted, so a slow or
// absent reader costs answers nothing.
//
// A client event shows its client as `client-address-privacy` allows
// (client_address.h); the client's port is kept only with `full`, since a
// port beside a prefix or a token can single out a host behind a NAT.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "observe/client_address.h"
#include "observe/dnstap_message.h"
#include "observe/dnstap_options.h"

namespace cairn::observe {

// Where one worker's frames go. Only that worker's thread offers.
class DnstapQueue {
public:
    virtual ~DnstapQueue() = default;
    // Takes a copy of `frame` for the writer; false, at once, if it could
    // not (queue full, no reader).
    virtual bool offer(std::span<const uint8_t> frame) = 0;
};

struct DnstapSettings {
    DnstapSelection selection;
    DnstapOrigin origin;
    AddressPolicy addresses;
};

class DnstapRecorder {
public:
    DnstapRecorder(DnstapSettings settings, DnstapQueue& queue);
    DnstapRecorder(const DnstapRecorder&) = delete;
    DnstapRecorder& operator=(const DnstapRecorder&) = delete;

    bool wants(DnstapKind kind) const { return settings_.selection.wants(kind); }
    bool wants_resolver() const { return settings_.selection.any_resolver(); }
    // Records `event` if it is of a kind selected; on the worker's thread.
    void record(DnstapEvent event);

    // Frames handed to the queue, and frames dropped; any thread may read.
    uint64_t frames() const { return frames_.load(std::memory_order_relaxed); }
    uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    // The client end of a client event, as it may be shown.
    void hide_client(DnstapEvent& event) const;

    const DnstapSettings settings_;
    DnstapQueue& queue_;
    std::vector<uint8_t> frame_;
    std::atomic<uint64_t> frames_{0};
    std::atomic<uint64_t> dropped_{0};
};

}  // namespace cairn::observe
