#include "resolve/recursive_resolver.h"

#include <spdlog/spdlog.h>
#include <algorithm>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <exception>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "observe/log_limit.h"
#include "resolve/aggressive_nsec.h"
#include "resolve/chain.h"
#include "resolve/inflight.h"
#include "resolve/iterator.h"
#include "resolve/joined_upstream.h"
#include "resolve/key_sentinel.h"
#include "resolve/result_store.h"
#include "resolve/server_selector.h"
#include "resolve/validator.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using wire::ExtendedErrorCode;
using wire::RRType;

Answer servfail(wire::ExtendedErrorOption error) {
    Answer a;
    a.rcode = wire::Rcode::SERVFAIL;
    a.extended_error = std::move(error);
    return a;
}

// Minimum TTL of everything in the answer: how long it may be reused whole.
uint32_t answer_ttl(const Answer& a) {
    if (a.rcode != wire::Rcode::NOERROR && a.rcode != wire::Rcode::NXDOMAIN) return 0;
    uint32_t ttl = UINT32_MAX;
    for (const auto* section : {&a.answer, &a.authority})
        for (const auto& r : *section)
            ttl = std::min(ttl, r.ttl);
    return ttl == UINT32_MAX ? 0 : ttl;
}

// Requests that may share one answer.
std::string inflight_key(const ClientQuery& query) {
    const auto lower = query.question.name.lowercased();
    std::string k(lower.wire().begin(), lower.wire().end());
    const auto type = static_cast<uint16_t>(query.question.type);
    const auto rclass = static_cast<uint16_t>(query.question.rclass);
    k.push_back(static_cast<char>(type >> 8));
    k.push_back(static_cast<char>(type));
    k.push_back(static_cast<char>(rclass >> 8));
    k.push_back(static_cast<char>(rclass));
    k.push_back(static_cast<char>((query.recursion_desired ? 1 : 0) | (query.dnssec_ok ? 2 : 0) |
                                  (query.checking_disabled ? 4 : 0)));
    return k;
}

std::string question_key(const wire::Question& q) {
    return inflight_key(ClientQuery{q, true, false, false});
}

// The weakest status of the parts of one answer.
struct AnswerSecurity {
    cache::Security worst = cache::Security::kSecure;
    std::optional<wire::ExtendedErrorOption> note;  // e.g. EDE 27 on an insecure answer

    // Bogus outranks not validated, which outranks insecure, then secure.
    static int rank(cache::Security s) {
        switch (s) {
            case cache::Security::kSecure: return 0;
            case cache::Security::kInsecure: return 1;
            case cache::Security::kIndeterminate: return 2;
            case cache::Security::kBogus: return 3;
        }
        return 3;
    }

    void add(const Verdict& v) {
        if (rank(v.security) > rank(worst)) worst = v.security;
        if (v.error && !note && v.security != cache::Security::kBogus) note = v.error;
    }
};

// What validation concluded when the entry was cached (or nothing, if it
// was not validated).
// An Insecure entry keeps the note it was cached with (unsupported algorithm
// or digest, NSEC3 iterations) so later answers carry the same EDE.
Verdict earlier_verdict(cache::Security security, std::optional<ExtendedErrorCode> reason) {
    auto v = Verdict::of(security);
    if (security == cache::Security::kBogus)
        v.error = wire::ExtendedErrorOption{reason.value_or(ExtendedErrorCode::kDnssecBogus),
                                            "cached as bogus"};
    else if (security == cache::Security::kInsecure && reason)
        v.error = wire::ExtendedErrorOption{*reason, "cached as insecure"};
    return v;
}

std::optional<ExtendedErrorCode> reason_of(const Verdict& v) {
    if (v.error) return v.error->code;
    return std::nullopt;
}

void append_records(Answer& out, const wire::RRset& rrset, std::span<const wire::RData> signatures,
                    uint32_t ttl) {
    for (const auto& rdata : rrset.rdatas)
        out.answer.push_back(wire::Record{rrset.owner, rrset.type, rrset.rclass, ttl, rdata});
    for (const auto& sig : signatures)
        out.answer.push_back(wire::Record{rrset.owner, RRType::RRSIG, rrset.rclass, ttl, sig});
}

trace::Cached synthesised_event(const wire::Question& q, const Synthesised& made) {
    const auto found = made.kind == Synthesised::Kind::kNxdomain ? trace::Found::kNxdomain
                       : made.kind == Synthesised::Kind::kNodata ? trace::Found::kNodata
                                                                 : trace::Found::kWildcard;
    return {q, trace::Cached::Source::kDenials, found, cache::Security::kSecure};
}

void append_rrset(Answer& out, const cache::CachedRRset& cached) {
    append_records(out, cached.rrset, cached.signatures, cached.rrset.ttl);
    for (const auto& r : cached.proof)
        out.authority.push_back(r);
}

}  // namespace

