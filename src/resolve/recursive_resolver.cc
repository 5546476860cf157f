#include "resolve/recursive_resolver.h"

#include <algorithm>
#include <exception>

#include "resolve/inflight.h"
#include "resolve/iterator.h"
#include "resolve/joined_upstream.h"
#include "resolve/server_selector.h"
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
    bool answer_from_cache(const wire::Name& name, const wire::Question& q, Answer& out);
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

// Fills `out` from the cache for `name` (the current link of the chain):
// the RRset, a negative entry, or a CNAME to follow. Returns true when the
// chain ends here; a cached CNAME is appended and false returned with `out`
// told where to continue through the last record.
bool RecursiveResolver::State::answer_from_cache(const wire::Name& name, const wire::Question& q,
                                                 Answer& out) {
    auto positive = caches.rrsets.lookup(name, q.type, q.rclass);
    // Glue and referral data serve iteration only, never a client answer.
    if (positive && positive->trust >= cache::Trust::kAnswerNonAuth) {
        for (auto& r : positive->rrset.to_records())
            out.answer.push_back(std::move(r));
        for (const auto& sig : positive->signatures)
            out.answer.push_back(
                wire::Record{name, RRType::RRSIG, q.rclass, positive->rrset.ttl, sig});
        return true;
    }
    if (auto negative = caches.negatives.lookup(name, q.type)) {
        out.rcode = negative->rcode;
        out.authority = std::move(negative->authority);
        return true;
    }
    return false;
}

asio::awaitable<Answer> RecursiveResolver::State::resolve_query(const ClientQuery& query) {
    const auto& limits = options.limits;
    RequestBudget budget;
    budget.deadline = std::chrono::steady_clock::now() + limits.resolution_timeout;
    Answer out;
    wire::Question q = query.question;
    bool went_upstream = false;
    for (uint32_t hop = 0;; ++hop) {
        if (hop > limits.max_cname_chain) {
            ++metrics.limit_cname_chain;
            co_return servfail({ExtendedErrorCode::kOther,
                                "resolution stopped: max-cname-chain (" +
                                    std::to_string(limits.max_cname_chain) + ") exceeded"});
        }
        if (answer_from_cache(q.name, q, out)) break;
        if (q.type != RRType::CNAME) {
            auto cname = caches.rrsets.lookup(q.name, RRType::CNAME, q.rclass);
            if (cname && cname->trust >= cache::Trust::kAnswerNonAuth &&
                !cname->rrset.rdatas.empty()) {
                auto target = wire::NameData::from(cname->rrset.rdatas.front());
                for (auto& r : cname->rrset.to_records())
                    out.answer.push_back(std::move(r));
                for (const auto& sig : cname->signatures)
                    out.answer.push_back(
                        wire::Record{q.name, RRType::RRSIG, q.rclass, cname->rrset.ttl, sig});
                if (!target) break;
                q.name = target->name;
                continue;
            }
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
        switch (result.kind) {
            case ResponseKind::kAnswer:
                // Prefer the cache's view (TTL clamped, best-ranked data).
                if (!answer_from_cache(q.name, q, out))
                    for (auto& r : result.answer)
                        out.answer.push_back(std::move(r));
                break;
            case ResponseKind::kCname: {
                std::optional<wire::Name> target;
                for (auto& r : result.answer) {
                    if (r.type == RRType::CNAME)
                        if (auto t = wire::NameData::from(r.rdata)) target = t->name;
                    out.answer.push_back(std::move(r));
                }
                if (!target) co_return servfail({ExtendedErrorCode::kInvalidData, "bad CNAME"});
                q.name = *target;
                continue;
            }
            case ResponseKind::kDname: {
                const wire::Record* dname = nullptr;
                for (const auto& r : result.answer)
                    if (r.type == RRType::DNAME) dname = &r;
                auto target = dname ? apply_dname(q.name, *dname) : std::nullopt;
                if (!target)
                    co_return servfail({ExtendedErrorCode::kInvalidData,
                                        "DNAME substitution of " + q.name.to_text() + " too long"});
                const auto dname_record = *dname;
                for (auto& r : result.answer)
                    out.answer.push_back(std::move(r));
                // The CNAME the DNAME implies (RFC 6672 §3.1), made here
                // rather than trusted from the server.
                out.answer.push_back(wire::Record{q.name, RRType::CNAME, q.rclass, dname_record.ttl,
                                                  wire::NameData{*target}.to_rdata()});
                q.name = *target;
                continue;
            }
            case ResponseKind::kNxdomain:
            case ResponseKind::kNodata:
                out.rcode = result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN
                                                                   : wire::Rcode::NOERROR;
                out.authority = std::move(result.authority);
                break;
            default: co_return servfail({ExtendedErrorCode::kOther, "unexpected response"});
        }
        break;
    }
    if (!went_upstream) ++metrics.cache_answers;
    co_return out;
}

}  // namespace cairn::resolve
