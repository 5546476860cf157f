#include "resolve/recursive_resolver.h"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <exception>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "resolve/aggressive_nsec.h"
#include "resolve/chain.h"
#include "resolve/inflight.h"
#include "resolve/iterator.h"
#include "resolve/joined_upstream.h"
#include "resolve/key_sentinel.h"
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

void append_rrset(Answer& out, const cache::CachedRRset& cached) {
    for (auto& r : cached.rrset.to_records())
        out.answer.push_back(std::move(r));
    for (const auto& sig : cached.signatures)
        out.answer.push_back(wire::Record{cached.rrset.owner, RRType::RRSIG, cached.rrset.rclass,
                                          cached.rrset.ttl, sig});
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
          context{options, hints, caches, upstream, clock, monotonic, metrics, selector} {}

    const ResolverOptions options;
    const RootHints hints;
    cache::Caches& caches;
    ResolverMetrics metrics;
    JoinedUpstream upstream;
    const cache::Clock& clock;
    const cache::MonotonicClock& monotonic;
    ServerSelector selector;
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
    asio::awaitable<Answer> resolve_query(const ClientQuery& query);
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
    // `may_retry`: a Bogus verdict is not stored, another server may be
    // asked.
    asio::awaitable<Verdict> settle(Validator& validator, cache::CachedRRset& cached, bool validate,
                                    bool may_retry);
    asio::awaitable<Verdict> settle(Validator& validator, cache::NegativeEntry& entry,
                                    bool validate, bool may_retry);

    // One client request's walk along its CNAME/DNAME chain, one step at a
    // time: from the cache, from a lookup the cache did not keep, from
    // validated denials (RFC 8198), from upstream.
    struct Walk;
    enum class Step : uint8_t { kDone, kFollow, kMiss, kFail };
    asio::awaitable<Step> from_cache(Walk& w);
    asio::awaitable<Step> from_cached_cname(Walk& w);
    asio::awaitable<Step> from_fresh(Walk& w);
    asio::awaitable<Step> from_fresh_answer(Walk& w, LookupResult& result);
    Step from_denials(Walk& w);
    asio::awaitable<Step> from_upstream(Walk& w);
    Step refuse_bogus(Walk& w, const Verdict& v);
    // A name a held wildcard would answer is not asked upstream.
    Step refuse_held(Walk& w);
    Answer finish(Walk& w);
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

void RecursiveResolver::share_work_slots(WorkSlots& slots) {
    state_->slots = &slots;
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
    const bool has_stale = stale.enabled && stale.client_timeout.count() > 0 &&
                           query.recursion_desired && s.has_stale(query.question);
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
    if (options.prefetch.enabled)
        answer.cache_ttl -= (answer.cache_ttl * options.prefetch.threshold_percent + 99) / 100;
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
    if (!options.serve_stale.enabled) return false;
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
    failed_refreshes[question_key(q)] = now + options.serve_stale.recheck_interval;
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
    if (!prefetch_options.enabled || cached.hits < 2) return;
    if (uint64_t{cached.rrset.ttl} * 100 >
        uint64_t{cached.original_ttl} * prefetch_options.threshold_percent)
        return;
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

asio::awaitable<void> RecursiveResolver::State::prefetch(wire::Question q, std::string key,
                                                         BackgroundSlot /*slot*/) {
    RequestBudget budget;
    budget.deadline = monotonic.now() + options.limits.resolution_timeout;
    budget.prefetch = true;
    try {
        Iterator iterator(context, budget);
        (void)co_await iterator.lookup(q);
        // Read back like a client lookup after a fetch, so the renewed entry
        // counts its asks the same way.
        (void)caches.rrsets.lookup(q.name, q.type, q.rclass);
    } catch (const std::exception&) {
        // A failed refresh leaves the cached data to expire as it would have.
    }
    prefetching.erase(key);
}

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::CachedRRset& cached, bool validate,
                                                          bool may_retry) {
    if (!validate || cached.security != cache::Security::kIndeterminate)
        co_return earlier_verdict(cached.security, cached.reason);
    auto v = co_await validator.rrset(cached.rrset, cached.signatures, cached.proof);
    // A verdict that another server may overturn is not stored yet.
    if (v.transient || (may_retry && v.security == cache::Security::kBogus)) co_return v;
    caches.rrsets.set_security(cached.rrset, cached.signatures, v.security, reason_of(v),
                               v.ttl_cap);
    if (v.ttl_cap < cached.rrset.ttl) cached.rrset.ttl = v.ttl_cap;
    co_return v;
}

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::NegativeEntry& entry,
                                                          bool validate, bool may_retry) {
    if (!validate || entry.security != cache::Security::kIndeterminate)
        co_return earlier_verdict(entry.security, entry.reason);
    auto v = co_await validator.negative(entry.rcode, {entry.name, entry.type, wire::RRClass::IN},
                                         entry.authority);
    if (v.transient || (may_retry && v.security == cache::Security::kBogus)) co_return v;
    caches.negatives.set_security(entry.rcode, entry.name, entry.type, v.security, reason_of(v),
                                  v.ttl_cap);
    co_return v;
}

