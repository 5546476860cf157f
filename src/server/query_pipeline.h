// The request pipeline of one worker (DESIGN.md "The data path"): checks,
// the packet-cache fast path, and the hand-off to the resolver.
//
// Order of the checks, each answered on the spot without a coroutine:
//   not a query: header or question unreadable, QR=1, QDCOUNT != 1
//                                         -> dropped, no answer (counted)
//   client not in `allow`                 -> REFUSED (EDE 18 Prohibited)
//   opcode other than QUERY               -> NOTIMP
//   malformed sections after the question, bad OPT -> FORMERR
//   EDNS version above 0                  -> BADVERS, with OPT version 0
//   class CH                              -> the server's identity (TXT), or REFUSED
//   class other than IN                   -> REFUSED
//   AXFR, IXFR                            -> REFUSED (as Unbound does)
//   OPT, TSIG, TKEY, MAILA, MAILB, 128-248 as QTYPE -> FORMERR (as Unbound)
// then the packet cache (no allocation, no lock: the cache is this
// worker's), then on a miss the local zones (policy/local_zones.h: answered
// at once with AA, or dropped, or a local CNAME whose target is resolved),
// and only then, if the worker and the client prefix are
// within their in-flight budgets (else SERVFAIL with an EDE naming the
// option), a coroutine that asks the resolver, shapes the answer, stores it
// in the packet cache and sends it.
//
// Local zones are asked after the packet cache, so a cache hit costs no
// zone lookup, and yet they always win: the packet cache holds only what the
// resolver answered for questions the local zones let through, and a
// reload that changes them builds new workers with empty packet caches.
// Local answers are not stored there (their TTLs stay as configured).
//
// Every answer is counted by protocol and rcode, and timed from the query's
// arrival to its leaving: by the transport for a UDP batch's answers given
// at once (two clock reads a batch, none per query: answered_in_batch),
// here for the others (the stream transports' answers given at once, and
// every answer given later).
//
// Every answer, given on the spot or later, leaves through release(): a
// query's COOKIE option is checked (server_cookies.h); over UDP, unless the
// client returned a valid server cookie, the answer takes a token of the
// client prefix's response rate limit (rate_limiter.h) and is dropped or
// slipped when there is none (empty with TC=1, or BADCOOKIE with a fresh
// cookie for a client that sent one); and the client's cookie is added to
// the answer's OPT record.
//
// Only a packet whose header and one question parse is a query worth an
// answer (FORMERR, NOTIMP and BADVERS, RFC 1035 §4.1.1 and RFC 6891 §6.1.3,
// answer such a query): an answer to anything else would make Cairn a
// reflector for forged sources, and echo nothing the sender could match.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cache/clock.h"
#include "net/client_prefix.h"
#include "net/query_handler.h"
#include "observe/client_address.h"
#include "observe/dnstap_recorder.h"
#include "observe/query_log.h"
#include "policy/local_zones.h"
#include "resolve/resolver.h"
#include "server/access_list.h"
#include "server/error_answer.h"
#include "server/inflight_shares.h"
#include "server/query_edns.h"
#include "server/query_observer.h"
#include "server/rate_limiter.h"
#include "server/response_cache.h"
#include "server/response_shaper.h"
#include "server/rpz_policy.h"
#include "server/server_cookies.h"
#include "server/server_metrics.h"

namespace cairn::server {

struct PipelineSettings {
    AccessList allow;
    ServerIdentity identity;
    // Our EDNS UDP buffer size: advertised in answers, and the largest UDP
    // answer we send.
    uint16_t edns_buffer_size = 1232;
    // Resolutions running at once on one worker (the resolver's prefetches
    // and serve-stale refreshes included), and for one client prefix on one
    // worker. A query beyond either is answered SERVFAIL with an
    // Extended DNS Error at once, rather than queued without bound or
    // dropped (a client told at once can go to another server instead of
    // waiting out a timeout and asking again; and the answer, no larger
    // than the query, is rate limited like every error).
    uint64_t max_inflight = 10'000;
    uint32_t max_inflight_per_client = 1'000;
    // DNS cookies (RFC 7873, RFC 9018).
    CookieSecrets cookies{process_cookie_secret(), std::nullopt};
    // Response rate limits over UDP, per client prefix.
    RateLimits rate_limits;
    net::ClientPrefixLengths client_prefix;
    // Where query log lines go (`log-queries`); null: no query log.
    observe::QueryLogSink* query_log = nullptr;
    // How the query log and dnstap show client addresses.
    observe::AddressPolicy client_addresses;
    // Where RPZ's NSDNAME and NSIP triggers find name servers; null: those
    // triggers see none.
    const cache::RRsetCache* rrsets = nullptr;
    // Names answered locally (`local-zones`, `local-data`, the built-in
    // zones); null: none. Shared, immutable, by all workers.
    std::shared_ptr<const policy::LocalZones> local_zones;
};

class QueryPipeline final : public net::QueryHandler {
public:
    using Instant = std::chrono::steady_clock::time_point;

