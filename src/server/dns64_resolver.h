// DNS64 (RFC 6147) in front of the resolver: an AAAA question whose answer
// has no usable AAAA record is asked again for A, and the answer is made
// from the A records with the operator's prefix (policy/dns64.h decides).
// PTR questions for the prefix's ip6.arpa names become a CNAME to the
// embedded IPv4 address's in-addr.arpa name, resolved (§5.3.1).
// Synthesised answers never carry AD: no signature covers them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "policy/dns64.h"
#include "resolve/resolver.h"

namespace cairn::server {

// Written by one worker only (relaxed atomics); read by `stats`.
struct Dns64Metrics {
    std::atomic<uint64_t> synthesised{0};      // AAAA answers made from A
    std::atomic<uint64_t> ptr_synthesised{0};  // PTR answers made from in-addr.arpa
};

class Dns64Resolver : public resolve::Resolver {
public:
    Dns64Resolver(std::unique_ptr<resolve::Resolver> inner, policy::Dns64 dns64);

    asio::awaitable<resolve::Answer> resolve(resolve::ClientQuery query) override;
    asio::awaitable<resolve::Answer> resolve_traced(resolve::ClientQuery query,
                                                    resolve::Trace& trace) override;
    void share_work_slots(resolve::WorkSlots& slots) override;

    const Dns64Metrics& metrics() const { return metrics_; }

private:
    // `trace` null: untraced.
    asio::awaitable<resolve::Answer> run(resolve::ClientQuery query, resolve::Trace* trace);
    asio::awaitable<resolve::Answer> ask(resolve::ClientQuery query, resolve::Trace* trace);
    asio::awaitable<resolve::Answer> answer_aaaa(resolve::ClientQuery query, resolve::Trace* trace);
    asio::awaitable<resolve::Answer> answer_ptr(resolve::ClientQuery query, wire::Name target,
                                                resolve::Trace* trace);

    std::unique_ptr<resolve::Resolver> inner_;
    policy::Dns64 dns64_;
    Dns64Metrics metrics_;
};

}  // namespace cairn::server
