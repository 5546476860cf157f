// Where dnstap frames go (`dnstap-socket`, `dnstap-address`): a Frame
// Streams writer (libfstrm) on a thread of its own, connected to a reader
// (fstrm_capture, dnstap-ldns, a collector) over a unix socket or TCP.
//
// Each worker has its own bounded queue (libfstrm's single-producer input
// queues, no lock); the writer thread drains them all. A worker's frame is
// dropped and counted when its queue is full (a slow reader) or when no
// reader is connected, never waited for: dnstap must not delay an answer.
// A reader that goes away is reconnected to every `reconnect_interval`;
// one that neither reads nor goes away stalls a write for `io_timeout` at
// most, after which the connection is dropped and made again, so stopping
// the daemon never hangs on a reader. Frames in the writer's hands when a
// connection breaks are lost with it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observe/dnstap_recorder.h"
#include "wire/ip_address.h"
#include "wire/result.h"

struct fstrm_iothr;

namespace cairn::net {

struct DnstapOutputSettings {
    // One of the two: a unix socket path, or a TCP address.
    std::string socket;
    std::optional<wire::SocketAddress> address;
    unsigned queues = 1;  // one per worker
    // Frames one queue holds; rounded up to a power of two (libfstrm's
    // rule), at least 2 and at most 16384.
    uint32_t queue_size = 4096;
    std::chrono::seconds reconnect_interval{1};
    std::chrono::milliseconds io_timeout{2'000};
};

class DnstapOutput {
public:
    // Starts the writer thread, which connects in the background.
    static Result<std::unique_ptr<DnstapOutput>, TextError> open(
        const DnstapOutputSettings& settings);
    // Writes what is queued (within the I/O timeout), says goodbye to the
    // reader and joins the thread. Every queue's user must be gone.
    ~DnstapOutput();
    DnstapOutput(const DnstapOutput&) = delete;
    DnstapOutput& operator=(const DnstapOutput&) = delete;

    // The queue of worker `index` (< settings.queues); one thread at a time
    // offers to it.
    observe::DnstapQueue& queue(unsigned index);

    // Whether a reader is connected now, and how many times one was.
    bool connected() const;
    uint64_t connections() const;
    // "unix socket /run/dnstap.sock", "TCP 192.0.2.1:6000".
    const std::string& target() const;

    struct Stream;  // the socket under libfstrm (dnstap_output.cc)

private:
    class WorkerQueue;

    DnstapOutput() = default;

    std::unique_ptr<Stream> stream_;  // outlives the thread that uses it
    fstrm_iothr* writer_ = nullptr;
    std::vector<std::unique_ptr<WorkerQueue>> queues_;
};

}  // namespace cairn::net