    // `packet_cache` may be null (no fast path); `dnstap`, this worker's
    // recorder, too (no dnstap).
    QueryPipeline(asio::any_io_executor executor, PipelineSettings settings,
                  resolve::Resolver& resolver, ResponseCache* packet_cache,
                  const cache::Clock& clock, ServerMetrics& metrics,
                  observe::DnstapRecorder* dnstap = nullptr);

    size_t handle_query(std::span<const uint8_t> query, const net::Peer& peer,
                        std::span<uint8_t> response, const net::ReplyOrigin& origin) override;
    void answered_in_batch(net::Protocol protocol, size_t answers, Instant received,
                           Instant sent) override;
    // Connections from clients outside `allow` are closed at accept.
    bool admits(const net::Peer& peer) const override {
        return settings_.allow.allows(peer.address.address);
    }

    // The response policy from now on (null: none); on the worker's loop.
    // The packet cache must be emptied with it: its answers passed the
    // previous policy.
    void set_rpz(std::shared_ptr<const RpzPolicy> policy) { rpz_ = std::move(policy); }

    // Resolutions running now, background work of the resolver included.
    uint64_t inflight() const { return slots_.running(); }

    // What the COOKIE option of an answer takes: code, length, the client's
    // 8 octets and our 16.
    static constexpr size_t kCookieReplySize = 4 + 8 + 16;

    // Largest answer handle_query writes on the spot over UDP.
    static size_t max_udp_answer(uint16_t edns_buffer_size);

private:
    // What response policy still has to decide about a query sent to the
    // resolver (query_pipeline_rpz.cc).
    struct PolicyStep {
        std::shared_ptr<const RpzPolicy> rpz;  // null: no policy
        // A hit found before resolving and not yet applied.
        std::optional<policy::RpzHit> hit;
        // Resolve first, then decide: zones before the hit's have response
        // triggers, or the client asked with DO and the answer may be secure.
        bool resolve_first = false;
        // Response triggers apply in zones before this one.
        size_t response_until = SIZE_MAX;
        // Whether the answer may go into the packet cache: only answers that
        // every zone's rules saw and left alone.
        bool storable() const { return !hit && response_until == SIZE_MAX; }
    };

    // A query on its way through the resolver.
    struct Pending {
        AnswerShape shape;
        cache::PacketKey key;
        net::Peer peer;
        PolicyStep policy;
        // A local CNAME chain that leaves local data: the name to resolve
        // instead of the question's, and the chain to put before its answer.
        std::optional<wire::Name> continue_at;
        std::vector<wire::Record> chain;
    };

    // What policy made of a resolved answer.
    enum class PolicyEnd : uint8_t { kAnswer, kDrop, kTruncate };

    // What an answer on its way out needs of its query.
    struct Outgoing {
        const wire::Header& query;
        const wire::Question* question = nullptr;  // null: not readable
        const QueryEdns* edns = nullptr;           // null: no OPT in the answer
        const net::Peer& peer;
    };

    // Counts a resolution from its spawning to the end of its coroutine,
    // however that ends (also destruction at shutdown, never resumed).
    class InflightGuard {
    public:
        // The worker's slot and the client's share are taken already
        // (WorkSlots::try_take, InflightShares::try_take).
        InflightGuard(QueryPipeline& pipeline, const net::ClientPrefix& client);
        InflightGuard(InflightGuard&& other) noexcept
            : pipeline_(std::exchange(other.pipeline_, nullptr)), client_(other.client_) {}
        InflightGuard& operator=(InflightGuard&&) = delete;
        ~InflightGuard();

    private:
        QueryPipeline* pipeline_;
        net::ClientPrefix client_;
    };

