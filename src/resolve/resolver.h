// What the server asks of the resolve layer: one client question in, one
// answer out.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "resolve/trace.h"
#include "resolve/work_slots.h"
#include "wire/edns.h"
#include "wire/record.h"
#include "wire/types.h"

namespace cairn::resolve {

struct ClientQuery {
    wire::Question question;
    bool recursion_desired = true;
    bool dnssec_ok = false;
    bool checking_disabled = false;
};

struct Answer {
    wire::Rcode rcode = wire::Rcode::NOERROR;
    std::vector<wire::Record> answer;
    std::vector<wire::Record> authority;
    std::vector<wire::Record> additional;
    // All answer and authority data proven Secure (RFC 4035 §3.2.3).
    bool authentic_data = false;
    // Why, when rcode is SERVFAIL (RFC 8914); also Stale Answer and friends.
    std::optional<wire::ExtendedErrorOption> extended_error;
    // How long the server may reuse this answer from its packet cache
    // (0: not at all).
    uint32_t cache_ttl = 0;
};

class Resolver {
public:
    virtual ~Resolver() = default;
    // Never throws and never fails: problems become SERVFAIL with an EDE.
    virtual asio::awaitable<Answer> resolve(ClientQuery query) = 0;
    // resolve() for `cairnctl trace`: the same walk, its steps recorded in
    // `trace`. It joins no request in flight, and none joins it. A resolver
    // that records nothing just resolves.
    virtual asio::awaitable<Answer> resolve_traced(ClientQuery query, Trace& trace) {
        (void)trace;
        co_return co_await resolve(std::move(query));
    }
    // Work worth doing before the first client asks (priming the root's
    // servers and keys); run once at start on one worker.
    virtual asio::awaitable<void> warm_up() { co_return; }
    // The slots of the worker this resolver runs on, which its background
    // work must take too; without them, background work is not bounded
    // here. `slots` outlives every coroutine of the resolver.
    virtual void share_work_slots(WorkSlots& slots) { (void)slots; }
};

}  // namespace cairn::resolve
