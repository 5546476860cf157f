// Counters of the upstream transport's defences against forged answers.
// One set is shared by the transports of all workers: they count only
// replies that were not the answer, at most a few per query (a query
// leaves UDP when its replies look forged), never the normal case, so the
// shared cache line costs nothing on the data path.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace cairn::net {

struct UpstreamMetrics {
    using Counter = std::atomic<uint64_t>;
    // Replies on a UDP query's socket, from its server's address and port,
    // that were not its answer: wrong ID, question, or case.
    Counter near_misses{0};
    // Replies that matched a query in everything but the QNAME's letter
    // case (0x20): forged, or from a server that does not preserve case.
    Counter case_mismatches{0};
    // UDP queries given up for TCP because a reply looked forged.
    Counter spoof_tcp_retries{0};
    // Servers found, over TCP, not to preserve the QNAME's case: asked
    // without 0x20 for a while.
    Counter case_blind_servers{0};
    // Replies without our client cookie from a server known to use
    // cookies, or with another client cookie.
    Counter cookie_mismatches{0};
    // BADCOOKIE answers asked again with the server's new cookie.
    Counter badcookie_retries{0};
    // Servers found, over TCP, to have stopped using cookies.
    Counter cookies_forgotten{0};
    // DNS over TLS to forwarders: handshakes that failed on the server's
    // certificate (the forwarder is then not used, never in clear text).
    Counter tls_certificate_failures{0};
};

// Several workers write these: an atomic add (unlike count() in
// transport_metrics.h, for single-writer counters).
inline void count_shared(UpstreamMetrics::Counter& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
}

// Calls `f(name, value, help)` for each counter, for `cairnctl stats`.
template <class F>
void for_each_counter(const UpstreamMetrics& m, F&& f) {
    auto read = [](const UpstreamMetrics::Counter& c) { return c.load(std::memory_order_relaxed); };
    using std::string_view;
    f(string_view("near_misses"), read(m.near_misses),
      string_view("Replies from a queried server that were not the answer (ID, question, case)."));
    f(string_view("case_mismatches"), read(m.case_mismatches),
      string_view("Replies that matched a query but for the QNAME's letter case (0x20)."));
    f(string_view("spoof_tcp_retries"), read(m.spoof_tcp_retries),
      string_view("UDP queries asked again over TCP because a reply looked forged."));
    f(string_view("case_blind_servers"), read(m.case_blind_servers),
      string_view("Servers found not to preserve the QNAME's case."));
    f(string_view("cookie_mismatches"), read(m.cookie_mismatches),
      string_view("Replies without our client cookie from a server known to use cookies."));
    f(string_view("badcookie_retries"), read(m.badcookie_retries),
      string_view("BADCOOKIE answers asked again with the server's new cookie."));
    f(string_view("cookies_forgotten"), read(m.cookies_forgotten),
      string_view("Servers found to have stopped using cookies."));
    f(string_view("tls_certificate_failures"), read(m.tls_certificate_failures),
      string_view("TLS connections to forwarders refused for the server's certificate."));
}

}  // namespace cairn::net