    // handle_query once the query has its time of arrival.
    size_t answer_query(std::span<const uint8_t> query, const net::Peer& peer,
                        std::span<uint8_t> response, const net::ReplyOrigin& origin);
    // Times an answer leaving now for a query that arrived at peer.received.
    void record_latency(const net::Peer& peer);
    // At log-level debug: the resolution traced, its steps logged (the
    // request then joins no other in flight: debug is for diagnosis).
    asio::awaitable<resolve::Answer> resolve_logged(resolve::ClientQuery query);
    asio::awaitable<void> resolve_and_answer(Pending pending, net::ReplyHandle reply,
                                             InflightGuard running);
    // The answer to a question that passed the checks: from the packet
    // cache, or later from the resolver.
    size_t answer_question(const Outgoing& to, std::span<uint8_t> response,
                           const net::ReplyOrigin& origin);
    // The local answer, given at once, or dropped, or the rest of a local
    // CNAME chain handed to the resolver.
    size_t answer_locally(const Outgoing& to, Pending pending, policy::LocalAnswer local,
                          std::span<uint8_t> response, const net::ReplyOrigin& origin);
    // Hands `pending` to a resolution coroutine if the in-flight budgets
    // allow; else the SERVFAIL that says which budget.
    size_t start_resolution(const Outgoing& to, Pending pending, std::span<uint8_t> response,
                            const net::ReplyOrigin& origin);
    size_t answer_error(const Outgoing& to, wire::Rcode rcode,
                        std::optional<wire::ExtendedErrorCode> ede, std::span<uint8_t> response,
                        std::string_view ede_text = {});
    // The most an answer may take for this client, leaving room for its
    // cookie.
    size_t answer_limit(bool tcp, const QueryEdns& edns) const;
    ServerCookies::Check check_cookie(const QueryCookie& cookie, const net::Peer& peer);
    // Lets the first `length` octets of `out` (an answer with `rcode`) go, as
    // they are or as a slip, or not at all (0): the rate limit. Returns the
    // length to send; `out` is the whole buffer, with room for a slip.
    size_t release(const Outgoing& to, unsigned rcode, std::span<uint8_t> out, size_t length);
    void count_limited(ResponseClass kind);

    // NOTIFY (RFC 1996) for a policy zone: NOERROR from a primary it may
    // come from (and a refresh), REFUSED from anyone else.
    size_t answer_notify(const Outgoing& to, std::span<uint8_t> response);
    // Response policy (query_pipeline_rpz.cc). Before resolving: the
    // client-IP and QNAME triggers; an answer given now (its length, 0 to
    // drop), or nullopt to go on with `step` filled in.
    std::optional<size_t> policy_before(const Outgoing& to, std::span<uint8_t> response,
                                        PolicyStep& step);
    // After resolving: the hit deferred, and the response triggers.
    asio::awaitable<PolicyEnd> policy_after(const Pending& pending, resolve::Answer& answer);
    // QNAME rules on the names the answer's CNAME chain leads to.
    asio::awaitable<PolicyEnd> policy_on_chain(const Pending& pending, resolve::Answer& answer,
                                               size_t until);
    // The answer of `hit` to the query, its CNAME target resolved.
    asio::awaitable<resolve::Answer> policy_answer(const policy::RpzHit& hit,
                                                   const AnswerShape& shape);
    // Counts (and logs, if the zone says so) a hit.
    void note_hit(const RpzPolicy& rpz, const policy::RpzHit& hit, const wire::Question& question,
                  const net::Peer& peer);
    // The first hit from `check` that is not in a disabled zone; those are
    // noted on the way.
    template <class Check>
    std::optional<policy::RpzHit> first_applied(const RpzPolicy& rpz, Check check,
                                                const wire::Question& question,
                                                const net::Peer& peer);

    asio::any_io_executor executor_;
    const PipelineSettings settings_;
    resolve::Resolver& resolver_;
    ResponseCache* packet_cache_;
    const cache::Clock& clock_;
    ServerMetrics& metrics_;
    ErrorAnswerWriter errors_;
    ResponseRateLimiter limiter_;
    InflightShares shares_;
    // max-inflight of this worker, shared with the resolver's background
    // work (resolve::Resolver::share_work_slots).
    resolve::WorkSlots slots_;
    const ServerCookies cookies_;
    QueryObserver observer_;
    std::shared_ptr<const RpzPolicy> rpz_;
    // Where late answers are built: coroutines of this worker take turns,
    // and none suspends between building and sending.
    std::vector<uint8_t> build_buffer_;
};

}  // namespace cairn::server
