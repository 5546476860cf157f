// Counters of the client-facing transports of one worker. Only that
// worker's thread writes them (count() below is a plain load and store, not
// a locked increment); any thread may read them.
#pragma once

#include <atomic>
#include <cstdint>

namespace cairn::net {

using Counter = std::atomic<uint64_t>;

// Single-writer increment: no read-modify-write instruction needed.
inline void count(Counter& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct TransportMetrics {
    Counter udp_received{0};        // datagrams read
    Counter udp_sent{0};            // datagrams sent
    Counter udp_send_errors{0};     // datagrams the kernel would not send
    Counter udp_oversize{0};        // datagrams larger than the receive buffer, dropped
    Counter udp_batches{0};         // recvmmsg calls that returned data
    Counter tcp_accepted{0};        // connections accepted and served
    Counter tcp_refused_limit{0};   // connections closed at once: over a connection limit
    Counter tcp_refused_acl{0};     // connections closed at once: client not allowed
    Counter tcp_write_timeouts{0};  // connections closed: the client did not read its answers
    Counter tcp_reads_paused{0};    // times a connection stopped reading: too much unsent
    Counter tcp_idle_closed{0};     // connections closed after tcp-idle-timeout
    Counter tcp_malformed{0};       // connections closed for a bad length or a short read
    Counter tcp_queries{0};         // messages read over TCP
    Counter tcp_open{0};            // gauge: connections of this worker open now
};

}  // namespace cairn::net
