#include "resolve/recursive_resolver.h"

#include <algorithm>
#include <exception>

#include "resolve/inflight.h"
#include "resolve/iterator.h"
#include "resolve/joined_upstream.h"
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

// RFC 6672 §2.2: `name` with the DNAME's owner suffix replaced by its
// target; nullopt when the result would be too long.
std::optional<wire::Name> apply_dname(const wire::Name& name, const wire::Record& dname) {
    auto target = wire::NameData::from(dname.rdata);
    if (!target) return std::nullopt;
    const size_t keep = name.label_count() - dname.owner.label_count();
    size_t prefix = 0;
    for (size_t i = 0; i < keep; ++i)
        prefix += 1 + name.label(i).size();
    std::vector<uint8_t> wire(name.wire().begin(), name.wire().begin() + prefix);
    const auto tail = target->name.wire();
    wire.insert(wire.end(), tail.begin(), tail.end());
    auto rewritten = wire::Name::from_wire(wire);
    if (!rewritten) return std::nullopt;
    return *rewritten;
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

}  // namespace

struct RecursiveResolver::State {
    State(const ResolverOptions& o, const RootHints& h, cache::Caches& c, Upstream& u,
          const cache::Clock& clk)
        : options(o),
          hints(h),
          caches(c),
          upstream(u, metrics),
          clock(clk),
          selector(options, caches.infra),
          context{options, hints, caches, upstream, clock, metrics, selector} {}

    const ResolverOptions options;
    const RootHints hints;
    cache::Caches& caches;
    ResolverMetrics metrics;
    JoinedUpstream upstream;
    const cache::Clock& clock;
    ServerSelector selector;
    ResolverContext context;
    InflightTable<Answer> inflight;

    asio::awaitable<Answer> resolve_query(const ClientQuery& query);
    // The status of a cached entry, validating it first if it never was
    // (and `validate`); the verdict is stored back in the cache.
    asio::awaitable<Verdict> settle(Validator& validator, cache::CachedRRset& cached,
                                    bool validate);
    asio::awaitable<Verdict> settle(Validator& validator, cache::NegativeEntry& entry,
                                    bool validate);
};

RecursiveResolver::RecursiveResolver(const ResolverOptions& options, const RootHints& hints,
                                     cache::Caches& caches, Upstream& upstream,
                                     const cache::Clock& clock)
    : state_(std::make_unique<State>(options, hints, caches, upstream, clock)) {}

RecursiveResolver::~RecursiveResolver() = default;

const ResolverMetrics& RecursiveResolver::metrics() const {
    return state_->metrics;
}

asio::awaitable<Answer> RecursiveResolver::resolve(ClientQuery query) {
    auto& s = *state_;
    ++s.metrics.client_queries;
    const auto key = inflight_key(query);
    if (auto running = s.inflight.find(key)) {
        ++s.metrics.inflight_joins;
        co_return co_await InflightTable<Answer>::wait(running);
    }
    auto entry = s.inflight.start(key);
    Answer answer;
    try {
        answer = co_await s.resolve_query(query);
    } catch (const std::exception& e) {
        answer = servfail({ExtendedErrorCode::kOther, std::string("internal error: ") + e.what()});
    }
    if (answer.rcode == wire::Rcode::SERVFAIL) ++s.metrics.servfail;
    answer.cache_ttl = answer_ttl(answer);
    s.inflight.finish(key, entry, answer);
    co_return answer;
}

namespace {

// The weakest status of the parts of one answer.
struct AnswerSecurity {
    cache::Security worst = cache::Security::kSecure;
    std::optional<wire::ExtendedErrorOption> note;  // e.g. EDE 27 on an insecure answer

    void add(const Verdict& v) {
        if (v.security == cache::Security::kIndeterminate ||
            worst == cache::Security::kIndeterminate)
            worst = cache::Security::kIndeterminate;
        else if (v.security == cache::Security::kInsecure)
            worst = cache::Security::kInsecure;
        if (v.error && !note) note = v.error;
    }
};

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

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::CachedRRset& cached,
                                                          bool validate) {
    if (!validate || cached.security != cache::Security::kIndeterminate) {
        Verdict v{cached.security, {}, UINT32_MAX};
        if (cached.security == cache::Security::kBogus)
            v.error = wire::ExtendedErrorOption{cached.reason, "cached as bogus"};
        co_return v;
    }
    auto v = co_await validator.rrset(cached.rrset, cached.signatures, cached.proof);
    const auto reason = v.error ? v.error->code : ExtendedErrorCode::kDnssecBogus;
    caches.rrsets.set_security(cached.rrset, v.security, reason, v.ttl_cap);
    if (v.ttl_cap < cached.rrset.ttl) cached.rrset.ttl = v.ttl_cap;
    co_return v;
}