struct RecursiveResolver::State {
    State(const ResolverOptions& o, const RootHints& h, cache::Caches& c, Upstream& u,
          const cache::Clock& clk, const cache::MonotonicClock& mono, Random& rnd)
        : options(o),
          hints(h),
          caches(c),
          upstream(u, metrics),
          clock(clk),
          monotonic(mono),
          selector(options, caches.infra, rnd),
          zone_policy(options.zone_policy),
          context{options,   hints,   caches,   upstream,   clock,
                  monotonic, metrics, selector, key_fetches} {}

    const ResolverOptions options;
    const RootHints hints;
    cache::Caches& caches;
    ResolverMetrics metrics;
    JoinedUpstream upstream;
    const cache::Clock& clock;
    const cache::MonotonicClock& monotonic;
    ServerSelector selector;
    // zone-policy: each decision below asks it about its own name.
    const policy::ZonePolicies zone_policy;
    EarlyKeyFetches key_fetches;
    ResolverContext context;
    InflightTable<Answer> inflight;
    // Serve-stale's failure recheck timer: questions whose refresh failed,
    // and until when they are answered from stale data without asking.
    std::unordered_map<std::string, cache::MonotonicTime> failed_refreshes;
    // Questions being prefetched right now.
    std::unordered_set<std::string> prefetching;
    // The worker's slots, shared with its clients' requests (may be null).
    WorkSlots* slots = nullptr;

    // Resolves, then publishes the answer to the in-flight table's waiters.
    asio::awaitable<Answer> resolve_and_publish(
        ClientQuery query, std::string key, std::shared_ptr<InflightTable<Answer>::Entry> entry);
    // `trace`: where to record the steps (`cairnctl trace`), or null.
    asio::awaitable<Answer> resolve_query(const ClientQuery& query, Trace* trace = nullptr);
    // Appends stale data for `q` (RFC 8767) to `out`; false if there is none.
    bool append_stale(const wire::Question& q, Answer& out);
    bool has_stale(const wire::Question& q) const;
    void note_failed_refresh(const wire::Question& q);
    bool refresh_recently_failed(const wire::Question& q);
    // Refreshes `q` in the background when its cached RRset is popular and
    // about to expire.
    void maybe_prefetch(const asio::any_io_executor& executor, const wire::Question& q,
                        const cache::CachedRRset& cached);
    asio::awaitable<void> prefetch(wire::Question q, std::string key, BackgroundSlot slot);
    // A slot for background work: nullopt when max-inflight leaves none.
    std::optional<BackgroundSlot> background_slot();
    // A serve-stale refresh that outlives the request that started it.
    asio::awaitable<void> refresh(ClientQuery query, std::string key,
                                  std::shared_ptr<InflightTable<Answer>::Entry> entry,
                                  BackgroundSlot slot);
    void count_synthesised(Synthesised::Kind kind);
    // The status of a cached entry, validating it first if it never was
    // (and `validate`); the verdict is stored back in the cache.
    asio::awaitable<Verdict> settle(Validator& validator, cache::CachedRRset& cached,
                                    bool validate);
    asio::awaitable<Verdict> settle(Validator& validator, cache::NegativeEntry& entry,
                                    bool validate);

    // One client request's walk along its CNAME/DNAME chain, one step at a
    // time: from the cache, from validated denials (RFC 8198), from
    // upstream. What a lookup returns is validated once, link by link,
    // stored with its verdict and answered.
    struct Walk;
    enum class Step : uint8_t { kDone, kFollow, kMiss, kFail };
    asio::awaitable<Step> from_cache(Walk& w);
    asio::awaitable<Step> from_cached_cname(Walk& w);
    Step from_denials(Walk& w);
    asio::awaitable<Step> from_upstream(Walk& w);
    asio::awaitable<Step> from_answer(Walk& w, LookupResult& result);
    asio::awaitable<Step> from_denial(Walk& w, LookupResult& result);
    asio::awaitable<Step> accept_rrset(Walk& w, LookupResult& result, size_t index);
    // Data that failed validation: another server of the zone is asked
    // (up to kMaxBogusRetries); if none answers, judge_suspect.
    Step retry_elsewhere(Walk& w, LookupResult& result, std::optional<size_t> rrset,
                         const Verdict& v);
    Step judge_suspect(Walk& w);
    // SERVFAIL for a Bogus verdict; logged when `server` gave the data now.
    Step refuse_bogus(Walk& w, const Verdict& v,
                      const std::optional<wire::IpAddress>& server = std::nullopt);
    // A name a held wildcard would answer is not asked upstream.
    Step refuse_held(Walk& w);
    Answer finish(Walk& w);
    // Stale data answered for the link: counts as not validated.
    static void note_stale(Walk& w);
};