// Per-request state of resolve_query.
struct RecursiveResolver::State::Walk {
    Walk(State& s, const ClientQuery& client)
        : query(client),
          validate(s.options.dnssec.enabled && !client.checking_disabled),
          validator(s.context, budget),
          q(client.question) {
        budget.deadline = s.monotonic.now() + s.options.limits.resolution_timeout;
    }

    const ClientQuery& query;
    RequestBudget budget;
    const bool validate;
    Validator validator;
    AnswerSecurity security;
    Answer out;
    wire::Question q;  // the link of the chain being resolved
    uint32_t hops = 0;
    bool went_upstream = false;
    // A lookup just made for `q`: used when the cache could not keep its
    // result (TTL 0, or no room), and to know whom to avoid if it fails
    // validation.
    std::optional<LookupResult> fresh;
    // Skip the cache: its data for `q` failed validation, another server
    // is to be asked.
    bool refetch = false;
    std::optional<Answer> failure;

    void follow(const wire::Name& next) {
        q.name = next;
        fresh.reset();
        ++hops;
    }
    // Whether a Bogus verdict on data just fetched for `q` may send the
    // question to another server of the zone.
    bool may_retry() const {
        return validate && !retry_failed && fresh && fresh->server &&
               budget.bogus_retries < kMaxBogusRetries;
    }
    // Asking another server failed (none left, none answering): the data
    // cached from the first is judged for good.
    bool retry_failed = false;
};

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