asio::awaitable<Verdict> RecursiveResolver::State::settle(Validator& validator,
                                                          cache::NegativeEntry& entry,
                                                          bool validate) {
    if (!validate || entry.security != cache::Security::kIndeterminate) {
        Verdict v{entry.security, {}, UINT32_MAX};
        if (entry.security == cache::Security::kBogus)
            v.error = wire::ExtendedErrorOption{entry.reason, "cached as bogus"};
        co_return v;
    }
    auto v = co_await validator.negative(entry.rcode, {entry.name, entry.type, wire::RRClass::IN},
                                         entry.authority);
    const auto reason = v.error ? v.error->code : ExtendedErrorCode::kDnssecBogus;
    caches.negatives.set_security(entry.rcode, entry.name, entry.type, v.security, reason,
                                  v.ttl_cap);
    co_return v;
}

// The chain of CNAMEs (and the final RRset or negative answer) from the
// cache, each link validated unless the client set CD; upstream lookups
// fill the cache for the links it lacks.
asio::awaitable<Answer> RecursiveResolver::State::resolve_query(const ClientQuery& query) {
    const auto& limits = options.limits;
    RequestBudget budget;
    budget.deadline = std::chrono::steady_clock::now() + limits.resolution_timeout;
    const bool validate = options.dnssec.enabled && !query.checking_disabled;
    Validator validator(context, budget);
    AnswerSecurity security;
    Answer out;
    wire::Question q = query.question;
    bool went_upstream = false;
    // A lookup just made for `q`: used when the cache could not keep its
    // result (TTL 0, or no room).
    std::optional<LookupResult> fresh;
    auto refuse_bogus = [&](const Verdict& v) -> std::optional<Answer> {
        if (v.security != cache::Security::kBogus || !validate) return std::nullopt;
        ++metrics.dnssec_bogus;
        return servfail(v.error ? *v.error
                                : wire::ExtendedErrorOption{ExtendedErrorCode::kDnssecBogus, {}});
    };
    for (uint32_t hop = 0;;) {
        if (hop > limits.max_cname_chain) {
            ++metrics.limit_cname_chain;
            co_return servfail({ExtendedErrorCode::kOther,
                                "resolution stopped: max-cname-chain (" +
                                    std::to_string(limits.max_cname_chain) + ") exceeded"});
        }
        auto positive = caches.rrsets.lookup(q.name, q.type, q.rclass);
        // Glue and referral data serve iteration only, never a client answer.
        if (positive && positive->trust >= cache::Trust::kAnswerNonAuth) {
            auto v = co_await settle(validator, *positive, validate);
            if (auto failed = refuse_bogus(v)) co_return *failed;
            security.add(v);
            append_rrset(out, *positive);
            break;
        }
        if (auto negative = caches.negatives.lookup(q.name, q.type)) {
            auto v = co_await settle(validator, *negative, validate);
            if (auto failed = refuse_bogus(v)) co_return *failed;
            security.add(v);
            out.rcode = negative->rcode;
            out.authority = std::move(negative->authority);
            break;
        }
        if (q.type != RRType::CNAME) {
            auto cname = caches.rrsets.lookup(q.name, RRType::CNAME, q.rclass);
            if (cname && cname->trust >= cache::Trust::kAnswerNonAuth &&
                !cname->rrset.rdatas.empty()) {
                auto v = co_await settle(validator, *cname, validate);
                if (auto failed = refuse_bogus(v)) co_return *failed;
                security.add(v);
                auto target = wire::NameData::from(cname->rrset.rdatas.front());
                append_rrset(out, *cname);
                if (!target) break;
                q.name = target->name;
                fresh.reset();
                ++hop;
                continue;
            }
        }
        if (fresh) {
            // The cache did not keep the lookup's result: validate and use it
            // as it came.
            auto result = std::move(*fresh);
            fresh.reset();
            if (result.kind == ResponseKind::kNxdomain || result.kind == ResponseKind::kNodata) {
                const auto rcode = result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN
                                                                          : wire::Rcode::NOERROR;
                if (validate) {
                    auto v = co_await validator.negative(rcode, q, result.authority);
                    if (auto failed = refuse_bogus(v)) co_return *failed;
                    security.add(v);
                } else {
                    security.add(Verdict{});
                }
                out.rcode = rcode;
                out.authority = std::move(result.authority);
                break;
            }
            for (const auto& rrset : wire::group_rrsets(result.answer)) {
                if (rrset.type == RRType::RRSIG) continue;
                std::vector<wire::RData> sigs;
                for (const auto& r : result.answer)
                    if (r.type == RRType::RRSIG && r.owner == rrset.owner)
                        if (auto sig = wire::RrsigData::from(r.rdata);
                            sig && sig->type_covered == rrset.type)
                            sigs.push_back(r.rdata);
                Verdict v;
                if (validate) v = co_await validator.rrset(rrset, sigs, result.proof);
                if (auto failed = refuse_bogus(v)) co_return *failed;
                security.add(v);
            }
            std::optional<wire::Name> next;
            for (auto& r : result.answer) {
                if (result.kind == ResponseKind::kCname && r.type == RRType::CNAME)
                    if (auto t = wire::NameData::from(r.rdata)) next = t->name;
                out.answer.push_back(std::move(r));
            }
            if (result.kind == ResponseKind::kDname) {
                const wire::Record* dname = nullptr;
                for (const auto& r : out.answer)
                    if (r.type == RRType::DNAME && q.name.is_subdomain_of(r.owner)) dname = &r;
                auto target = dname ? apply_dname(q.name, *dname) : std::nullopt;
                if (!target)
                    co_return servfail({ExtendedErrorCode::kInvalidData,
                                        "DNAME substitution of " + q.name.to_text() + " too long"});
                // The CNAME the DNAME implies (RFC 6672 §3.1), made here
                // rather than trusted from the server.
                out.answer.push_back(wire::Record{q.name, RRType::CNAME, q.rclass, dname->ttl,
                                                  wire::NameData{*target}.to_rdata()});
                next = *target;
            }
            if (result.kind == ResponseKind::kAnswer) break;
            if (!next) co_return servfail({ExtendedErrorCode::kInvalidData, "bad CNAME"});
            q.name = *next;
            ++hop;
            continue;
        }
        if (!query.recursion_desired) {
            // Cache only (RD=0). Nothing cached: say so rather than go out.
            if (out.answer.empty()) {
                Answer refused;
                refused.rcode = wire::Rcode::REFUSED;
                refused.extended_error = wire::ExtendedErrorOption{
                    ExtendedErrorCode::kNotAuthoritative, "not in cache and recursion not desired"};
                co_return refused;
            }
            break;
        }
        went_upstream = true;
        Iterator iterator(context, budget);
        auto result = co_await iterator.lookup(q);
        if (result.error) co_return servfail(*result.error);
        if (result.kind != ResponseKind::kAnswer && result.kind != ResponseKind::kCname &&
            result.kind != ResponseKind::kDname && result.kind != ResponseKind::kNxdomain &&
            result.kind != ResponseKind::kNodata)
            co_return servfail({ExtendedErrorCode::kOther, "unexpected response"});
        if (result.kind == ResponseKind::kDname) {
            // A DNAME is not cached under the name asked for: follow it now.
            fresh = std::move(result);
            continue;
        }
        // The iterator cached what it learnt; the next round reads it back
        // (TTLs clamped, best-ranked data) and validates it. Should the cache
        // have kept nothing, `fresh` stands in.
        fresh = std::move(result);
    }
    if (!went_upstream) ++metrics.cache_answers;
    if (validate) {
        switch (security.worst) {
            case cache::Security::kSecure: ++metrics.dnssec_secure; break;
            case cache::Security::kInsecure: ++metrics.dnssec_insecure; break;
            default: break;
        }
    }
    out.authentic_data = security.worst == cache::Security::kSecure &&
                         (validate || query.checking_disabled) && options.dnssec.enabled;
    if (security.note && !out.extended_error) out.extended_error = security.note;
    co_return out;
}

}  // namespace cairn::resolve