namespace {

// The monotonic clock of resolvers built without one.
const cache::SteadyClock kSteadyClock;

}  // namespace

RecursiveResolver::RecursiveResolver(const ResolverOptions& options, const RootHints& hints,
                                     cache::Caches& caches, Upstream& upstream,
                                     const cache::Clock& clock)
    : own_random_(std::make_unique<FastRandom>()),
      state_(std::make_unique<State>(options, hints, caches, upstream, clock, kSteadyClock,
                                     *own_random_)) {}

RecursiveResolver::RecursiveResolver(const ResolverOptions& options, const RootHints& hints,
                                     cache::Caches& caches, Upstream& upstream,
                                     const cache::Clock& clock,
                                     const cache::MonotonicClock& monotonic, Random& random)
    : state_(std::make_unique<State>(options, hints, caches, upstream, clock, monotonic, random)) {}

RecursiveResolver::~RecursiveResolver() = default;

const ResolverMetrics& RecursiveResolver::metrics() const {
    return state_->metrics;
}

void RecursiveResolver::use_local_root(const policy::LocalRoot& root) {
    state_->context.local_root = &root;
}

void RecursiveResolver::share_work_slots(WorkSlots& slots) {
    state_->slots = &slots;
}

void RecursiveResolver::share_upstream_joins(std::shared_ptr<UpstreamJoins> joins) {
    state_->upstream.share(std::move(joins));
}

asio::awaitable<void> RecursiveResolver::warm_up() {
    auto& s = *state_;
    // With a local root copy, priming and the root's keys come from it once
    // it is in: nothing is worth asking the root servers for.
    if (s.context.local_root) co_return;
    RequestBudget budget;
    budget.deadline = s.monotonic.now() + s.options.limits.resolution_timeout;
    Iterator iterator(s.context, budget);
    co_await iterator.prime_root();
    const wire::Name root = wire::Name::root();
    if (!s.options.dnssec.enabled || !s.options.dnssec.anchors.find(root)) co_return;
    Validator validator(s.context, budget);
    const auto keys = co_await validator.zone_keys(root);
    if (keys.security != cache::Security::kSecure) {
        static observe::LogLimit keys_log(6);
        if (auto held = keys_log.admit())
            spdlog::warn("the root's keys did not validate at start: {}{}",
                         keys.error ? keys.error->extra_text : std::string("no reason given"),
                         observe::held_back(*held));
    }
}

asio::awaitable<Answer> RecursiveResolver::resolve(ClientQuery query) {
    auto& s = *state_;
    ++s.metrics.client_queries;
    auto key = inflight_key(query);
    if (auto running = s.inflight.find(key)) {
        ++s.metrics.inflight_joins;
        co_return co_await InflightTable<Answer>::wait(running);
    }
    const auto& stale = s.options.serve_stale;
    const bool has_stale = s.zone_policy.serve_stale_for(query.question.name, stale.enabled) &&
                           stale.client_timeout.count() > 0 && query.recursion_desired &&
                           s.has_stale(query.question);
    std::optional<BackgroundSlot> slot;
    if (has_stale) {
        slot = s.background_slot();
        // No room for a refresh that may outlive this request: the stale
        // data now (RFC 8767 §5 lets a busy resolver answer with it), the
        // refresh when there is room.
        Answer now;
        if (!slot && s.append_stale(query.question, now)) co_return now;
    }
    auto entry = s.inflight.start(key);
    if (!slot) co_return co_await s.resolve_and_publish(std::move(query), std::move(key), entry);
    // RFC 8767 §5: the refresh runs on; if it is not done in time, the
    // client gets the stale data now.
    asio::co_spawn(co_await asio::this_coro::executor,
                   s.refresh(query, key, entry, std::move(*slot)), asio::detached);
    if (auto done = co_await InflightTable<Answer>::wait_for(entry, stale.client_timeout))
        co_return *done;
    Answer answer;
    if (!s.append_stale(query.question, answer))
        co_return co_await InflightTable<Answer>::wait(entry);
    answer.cache_ttl = 0;
    co_return answer;
}

asio::awaitable<Answer> RecursiveResolver::resolve_traced(ClientQuery query, Trace& trace) {
    try {
        co_return co_await state_->resolve_query(query, &trace);
    } catch (const std::exception& e) {
        co_return servfail({ExtendedErrorCode::kOther, std::string("internal error: ") + e.what()});
    }
}