RecursiveResolver::State::Step RecursiveResolver::State::refuse_bogus(Walk& w, const Verdict& v) {
    if (v.security != cache::Security::kBogus || !w.validate) return Step::kDone;
    if (!v.transient && w.may_retry()) {
        w.budget.excluded.push_back({w.fresh->zone, *w.fresh->server});
        ++w.budget.bogus_retries;
        ++metrics.bogus_retries;
        w.refetch = true;
        return Step::kMiss;
    }
    ++(v.transient ? metrics.dnssec_failures : metrics.dnssec_bogus);
    w.failure = servfail(v.error ? *v.error
                                 : wire::ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, {}});
    return Step::kFail;
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_cache(Walk& w) {
    const auto& q = w.q;
    auto positive = caches.rrsets.lookup(q.name, q.type, q.rclass);
    // Glue and referral data serve iteration only, never a client answer.
    if (positive && positive->trust >= cache::Trust::kAnswerNonAuth) {
        auto v = co_await settle(w.validator, *positive, w.validate, w.may_retry());
        if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
        w.security.add(v);
        append_rrset(w.out, *positive);
        if (w.hops == 0) maybe_prefetch(co_await asio::this_coro::executor, q, *positive);
        co_return Step::kDone;
    }
    if (auto negative = caches.negatives.lookup(q.name, q.type)) {
        auto v = co_await settle(w.validator, *negative, w.validate, w.may_retry());
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
    auto v = co_await settle(w.validator, *cname, w.validate, w.may_retry());
    if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
    w.security.add(v);
    auto target = wire::NameData::from(cname->rrset.rdatas.front());
    append_rrset(w.out, *cname);
    if (!target) co_return Step::kDone;
    w.follow(target->name);
    co_return Step::kFollow;
}

// The cache did not keep the lookup's result: validate and use it as it
// came.
asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_fresh(Walk& w) {
    auto result = std::move(*w.fresh);
    w.fresh.reset();
    if (result.kind != ResponseKind::kNxdomain && result.kind != ResponseKind::kNodata)
        co_return co_await from_fresh_answer(w, result);
    const auto rcode =
        result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR;
    if (w.validate) {
        auto v = co_await w.validator.negative(rcode, w.q, result.authority);
        if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
        w.security.add(v);
    } else {
        w.security.add(Verdict{});
    }
    w.out.rcode = rcode;
    w.out.authority = std::move(result.authority);
    co_return Step::kDone;
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_fresh_answer(
    Walk& w, LookupResult& result) {
    for (const auto& rrset : wire::group_rrsets(result.answer)) {
        if (rrset.type == RRType::RRSIG) continue;
        std::vector<wire::RData> sigs;
        for (const auto& r : result.answer)
            if (r.type == RRType::RRSIG && r.owner == rrset.owner)
                if (auto sig = wire::RrsigData::from(r.rdata);
                    sig && sig->type_covered == rrset.type)
                    sigs.push_back(r.rdata);
        Verdict v;
        if (w.validate) v = co_await w.validator.rrset(rrset, sigs, result.proof);
        if (auto step = refuse_bogus(w, v); step != Step::kDone) co_return step;
        w.security.add(v);
    }
    std::optional<wire::Name> next;
    for (auto& r : result.answer) {
        if (result.kind == ResponseKind::kCname && r.type == RRType::CNAME)
            if (auto t = wire::NameData::from(r.rdata)) next = t->name;
        w.out.answer.push_back(std::move(r));
    }
    if (result.kind == ResponseKind::kDname) {
        const wire::Record* dname = nullptr;
        for (const auto& r : w.out.answer)
            if (r.type == RRType::DNAME && w.q.name.is_subdomain_of(r.owner)) dname = &r;
        auto target = dname ? apply_dname(w.q.name, *dname) : std::nullopt;
        if (!target) {
            w.failure = servfail({ExtendedErrorCode::kInvalidData,
                                  "DNAME substitution of " + w.q.name.to_text() + " too long"});
            co_return Step::kFail;
        }
        // The CNAME the DNAME implies (RFC 6672 §3.1), made here rather
        // than trusted from the server; asked for the CNAME, it is the
        // answer (§3).
        w.out.answer.push_back(wire::Record{w.q.name, RRType::CNAME, w.q.rclass, dname->ttl,
                                            wire::NameData{*target}.to_rdata()});
        if (w.q.type == RRType::CNAME) co_return Step::kDone;
        next = *target;
    }
    if (result.kind == ResponseKind::kAnswer) co_return Step::kDone;
    if (!next) {
        w.failure = servfail({ExtendedErrorCode::kInvalidData, "bad CNAME"});
        co_return Step::kFail;
    }
    w.follow(*next);
    co_return Step::kFollow;
}

// RFC 8198: what validated NSEC/NSEC3 records already prove is not asked
// again.
RecursiveResolver::State::Step RecursiveResolver::State::from_denials(Walk& w) {
    if (!options.dnssec.enabled || !options.aggressive_nsec) return Step::kMiss;
    auto made = synthesise(caches.denials, caches.rrsets, w.q, clock.now(), options.dnssec.limits,
                           w.budget.dnssec_work);
    if (!made) return Step::kMiss;
    count_synthesised(made->kind);
    auto secure = Verdict::of(cache::Security::kSecure);
    secure.ttl_cap = made->ttl;
    w.security.add(secure);
    w.out.rcode = made->rcode;
    for (auto& r : made->answers)
        w.out.answer.push_back(std::move(r));
    for (auto& r : made->authority)
        w.out.authority.push_back(std::move(r));
    if (!made->cname_target) return Step::kDone;
    w.follow(*made->cname_target);
    return Step::kFollow;
}

asio::awaitable<RecursiveResolver::State::Step> RecursiveResolver::State::from_upstream(Walk& w) {
    const bool retrying = std::exchange(w.refetch, false);
    // A zone that just failed to answer is not asked again for a while
    // (RFC 8767 §5): stale data serves meanwhile.
    if (refresh_recently_failed(w.q) && append_stale(w.q, w.out)) {
        w.security.add(Verdict{});
        co_return Step::kDone;
    }
    if (auto step = refuse_held(w); step != Step::kDone) co_return step;
    w.went_upstream = true;
    Iterator iterator(context, w.budget);
    auto result = co_await iterator.lookup(w.q);
    if (result.error && retrying) {
        w.retry_failed = true;
        co_return Step::kMiss;
    }
    if (result.error) {
        const bool unreachable =
            result.cause == FailureCause::kUnreachable || result.cause == FailureCause::kRefused;
        if (unreachable && options.serve_stale.enabled) {
            note_failed_refresh(w.q);
            if (append_stale(w.q, w.out)) {
                w.security.add(Verdict{});
                co_return Step::kDone;
            }
        }
        w.failure = servfail(*result.error);
        co_return Step::kFail;
    }
    switch (result.kind) {
        case ResponseKind::kAnswer:
        case ResponseKind::kCname:
        case ResponseKind::kNxdomain:
        case ResponseKind::kNodata: break;
        case ResponseKind::kDname:
            // A DNAME is not cached under the name asked for: follow it now.
            w.fresh = std::move(result);
            co_return co_await from_fresh(w);
        default:
            w.failure = servfail({ExtendedErrorCode::kOther, "unexpected response"});
            co_return Step::kFail;
    }
    // The iterator cached what it learnt; the next step reads it back (TTLs
    // clamped, best-ranked data) and validates it. Should the cache have
    // kept nothing, `fresh` stands in.
    w.fresh = std::move(result);
    co_return Step::kMiss;
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
asio::awaitable<Answer> RecursiveResolver::State::resolve_query(const ClientQuery& query) {
    Walk w(*this, query);
    for (;;) {
        if (w.hops > options.limits.max_cname_chain) {
            ++metrics.limit_cname_chain;
            co_return servfail({ExtendedErrorCode::kOther,
                                "resolution stopped: max-cname-chain (" +
                                    std::to_string(options.limits.max_cname_chain) + ") exceeded"});
        }
        Step step = Step::kMiss;
        if (!w.refetch) step = co_await from_cache(w);
        if (step == Step::kMiss && w.fresh && !w.refetch) step = co_await from_fresh(w);
        if (step == Step::kMiss && !query.recursion_desired) {
            // Cache only (RD=0). Nothing cached: say so rather than go out.
            if (!w.out.answer.empty()) break;
            Answer refused;
            refused.rcode = wire::Rcode::REFUSED;
            refused.extended_error = wire::ExtendedErrorOption{
                ExtendedErrorCode::kNotAuthoritative, "not in cache and recursion not desired"};
            co_return refused;
        }
        if (step == Step::kMiss && !w.refetch) step = from_denials(w);
        if (step == Step::kMiss) step = co_await from_upstream(w);
        if (step == Step::kDone) break;
        if (step == Step::kFail) co_return std::move(*w.failure);
    }
    co_return finish(w);
}

}  // namespace cairn::resolve