asio::awaitable<Answer> RecursiveResolver::State::resolve_and_publish(
    ClientQuery query, std::string key, std::shared_ptr<InflightTable<Answer>::Entry> entry) {
    Answer answer;
    try {
        answer = co_await resolve_query(query);
    } catch (const std::exception& e) {
        answer = servfail({ExtendedErrorCode::kOther, std::string("internal error: ") + e.what()});
    }
    if (answer.rcode == wire::Rcode::SERVFAIL) ++metrics.servfail;
    answer.cache_ttl = answer_ttl(answer);
    // A stale answer stands in until the zone answers again: not reused.
    if (answer.extended_error &&
        (answer.extended_error->code == ExtendedErrorCode::kStaleAnswer ||
         answer.extended_error->code == ExtendedErrorCode::kStaleNxdomainAnswer))
        answer.cache_ttl = 0;
    // With prefetch on, the packet cache lets the last part of the TTL
    // through to the resolver, where prefetch can see the RRset is asked.
    if (zone_policy.prefetch_for(query.question.name, options.prefetch.enabled))
        answer.cache_ttl -= options.prefetch.window(answer.cache_ttl);
    inflight.finish(key, entry, answer);
    co_return answer;
}

asio::awaitable<void> RecursiveResolver::State::refresh(
    ClientQuery query, std::string key, std::shared_ptr<InflightTable<Answer>::Entry> entry,
    BackgroundSlot /*slot*/) {
    (void)co_await resolve_and_publish(std::move(query), std::move(key), std::move(entry));
}

std::optional<BackgroundSlot> RecursiveResolver::State::background_slot() {
    if (!slots) return BackgroundSlot{};
    if (!slots->try_take_background()) {
        ++metrics.background_refused;
        return std::nullopt;
    }
    return BackgroundSlot{slots};
}

bool RecursiveResolver::State::has_stale(const wire::Question& q) const {
    if (auto positive = caches.rrsets.lookup_stale(q.name, q.type, q.rclass))
        return positive->trust >= cache::Trust::kAnswerNonAuth &&
               positive->security != cache::Security::kBogus;
    if (auto negative = caches.negatives.lookup_stale(q.name, q.type))
        return negative->security != cache::Security::kBogus;
    return false;
}

bool RecursiveResolver::State::append_stale(const wire::Question& q, Answer& out) {
    const uint32_t ttl = options.serve_stale.answer_ttl;
    if (!zone_policy.serve_stale_for(q.name, options.serve_stale.enabled)) return false;
    auto positive = caches.rrsets.lookup_stale(q.name, q.type, q.rclass);
    if (positive && positive->trust >= cache::Trust::kAnswerNonAuth &&
        positive->security != cache::Security::kBogus) {
        positive->rrset.ttl = ttl;
        for (auto& r : positive->proof)
            r.ttl = ttl;
        append_rrset(out, *positive);
        out.extended_error = wire::ExtendedErrorOption{
            ExtendedErrorCode::kStaleAnswer, "the servers of this name cannot be reached"};
        ++metrics.stale_answers;
        return true;
    }
    auto negative = caches.negatives.lookup_stale(q.name, q.type);
    if (!negative || negative->security == cache::Security::kBogus) return false;
    out.rcode = negative->rcode;
    out.authority = std::move(negative->authority);
    for (auto& r : out.authority)
        r.ttl = ttl;
    out.extended_error = wire::ExtendedErrorOption{negative->rcode == wire::Rcode::NXDOMAIN
                                                       ? ExtendedErrorCode::kStaleNxdomainAnswer
                                                       : ExtendedErrorCode::kStaleAnswer,
                                                   "the servers of this name cannot be reached"};
    ++metrics.stale_answers;
    return true;
}

void RecursiveResolver::State::note_failed_refresh(const wire::Question& q) {
    const auto now = monotonic.now();
    // Bounded: forget the expired timers when there are many.
    if (failed_refreshes.size() >= 4096)
        std::erase_if(failed_refreshes, [&](const auto& item) { return item.second <= now; });
    if (failed_refreshes.size() >= 4096) failed_refreshes.clear();
    failed_refreshes[question_key(q)] =
        now + zone_policy.stale_recheck_for(q.name, options.serve_stale.recheck_interval);
}

bool RecursiveResolver::State::refresh_recently_failed(const wire::Question& q) {
    if (failed_refreshes.empty()) return false;
    auto it = failed_refreshes.find(question_key(q));
    if (it == failed_refreshes.end()) return false;
    if (it->second > monotonic.now()) return true;
    failed_refreshes.erase(it);
    return false;
}

void RecursiveResolver::State::maybe_prefetch(const asio::any_io_executor& executor,
                                              const wire::Question& q,
                                              const cache::CachedRRset& cached) {
    const auto& prefetch_options = options.prefetch;
    if (!zone_policy.prefetch_for(q.name, prefetch_options.enabled) ||
        cached.hits < prefetch_options.min_hits)
        return;
    if (cached.rrset.ttl > prefetch_options.window(cached.original_ttl)) return;
    auto key = question_key(q);
    if (prefetching.contains(key)) return;
    auto slot = background_slot();
    if (!slot) return;
    prefetching.insert(key);
    ++metrics.prefetches;
    asio::co_spawn(executor, prefetch(q, std::move(key), std::move(*slot)), asio::detached);
}

void RecursiveResolver::State::count_synthesised(Synthesised::Kind kind) {
    switch (kind) {
        case Synthesised::Kind::kNxdomain: ++metrics.synthesised_nxdomain; break;
        case Synthesised::Kind::kNodata: ++metrics.synthesised_nodata; break;
        case Synthesised::Kind::kWildcard: ++metrics.synthesised_wildcard; break;
    }
}

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::CachedRRset& cached,
                                                          bool validate) {
    if (!validate || cached.security != cache::Security::kIndeterminate)
        co_return earlier_verdict(cached.security, cached.reason);
    auto v = co_await validator.rrset(cached.rrset, cached.signatures, cached.proof);
    if (v.transient) co_return v;
    caches.rrsets.set_security(cached.rrset, cached.signatures, v.security, reason_of(v),
                               v.ttl_cap);
    if (v.ttl_cap < cached.rrset.ttl) cached.rrset.ttl = v.ttl_cap;
    co_return v;
}

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::NegativeEntry& entry,
                                                          bool validate) {
    if (!validate || entry.security != cache::Security::kIndeterminate)
        co_return earlier_verdict(entry.security, entry.reason);
    auto v = co_await validator.negative(entry.rcode, {entry.name, entry.type, wire::RRClass::IN},
                                         entry.authority);
    if (v.transient) co_return v;
    caches.negatives.set_security(entry.rcode, entry.name, entry.type, v.security, reason_of(v),
                                  v.ttl_cap);
    co_return v;
}

// Per-request state of resolve_query.
struct RecursiveResolver::State::Walk {
    Walk(State& s, const ClientQuery& client, Trace* trace = nullptr)
        : query(client),
          validate(s.options.dnssec.enabled && !client.checking_disabled),
          fresh(trace && trace->fresh()),
          validator(s.context, budget),
          q(client.question) {
        budget.deadline = s.monotonic.now() + s.options.limits.resolution_timeout;
        budget.trace = trace;
        budget.validating = validate;
    }

    const ClientQuery& query;
    RequestBudget budget;
    const bool validate;
    // Ask upstream for each link even when the cache has it (a trace's
    // --no-cache).
    const bool fresh;
    Validator validator;
    AnswerSecurity security;
    Answer out;
    wire::Question q;  // the link of the chain being resolved
    uint32_t hops = 0;
    bool went_upstream = false;
    // Ask upstream for `q` again, skipping the cache: the data a server
    // gave for it failed validation, another server of the zone is asked.
    bool refetch = false;
    // That data and its verdict, which stand if no other server answers.
    struct Suspect {
        LookupResult result;
        std::optional<size_t> rrset;  // the RRset that failed; none: the denial did
        Verdict verdict;
    };
    std::optional<Suspect> suspect;
    std::optional<Answer> failure;

    void follow(const wire::Name& next) {
        q.name = next;
        ++hops;
    }
    // Whether a Bogus verdict on `result` may send the question to another
    // server of the zone.
    bool may_retry(const LookupResult& result) const {
        return validate && result.server && budget.bogus_retries < kMaxBogusRetries;
    }
};

void RecursiveResolver::State::note_stale(Walk& w) {
    w.security.add(Verdict{});
    note(w.budget.trace, [&] {
        const auto found = w.out.rcode == wire::Rcode::NXDOMAIN ? trace::Found::kNxdomain
                           : w.out.answer.empty()               ? trace::Found::kNodata
                                                                : trace::Found::kAnswer;
        return trace::Cached{w.q, trace::Cached::Source::kStale, found,
                             cache::Security::kIndeterminate};
    });
}

RecursiveResolver::State::Step RecursiveResolver::State::refuse_held(Walk& w) {
    if (!w.validate) return Step::kDone;
    const auto parent = caches.keys.held_wildcard_over(w.q.name, w.q.type);
    if (!parent) return Step::kDone;
    ++metrics.dnssec_held_lookups;
    w.failure = servfail({ExtendedErrorCode::kDnssecBogus,
                          "not asked: answers from the wildcard *." + parent->to_text() +
                              " name a key tag more DNSKEYs share than dnssec-max-keys-per-tag "
                              "(KeyTrap); held (dnssec-limit-hold)"});
    return Step::kFail;
}

RecursiveResolver::State::Step RecursiveResolver::State::refuse_bogus(
    Walk& w, const Verdict& v, const std::optional<wire::IpAddress>& server) {
    if (v.security != cache::Security::kBogus || !w.validate) return Step::kDone;
    ++(v.transient ? metrics.dnssec_failures : metrics.dnssec_bogus);
    // Only fresh verdicts: one line per failure found, not per client told.
    static observe::LogLimit bogus_log(20);
    if (server)
        if (auto held = bogus_log.admit())
            spdlog::warn("DNSSEC {} for {} {} from {}: EDE {} {}{}",
                         v.transient ? "failure" : "bogus", w.q.name.to_text(),
                         wire::to_string(w.q.type), server->to_string(),
                         v.error ? static_cast<int>(v.error->code) : 6,
                         v.error ? v.error->extra_text : std::string(), observe::held_back(*held));
    w.failure = servfail(v.error ? *v.error
                                 : wire::ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, {}});
    return Step::kFail;
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_cache(Walk& w) {
    const auto& q = w.q;
    auto positive = caches.rrsets.lookup(q.name, q.type, q.rclass);
    // Glue and referral data serve iteration only, never a client answer.
    if (positive && positive->trust >= cache::Trust::kAnswerNonAuth) {
        note(w.budget.trace, [&] { return trace::cached(q, *positive); });
        auto v = co_await settle(w.validator, *positive, w.validate);
        if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
        w.security.add(v);
        append_rrset(w.out, *positive);
        if (w.hops == 0) maybe_prefetch(co_await asio::this_coro::executor, q, *positive);
        co_return Step::kDone;
    }
    if (auto negative = caches.negatives.lookup(q.name, q.type)) {
        note(w.budget.trace, [&] { return trace::cached(q, *negative); });
        auto v = co_await settle(w.validator, *negative, w.validate);
        if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
        w.security.add(v);
        w.out.rcode = negative->rcode;
        w.out.authority = std::move(negative->authority);
        co_return Step::kDone;
    }
    if (q.type == RRType::CNAME) co_return Step::kMiss;
    co_return co_await from_cached_cname(w);
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_cached_cname(
    Walk& w) {
    auto cname = caches.rrsets.lookup(w.q.name, RRType::CNAME, w.q.rclass);
    if (!cname || cname->trust < cache::Trust::kAnswerNonAuth || cname->rrset.rdatas.empty())
        co_return Step::kMiss;
    note(w.budget.trace, [&] { return trace::cached(w.q, *cname); });
    auto v = co_await settle(w.validator, *cname, w.validate);
    if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
    w.security.add(v);
    auto target = wire::NameData::from(cname->rrset.rdatas.front());
    append_rrset(w.out, *cname);
    if (!target) co_return Step::kDone;
    note(w.budget.trace, [&] { return trace::Follow{w.q.name, target->name, false}; });
    w.follow(target->name);
    co_return Step::kFollow;
}

RecursiveResolver::State::Step RecursiveResolver::State::retry_elsewhere(
    Walk& w, LookupResult& result, std::optional<size_t> rrset, const Verdict& v) {
    w.budget.excluded.push_back({result.zone, *result.server});
    note(w.budget.trace, [&] { return trace::Retry{result.zone, *result.server, v.error}; });
    ++w.budget.bogus_retries;
    ++metrics.bogus_retries;
    w.refetch = true;
    w.suspect = Walk::Suspect{std::move(result), rrset, v};
    return Step::kMiss;
}

// No other server gave an answer for the suspect's question: its verdict
// stands, and is cached.
RecursiveResolver::State::Step RecursiveResolver::State::judge_suspect(Walk& w) {
    auto suspect = std::move(*w.suspect);
    w.suspect.reset();
    const auto& r = suspect.result;
    if (suspect.rrset)
        store_rrset(caches, r.answer[*suspect.rrset], r.proof, suspect.verdict,
                    zone_policy.ttl_for(r.answer[*suspect.rrset].rrset.owner));
    else
        store_negative(caches, w.q, r, suspect.verdict, zone_policy.ttl_for(w.q.name));
    return refuse_bogus(w, suspect.verdict, r.server);
}

// Validates one RRset of a lookup's answer, stores it with its verdict and
// adds it to the client's answer.
asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::accept_rrset(
    Walk& w, LookupResult& result, size_t index) {
    const auto& link = result.answer[index];
    const auto proof = link.wildcard ? std::span<const wire::Record>(result.proof)
                                     : std::span<const wire::Record>();
    Verdict v;
    if (w.validate) v = co_await w.validator.rrset(link.rrset, link.signatures, proof);
    const bool bogus = v.security == cache::Security::kBogus && w.validate;
    if (bogus && !v.transient && w.may_retry(result))
        co_return retry_elsewhere(w, result, index, v);
    // A verdict that may change on the next try is not stored; the data is,
    // to be validated again when next read.
    const auto zone = zone_policy.ttl_for(link.rrset.owner);
    if (store_rrset(caches, link, proof, v.transient ? Verdict{} : v, zone) && w.budget.prefetch)
        ++metrics.prefetch_unchanged;
    if (auto step = refuse_bogus(w, v, result.server); step != Step::kDone) co_return step;
    w.security.add(v);
    const uint32_t ttl = std::min(caches.rrsets.clamp_ttl(link.rrset.ttl, zone), v.ttl_cap);
    append_records(w.out, link.rrset, link.signatures, ttl);
    for (const auto& r : proof)
        w.out.authority.push_back(r);
    co_return Step::kDone;
}

// The lookup's answer, link by link along its CNAME/DNAME chain, until the
// chain ends or leaves what the lookup returned.
asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_answer(
    Walk& w, LookupResult& result) {
    for (bool first = true;; first = false) {
        const auto link = chain_step(result.answer, w.q);
        if (link.kind == ChainStep::Kind::kNone && !first) co_return Step::kFollow;
        if (link.kind == ChainStep::Kind::kNone || link.kind == ChainStep::Kind::kBroken) {
            w.failure = servfail({ExtendedErrorCode::kInvalidData,
                                  link.kind == ChainStep::Kind::kNone
                                      ? "answer without the RRset asked for"
                                      : "unusable CNAME or DNAME at " + w.q.name.to_text()});
            co_return Step::kFail;
        }
        for (size_t index : link.rrsets)
            if (auto step = co_await accept_rrset(w, result, index); step != Step::kDone)
                co_return step;
        if (link.kind == ChainStep::Kind::kAnswer) co_return Step::kDone;
        // The CNAME a DNAME implies is made here rather than trusted from
        // the server (RFC 6672 §3.1); asked for the CNAME, it is the answer.
        if (link.cname) w.out.answer.push_back(*link.cname);
        if (link.kind == ChainStep::Kind::kDname && w.q.type == RRType::CNAME)
            co_return Step::kDone;
        note(w.budget.trace, [&] {
            return trace::Follow{w.q.name, link.next, link.kind == ChainStep::Kind::kDname};
        });
        w.follow(link.next);
        if (w.hops > options.limits.max_cname_chain) co_return Step::kFollow;
    }
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_denial(
    Walk& w, LookupResult& result) {
    const auto rcode =
        result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR;
    Verdict v;
    if (w.validate) v = co_await w.validator.negative(rcode, w.q, result.authority);
    const bool bogus = v.security == cache::Security::kBogus && w.validate;
    if (bogus && !v.transient && w.may_retry(result))
        co_return retry_elsewhere(w, result, std::nullopt, v);
    store_negative(caches, w.q, result, v.transient ? Verdict{} : v, zone_policy.ttl_for(w.q.name));
    if (auto step = refuse_bogus(w, v, result.server); step != Step::kDone) co_return step;
    w.security.add(v);
    w.out.rcode = rcode;
    w.out.authority = std::move(result.authority);
    co_return Step::kDone;
}

// RFC 8198: what validated NSEC/NSEC3 records already prove is not asked
// again.
RecursiveResolver::State::Step RecursiveResolver::State::from_denials(Walk& w) {
    if (!options.dnssec.enabled || !options.aggressive_nsec) return Step::kMiss;
    auto made = synthesise(caches.denials, caches.rrsets, w.q, clock.now(), options.dnssec.limits,
                           w.budget.dnssec_work);
    if (!made) return Step::kMiss;
    count_synthesised(made->kind);
    note(w.budget.trace, [&] { return synthesised_event(w.q, *made); });
    auto secure = Verdict::of(cache::Security::kSecure);
    secure.ttl_cap = made->ttl;
    w.security.add(secure);
    w.out.rcode = made->rcode;
    for (auto& r : made->answers)
        w.out.answer.push_back(std::move(r));
    for (auto& r : made->authority)
        w.out.authority.push_back(std::move(r));
    if (!made->cname_target) return Step::kDone;
    note(w.budget.trace, [&] { return trace::Follow{w.q.name, *made->cname_target, false}; });
    w.follow(*made->cname_target);
    return Step::kFollow;
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_upstream(Walk& w) {
    const bool retrying = std::exchange(w.refetch, false);
    // A zone that just failed to answer is not asked again for a while
    // (RFC 8767 §5): stale data serves meanwhile.
    if (refresh_recently_failed(w.q) && append_stale(w.q, w.out)) {
        note_stale(w);
        co_return Step::kDone;
    }
    if (auto step = refuse_held(w); step != Step::kDone) co_return step;
    w.went_upstream = true;
    Iterator iterator(context, w.budget);
    auto result = co_await iterator.lookup(w.q);
    if (result.error && retrying) co_return judge_suspect(w);
    w.suspect.reset();
    if (result.error) {
        const bool unreachable =
            result.cause == FailureCause::kUnreachable || result.cause == FailureCause::kRefused;
        if (unreachable && zone_policy.serve_stale_for(w.q.name, options.serve_stale.enabled)) {
            note_failed_refresh(w.q);
            if (append_stale(w.q, w.out)) {
                note_stale(w);
                co_return Step::kDone;
            }
        }
        w.failure = servfail(*result.error);
        co_return Step::kFail;
    }
    switch (result.kind) {
        case ResponseKind::kAnswer:
        case ResponseKind::kCname:
        case ResponseKind::kDname: co_return co_await from_answer(w, result);
        case ResponseKind::kNxdomain:
        case ResponseKind::kNodata: co_return co_await from_denial(w, result);
        default:
            w.failure = servfail({ExtendedErrorCode::kOther, "unexpected response"});
            co_return Step::kFail;
    }
}

asio::awaitable<void> RecursiveResolver::State::prefetch(wire::Question q, std::string key,
                                                         BackgroundSlot /*slot*/) {
    const ClientQuery as_client{q, true, false, false};
    Walk w(*this, as_client);
    w.budget.prefetch = true;
    try {
        Iterator iterator(context, w.budget);
        auto result = co_await iterator.lookup(q);
        // Validated and stored like a client's lookup; a failure leaves the
        // cached data to expire as it would have.
        if (result.kind == ResponseKind::kNxdomain || result.kind == ResponseKind::kNodata)
            (void)co_await from_denial(w, result);
        else if (!result.error)
            (void)co_await from_answer(w, result);
        // Read back like a client lookup after a fetch, so the renewed entry
        // counts its asks the same way.
        (void)caches.rrsets.lookup(q.name, q.type, q.rclass);
    } catch (const std::exception&) {
        // A failed refresh leaves the cached data to expire as it would have.
    }
    prefetching.erase(key);
}

namespace {

// RFC 2181 §5: an RRset appears once in a response, even when the chain
// used it twice (a DNAME) or two links share a proof (a wildcard's NSEC).
void drop_duplicates(std::vector<wire::Record>& records) {
    std::vector<wire::Record> unique;
    unique.reserve(records.size());
    for (auto& r : records) {
        const bool seen = std::any_of(unique.begin(), unique.end(), [&](const wire::Record& u) {
            return u.type == r.type && u.rclass == r.rclass && u.owner == r.owner &&
                   u.rdata == r.rdata;
        });
        if (!seen) unique.push_back(std::move(r));
    }
    records = std::move(unique);
}

}  // namespace

Answer RecursiveResolver::State::finish(Walk& w) {
    if (!w.went_upstream) ++metrics.cache_answers;
    if (w.validate) {
        switch (w.security.worst) {
            case cache::Security::kSecure: ++metrics.dnssec_secure; break;
            case cache::Security::kInsecure: ++metrics.dnssec_insecure; break;
            default: break;
        }
    }
    Answer out = std::move(w.out);
    drop_duplicates(out.answer);
    drop_duplicates(out.authority);
    // An RRSIG answer is nothing validated (RFC 4035 §3.2.3 gives AD for
    // data proven Secure; signatures are not RRsets that were proven).
    out.authentic_data = w.security.worst == cache::Security::kSecure &&
                         w.query.question.type != RRType::RRSIG && options.dnssec.enabled;
    if (w.security.note && !out.extended_error) out.extended_error = w.security.note;
    if (options.root_key_sentinel)
        if (auto failure = key_sentinel_failure(w.query.question, w.validate,
                                                w.security.worst == cache::Security::kSecure,
                                                options.dnssec.anchors))
            return servfail({ExtendedErrorCode::kOther, std::move(*failure)});
    return out;
}

// The chain of CNAMEs (and the final RRset or negative answer) from the
// cache, each link validated unless the client set CD; upstream lookups
// fill the cache for the links it lacks.
asio::awaitable<Answer> RecursiveResolver::State::resolve_query(const ClientQuery& query,
                                                                Trace* trace) {
    Walk w(*this, query, trace);
    for (;;) {
        if (w.hops > options.limits.max_cname_chain) {
            ++metrics.limit_cname_chain;
            co_return servfail({ExtendedErrorCode::kOther,
                                "resolution stopped: max-cname-chain (" +
                                    std::to_string(options.limits.max_cname_chain) + ") exceeded"});
        }
        Step step = Step::kMiss;
        const bool cache_first = !w.refetch && !w.fresh;
        if (cache_first) step = co_await from_cache(w);
        if (step == Step::kMiss && !query.recursion_desired) {
            // Cache only (RD=0). Nothing cached: say so rather than go out.
            if (!w.out.answer.empty()) break;
            Answer refused;
            refused.rcode = wire::Rcode::REFUSED;
            refused.extended_error = wire::ExtendedErrorOption{
                ExtendedErrorCode::kNotAuthoritative, "not in cache and recursion not desired"};
            co_return refused;
        }
        if (step == Step::kMiss && cache_first) step = from_denials(w);
        if (step == Step::kMiss) step = co_await from_upstream(w);
        if (step == Step::kDone) break;
        if (step == Step::kFail) co_return std::move(*w.failure);
    }
    co_return finish(w);
}

}  // namespace cairn::resolve
