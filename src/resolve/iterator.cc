#include "resolve/iterator.h"

#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "dnssec/algorithms.h"
#include "observe/log_limit.h"
#include "resolve/chain.h"
#include "resolve/qname_minimiser.h"
#include "resolve/result_store.h"
#include "resolve/scrubber.h"
#include "wire/rrset.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using wire::ExtendedErrorCode;
using wire::RRType;

// Glueless name server lookups nested inside each other (a delegation whose
// servers are named in a zone whose servers are named elsewhere...).
constexpr uint32_t kMaxNestedLookups = 4;

// Stands for the local root copy where a reply names its server.
const wire::IpAddress kLocalRootServer{};

std::string server_text(const wire::IpAddress& server) {
    return server == kLocalRootServer ? "the local root copy" : server.to_string();
}

std::optional<wire::Name> rdata_name(const wire::RData& rdata) {
    auto n = wire::NameData::from(rdata);
    if (!n) return std::nullopt;
    return n->name;
}

RRType signature_covers(const wire::Record& rrsig) {
    auto sig = wire::RrsigData::from(rrsig.rdata);
    return sig ? sig->type_covered : RRType{0};
}

// RRSIG RDATA in `records` covering (owner, type).
std::vector<wire::RData> signatures_for(const std::vector<wire::Record>& records,
                                        const wire::Name& owner, RRType type) {
    std::vector<wire::RData> out;
    for (const auto& r : records)
        if (r.type == RRType::RRSIG && r.owner == owner && signature_covers(r) == type)
            out.push_back(r.rdata);
    return out;
}

// NSEC/NSEC3 records and their RRSIGs in `records`.
std::vector<wire::Record> denial_records(const std::vector<wire::Record>& records) {
    std::vector<wire::Record> out;
    for (const auto& r : records) {
        const RRType type = r.type == RRType::RRSIG ? signature_covers(r) : r.type;
        if (type == RRType::NSEC || type == RRType::NSEC3) out.push_back(r);
    }
    return out;
}

// An RRSIG whose labels field is below the owner's label count shows a
// wildcard expansion (RFC 4035 §5.3.4).
bool expanded_from_wildcard(std::span<const wire::RData> signatures, const wire::Name& owner) {
    return std::any_of(signatures.begin(), signatures.end(), [&](const wire::RData& rdata) {
        auto sig = wire::RrsigData::from(rdata);
        return sig && sig->labels < owner.label_count() - (owner.is_wildcard() ? 1 : 0);
    });
}

bool synthesised_from_dname(const std::vector<wire::Record>& answers, const wire::Name& owner) {
    return std::any_of(answers.begin(), answers.end(), [&](const wire::Record& r) {
        return r.type == RRType::DNAME && owner != r.owner && owner.is_subdomain_of(r.owner);
    });
}

std::string limit_text(const char* option, uint32_t value) {
    return std::string("resolution stopped: ") + option + " (" + std::to_string(value) +
           ") exceeded";
}

LookupResult zone_failure(const wire::Name& zone, size_t tried, unsigned timeouts, unsigned lame,
                          unsigned network_errors) {
    std::string text = "no usable answer from the servers of " + zone.to_text() + " (" +
                       std::to_string(tried) + " tried: " + std::to_string(timeouts) +
                       " timed out, " + std::to_string(lame) + " lame or refusing, " +
                       std::to_string(network_errors) + " unreachable)";
    // RFC 8914: 22 covers servers that could not be reached or refused;
    // 23 is for failures of the network itself.
    const bool answered = lame > 0 && timeouts == 0 && network_errors == 0;
    const auto code = network_errors > 0 && timeouts == 0 && lame == 0
                          ? ExtendedErrorCode::kNetworkError
                          : ExtendedErrorCode::kNoReachableAuthority;
    return LookupResult::failure(answered ? FailureCause::kRefused : FailureCause::kUnreachable,
                                 code, std::move(text));
}

trace::Outcome outcome_of(ResponseKind kind) {
    switch (kind) {
        case ResponseKind::kAnswer: return trace::Outcome::kAnswer;
        case ResponseKind::kCname: return trace::Outcome::kCname;
        case ResponseKind::kDname: return trace::Outcome::kDname;
        case ResponseKind::kReferral: return trace::Outcome::kReferral;
        case ResponseKind::kNxdomain: return trace::Outcome::kNxdomain;
        case ResponseKind::kNodata: return trace::Outcome::kNodata;
        case ResponseKind::kEmpty: return trace::Outcome::kEmpty;
        case ResponseKind::kLame: return trace::Outcome::kLame;
        case ResponseKind::kError: return trace::Outcome::kError;
    }
    return trace::Outcome::kError;
}

trace::Outcome outcome_of(UpstreamStatus status) {
    switch (status) {
        case UpstreamStatus::kOk: return trace::Outcome::kAnswer;
        case UpstreamStatus::kTimeout: return trace::Outcome::kTimeout;
        case UpstreamStatus::kNetworkError: return trace::Outcome::kUnreachable;
        case UpstreamStatus::kMalformed: return trace::Outcome::kMalformed;
    }
    return trace::Outcome::kUnreachable;
}

}  // namespace

void Iterator::trace_exchange(const Delegation& delegation, const UpstreamQuery& query,
                              const UpstreamReply& reply, bool shortened, trace::Outcome outcome,
                              const wire::Name& referral) const {
    if (!budget_.trace) return;
    const bool answered = reply.status == UpstreamStatus::kOk;
    budget_.trace->add(trace::Exchange{
        delegation.zone, query.server.address, query.question, shortened, reply.via_tcp,
        answered ? reply.rtt : std::chrono::microseconds(query.timeout), outcome,
        answered ? reply.message.rcode() : wire::Rcode::NOERROR, referral});
}

std::optional<LookupResult> Iterator::budget_exceeded() {
    const auto& limits = ctx_.options.limits;
    if (budget_.upstream_queries >= limits.max_upstream_queries) {
        ++ctx_.metrics.limit_upstream_queries;
        return LookupResult::failure(
            FailureCause::kLimit, ExtendedErrorCode::kOther,
            limit_text("max-upstream-queries", limits.max_upstream_queries));
    }
    if (ctx_.monotonic.now() >= budget_.deadline) {
        ++ctx_.metrics.limit_timeout;
        return LookupResult::failure(FailureCause::kLimit, ExtendedErrorCode::kNoReachableAuthority,
                                     "resolution-timeout (" +
                                         std::to_string(limits.resolution_timeout.count()) +
                                         " ms) reached");
    }
    return std::nullopt;
}

Delegation Iterator::delegation_from_hints() const {
    Delegation d;
    d.zone = wire::Name::root();
    d.from_hints = true;
    for (const auto& ns : ctx_.hints.ns) {
        if (auto name = rdata_name(ns.rdata)) d.servers.push_back({*name, {}, true});
    }
    for (const auto& a : ctx_.hints.addresses) {
        if (auto ip = wire::IpAddress::from_bytes(a.rdata.bytes())) d.add_address(a.owner, *ip);
    }
    return d;
}

void Iterator::add_cached_addresses(NameServer& server) const {
    for (RRType type : {RRType::A, RRType::AAAA}) {
        auto cached = ctx_.caches.rrsets.peek(server.name, type);
        if (!cached) continue;
        for (const auto& r : cached->rrset.rdatas)
            if (auto ip = wire::IpAddress::from_bytes(r.bytes()))
                if (std::find(server.addresses.begin(), server.addresses.end(), *ip) ==
                    server.addresses.end())
                    server.addresses.push_back(*ip);
    }
}

Delegation Iterator::delegation_from_cache(const wire::Name& zone, const wire::RRset& ns) const {
    Delegation d;
    d.zone = zone;
    // The root is its own parent; below it the cached NS set (the parent's,
    // or the zone's own capped to the parent's TTL) bounds the cut.
    if (!zone.is_root()) d.parent_ttl = ns.ttl;
    for (const auto& rdata : ns.rdatas) {
        auto name = rdata_name(rdata);
        if (!name) continue;
        NameServer server{*name, {}, false};
        add_cached_addresses(server);
        d.servers.push_back(std::move(server));
    }
    return d;
}

Delegation Iterator::delegation_from_referral(const wire::Message& response,
                                              const wire::Name& child) const {
    Delegation d;
    d.zone = child;
    for (const auto& r : response.authorities) {
        if (r.type != RRType::NS || r.owner != child) continue;
        d.parent_ttl = std::min(d.parent_ttl, r.ttl);
        if (auto name = rdata_name(r.rdata)) d.add_server(*name);
    }
    // Glue survived scrubbing, so it is within the parent's bailiwick. Also
    // use addresses already cached for the server names.
    for (const auto& r : response.additionals) {
        if (r.type != RRType::A && r.type != RRType::AAAA) continue;
        if (auto ip = wire::IpAddress::from_bytes(r.rdata.bytes())) d.add_address(r.owner, *ip);
    }
    for (auto& server : d.servers)
        if (server.addresses.empty()) add_cached_addresses(server);
    return d;
}

asio::awaitable<Delegation> Iterator::root_delegation() {
    if (auto ns = ctx_.caches.rrsets.peek(wire::Name::root(), RRType::NS)) {
        auto d = delegation_from_cache(wire::Name::root(), ns->rrset);
        if (d.has_addresses()) co_return d;
    }
    // Priming (RFC 8109): ask a hinted server for the root's own NS set and
    // learn the current addresses; fall back to the hints if it fails.
    auto hints = delegation_from_hints();
    LookupResult failure;
    auto reply = co_await query_zone(hints, {wire::Name::root(), RRType::NS, wire::RRClass::IN},
                                     false, failure);
    static observe::LogLimit priming_log(6);
    if (reply && reply->classification.kind == ResponseKind::kAnswer) {
        cache_response(reply->reply.message, reply->classification, hints);
        if (auto ns = ctx_.caches.rrsets.peek(wire::Name::root(), RRType::NS)) {
            auto d = delegation_from_cache(wire::Name::root(), ns->rrset);
            if (d.has_addresses()) {
                if (auto held = priming_log.admit())
                    spdlog::info("root priming: {} root servers from {}{}", d.servers.size(),
                                 server_text(reply->server), observe::held_back(*held));
                co_return d;
            }
        }
    }
    if (auto held = priming_log.admit())
        spdlog::warn("root priming failed ({}): using the root hints{}",
                     failure.error ? failure.error->extra_text : "no usable answer",
                     observe::held_back(*held));
    co_return hints;
}

asio::awaitable<std::optional<Delegation>> Iterator::closest_delegation(const wire::Name& name) {
    // Under a stub zone the walk starts at its configured servers at the
    // latest, never from the root's side.
    const auto stub = stub_zone_of(name);
    for (wire::Name zone = name; !zone.is_root(); zone = zone.parent()) {
        if (stub && zone == stub->zone) co_return configured_delegation(*stub);
        auto ns = ctx_.caches.rrsets.peek(zone, RRType::NS);
        if (!ns) continue;
        auto d = delegation_from_cache(zone, ns->rrset);
        // Usable if some server has an address, or has a name outside the
        // zone whose address can be looked up (in-zone names need glue).
        const bool usable = std::any_of(d.servers.begin(), d.servers.end(), [&](const auto& s) {
            return !s.addresses.empty() || !s.name.is_subdomain_of(zone);
        });
        if (usable) co_return d;
    }
    if (stub) co_return configured_delegation(*stub);
    co_return co_await root_delegation();
}

asio::awaitable<std::vector<wire::IpAddress>> Iterator::addresses_of(const wire::Name& ns_name) {
    // A before AAAA, and AAAA only when A brought nothing and the name
    // exists: a name server name that does not exist costs one query.
    std::vector<wire::IpAddress> found;
    for (RRType type : {RRType::A, RRType::AAAA}) {
        if (type == RRType::A && !ctx_.options.upstream_ipv4) continue;
        if (type == RRType::AAAA && !ctx_.options.upstream_ipv6) continue;
        if (auto negative = ctx_.caches.negatives.lookup(ns_name, type)) {
            note(budget_.trace, [&] { return trace::cached({ns_name, type}, *negative); });
            if (negative->rcode == wire::Rcode::NXDOMAIN) break;
            continue;
        }
        std::vector<wire::RData> rdatas;
        ResponseKind kind = ResponseKind::kAnswer;
        if (auto cached = ctx_.caches.rrsets.peek(ns_name, type)) {
            note(budget_.trace, [&] { return trace::cached({ns_name, type}, *cached); });
            rdatas = std::move(cached->rrset.rdatas);
        } else {
            const wire::Question q{ns_name, type, wire::RRClass::IN};
            Iterator nested(ctx_, budget_);
            auto result = co_await nested.lookup(q);
            store_unvalidated(ctx_.caches, q, result);
            kind = result.kind;
            if (kind == ResponseKind::kAnswer)
                for (auto& rrset : result.answer)
                    if (rrset.rrset.type == type) rdatas = std::move(rrset.rrset.rdatas);
        }
        for (const auto& rdata : rdatas)
            if (auto ip = wire::IpAddress::from_bytes(rdata.bytes())) found.push_back(*ip);
        if (!found.empty() || kind == ResponseKind::kNxdomain) break;
    }
    co_return found;
}

bool Iterator::cached_nxdomain(const wire::Name& name) const {
    for (RRType type : {RRType::A, RRType::AAAA})
        if (auto negative = ctx_.caches.negatives.lookup(name, type))
            if (negative->rcode == wire::Rcode::NXDOMAIN) return true;
    return false;
}

// The next server of `delegation` whose address is worth looking up, marked
// as tried; nullopt when none is left.
std::optional<wire::Name> Iterator::next_glueless(Delegation& delegation) const {
    for (auto& server : delegation.servers) {
        if (!server.addresses.empty() || server.resolution_attempted) continue;
        server.resolution_attempted = true;
        // An in-zone name without glue can only be found through this very
        // delegation (its glue comes from the parent: see
        // addresses_from_parent); a name being looked up already is a cycle.
        if (server.name.is_subdomain_of(delegation.zone) ||
            std::find(budget_.resolving_ns.begin(), budget_.resolving_ns.end(), server.name) !=
                budget_.resolving_ns.end())
            continue;
        return server.name;
    }
    return std::nullopt;
}

asio::awaitable<bool> Iterator::resolve_next_glueless(Delegation& delegation) {
    if (budget_.nested_lookups >= kMaxNestedLookups) co_return false;
    for (;;) {
        const auto ns_name = next_glueless(delegation);
        if (!ns_name) co_return false;
        // Known not to exist: costs no query, so not the budget's business.
        if (cached_nxdomain(*ns_name)) continue;
        // NXNSAttack: names that lead nowhere are few per request.
        if (budget_.glueless_failures >= ctx_.options.limits.max_glueless_ns) {
            ++ctx_.metrics.limit_glueless_ns;
            co_return false;
        }
        budget_.resolving_ns.push_back(*ns_name);
        ++budget_.nested_lookups;
        TraceScope traced(budget_.trace, [&] {
            return trace::Glueless{delegation.zone, *ns_name, {}};
        });
        const auto found = co_await addresses_of(*ns_name);
        if (auto* glueless = traced.event<trace::Glueless>()) glueless->found = found;
        --budget_.nested_lookups;
        budget_.resolving_ns.pop_back();
        if (found.empty()) {
            ++budget_.glueless_failures;
            continue;
        }
        for (const auto& ip : found)
            delegation.add_address(*ns_name, ip);
        co_return true;
    }
}

asio::awaitable<bool> Iterator::addresses_from_parent(Delegation& delegation) {
    if (delegation.zone.is_root() || delegation.parent_asked) co_return false;
    delegation.parent_asked = true;
    TraceScope traced(budget_.trace, [&] { return trace::ParentGlue{delegation.zone, false}; });
    auto parent = co_await closest_delegation(delegation.zone.parent());
    if (!parent || parent->zone == delegation.zone) co_return false;
    LookupResult failure;
    auto reply = co_await query_zone(*parent, {delegation.zone, RRType::NS, wire::RRClass::IN},
                                     false, failure);
    if (!reply) co_return false;
    const auto& c = reply->classification;
    if (c.kind != ResponseKind::kReferral || c.referral_zone != delegation.zone) co_return false;
    cache_response(reply->reply.message, c, *parent);
    bool added = false;
    for (const auto& r : reply->reply.message.authorities)
        if (r.type == RRType::NS && r.owner == delegation.zone)
            if (auto name = rdata_name(r.rdata)) delegation.add_server(*name);
    for (const auto& r : reply->reply.message.additionals) {
        if (r.type != RRType::A && r.type != RRType::AAAA) continue;
        if (auto ip = wire::IpAddress::from_bytes(r.rdata.bytes()))
            added |= delegation.add_address(r.owner, *ip);
    }
    if (auto* parent_glue = traced.event<trace::ParentGlue>()) parent_glue->found = added;
    co_return added;
}

asio::awaitable<bool> Iterator::find_more_addresses(Delegation& delegation) {
    const bool glueless = co_await resolve_next_glueless(delegation);
    if (glueless) co_return true;
    const bool from_parent = co_await addresses_from_parent(delegation);
    co_return from_parent;
}

// Counts of one round of asking a zone's servers, for the failure's EDE.
struct Iterator::ZoneAttempt {
    std::vector<wire::IpAddress> tried;
    std::vector<wire::IpAddress> timed_out;
    unsigned timeouts = 0;
    unsigned lame = 0;
    unsigned network_errors = 0;
};

asio::awaitable<std::optional<Iterator::ZoneReply>> Iterator::ask_server(
    const Delegation& delegation, const wire::IpAddress& address, const wire::Question& question,
    bool shortened, ZoneAttempt& attempt) {
    auto& infra = ctx_.caches.infra;
    UpstreamQuery query;
    query.server = wire::SocketAddress{address, delegation.port_of(address)};
    query.question = question;
    query.recursion_desired = delegation.forward;
    query.checking_disabled = delegation.forward;
    query.tls_name = delegation.tls_name;
    query.use_edns = infra.edns(address) != cache::EdnsSupport::kNo;
    query.edns_udp_size = ctx_.options.edns_buffer_size;
    // Signatures and denial records always come along: the cache keeps
    // them for validation and for clients that ask with DO.
    query.dnssec_ok = true;
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        budget_.deadline - ctx_.monotonic.now());
    query.timeout = std::min(infra.timeout(address, ctx_.options.initial_timeout), remaining);
    if (query.timeout.count() <= 0) co_return std::nullopt;

    ++budget_.upstream_queries;
    auto reply = co_await ctx_.upstream.exchange(query);
    const auto now = ctx_.monotonic.now();
    if (reply.via_tcp) ++ctx_.metrics.upstream_tcp;
    if (reply.status != UpstreamStatus::kOk)
        trace_exchange(delegation, query, reply, shortened, outcome_of(reply.status));
    if (reply.status == UpstreamStatus::kTimeout) {
        ++attempt.timeouts;
        ++ctx_.metrics.upstream_timeouts;
        infra.record_timeout(address, now);
        attempt.timed_out.push_back(address);
        co_return std::nullopt;
    }
    if (reply.status != UpstreamStatus::kOk) {
        ++attempt.network_errors;
        infra.record_timeout(address, now);
        co_return std::nullopt;
    }
    infra.record_rtt(address, reply.rtt, now);
    const auto rcode = reply.message.rcode();
    if (query.use_edns && (rcode == wire::Rcode::FORMERR || rcode == wire::Rcode::NOTIMP) &&
        !reply.message.edns) {
        // A server that does not understand EDNS (RFC 6891 §7): ask again
        // without it.
        trace_exchange(delegation, query, reply, shortened, trace::Outcome::kNoEdns);
        infra.set_edns(address, cache::EdnsSupport::kNo, now);
        attempt.tried.pop_back();
        co_return std::nullopt;
    }
    if (query.use_edns && reply.message.edns)
        infra.set_edns(address, cache::EdnsSupport::kYes, now);

    // What the response means is decided on what the server sent; only
    // then is it stripped of what the server may not tell us.
    // A forwarder answers for the whole chain it followed, whatever zones
    // that crosses; what it adds beside the answer stays within its zone.
    static const wire::Name root = wire::Name::root();
    const wire::Name& bailiwick = delegation.forward ? root : delegation.zone;
    auto classification = classify_response(reply.message, question, bailiwick);
    ctx_.metrics.scrubbed_records +=
        scrub_response(reply.message, question, bailiwick, classification);
    if (delegation.forward)
        ctx_.metrics.scrubbed_records += std::erase_if(
            reply.message.additionals,
            [&](const wire::Record& r) { return !r.owner.is_subdomain_of(delegation.zone); });
    const auto kind = classification.kind;
    trace_exchange(delegation, query, reply, shortened, outcome_of(kind),
                   classification.referral_zone);
    // An empty reply to a shortened name says nothing of the zone: the
    // full question is asked next (RFC 9156 §2.3).
    if (kind == ResponseKind::kEmpty && shortened)
        co_return ZoneReply{std::move(reply), classification, address};
    // A forwarder that refers, fails or refuses has failed this question.
    if (kind == ResponseKind::kLame || kind == ResponseKind::kEmpty ||
        kind == ResponseKind::kError || (delegation.forward && kind == ResponseKind::kReferral)) {
        ++attempt.lame;
        // Not serving the zone (upward referral, no authority, REFUSED) is
        // remembered; SERVFAIL may concern this one name only. A refused
        // shortened name says nothing about the full one.
        const bool lame_for_zone =
            !delegation.forward && (kind == ResponseKind::kLame || kind == ResponseKind::kEmpty ||
                                    (rcode == wire::Rcode::REFUSED && !shortened));
        if (lame_for_zone) {
            ++ctx_.metrics.lame_servers;
            infra.mark_lame(address, delegation.zone, now);
            static observe::LogLimit lame_log(20);
            if (auto held = lame_log.admit())
                spdlog::info("server {} is lame for {} ({} to {} {}){}", address.to_string(),
                             delegation.zone.to_text(),
                             rcode == wire::Rcode::REFUSED ? "REFUSED" : to_string(kind),
                             question.name.to_text(), wire::to_string(question.type),
                             observe::held_back(*held));
        }
        co_return std::nullopt;
    }
    co_return ZoneReply{std::move(reply), classification, address};
}

std::optional<Iterator::ZoneReply> Iterator::ask_local_root(const Delegation& delegation,
                                                            const wire::Question& question) {
    auto message = ctx_.local_root->answer(question, ctx_.clock.now());
    if (!message) return std::nullopt;
    UpstreamReply reply;
    reply.status = UpstreamStatus::kOk;
    reply.message = std::move(*message);
    auto classification = classify_response(reply.message, question, delegation.zone);
    scrub_response(reply.message, question, delegation.zone, classification);
    const auto kind = classification.kind;
    if (kind == ResponseKind::kLame || kind == ResponseKind::kEmpty || kind == ResponseKind::kError)
        return std::nullopt;
    return ZoneReply{std::move(reply), classification, kLocalRootServer};
}

asio::awaitable<std::optional<Iterator::ZoneReply>> Iterator::query_zone(
    Delegation& delegation, const wire::Question& question, bool shortened, LookupResult& failure) {
    if (ctx_.local_root != nullptr && delegation.zone.is_root())
        if (auto local = ask_local_root(delegation, question)) co_return local;
    ZoneAttempt attempt;
    for (const auto& e : budget_.excluded)
        if (e.zone == delegation.zone) attempt.tried.push_back(e.address);
    const size_t excluded = attempt.tried.size();
    bool retried = false;
    for (;;) {
        if (auto exceeded = budget_exceeded()) {
            failure = *exceeded;
            co_return std::nullopt;
        }
        if (attempt.tried.size() - excluded >= ctx_.options.limits.max_ns_addresses) break;
        auto address = ctx_.selector.choose(delegation, attempt.tried, ctx_.monotonic.now());
        if (!address) {
            if (co_await find_more_addresses(delegation)) continue;
            // One more round for servers that timed out: a lost datagram
            // should not fail the zone (the timeout has doubled by now).
            if (!retried && !attempt.timed_out.empty()) {
                retried = true;
                std::erase_if(attempt.tried, [&](const wire::IpAddress& a) {
                    return std::find(attempt.timed_out.begin(), attempt.timed_out.end(), a) !=
                           attempt.timed_out.end();
                });
                attempt.timed_out.clear();
                continue;
            }
            break;
        }
        attempt.tried.push_back(*address);
        if (auto reply = co_await ask_server(delegation, *address, question, shortened, attempt))
            co_return reply;
    }
    failure = zone_failure(delegation.zone, attempt.tried.size() - excluded, attempt.timeouts,
                           attempt.lame, attempt.network_errors);
    static observe::LogLimit unreachable_log(20);
    if (auto held = unreachable_log.admit())
        spdlog::warn("{} asked for {} {}{}", failure.error->extra_text, question.name.to_text(),
                     wire::to_string(question.type), observe::held_back(*held));
    co_return std::nullopt;
}

std::vector<SignedRRset> Iterator::signed_rrsets(const wire::Message& response,
                                                 const std::vector<wire::Record>& records,
                                                 cache::Trust trust, const Classification& c,
                                                 const Delegation& delegation) const {
    const bool answers = &records == &response.answers;
    std::vector<SignedRRset> out;
    for (auto& rrset : wire::group_rrsets(records)) {
        if (rrset.type == RRType::RRSIG) continue;
        // A CNAME the server synthesised from a DNAME is unsigned; the
        // resolver makes its own from the DNAME (RFC 6672 §3.4).
        if (rrset.type == RRType::CNAME && answers &&
            synthesised_from_dname(response.answers, rrset.owner))
            continue;
        // The zone's own NS set never outlives the parent's delegation.
        if (rrset.type == RRType::NS && rrset.owner == delegation.zone &&
            c.kind != ResponseKind::kReferral)
            rrset.ttl = std::min(rrset.ttl, delegation.parent_ttl);
        auto sigs = signatures_for(records, rrset.owner, rrset.type);
        const bool wildcard = answers && expanded_from_wildcard(sigs, rrset.owner);
        out.push_back({std::move(rrset), std::move(sigs), trust, wildcard});
    }
    return out;
}

void Iterator::cache_response(const wire::Message& response, const Classification& c,
                              const Delegation& delegation, bool with_answers) {
    using cache::Trust;
    const bool aa = response.header.aa;
    const auto proof = denial_records(response.authorities);
    auto store = [&](const std::vector<wire::Record>& records, Trust trust) {
        for (const auto& rrset : signed_rrsets(response, records, trust, c, delegation))
            store_rrset(ctx_.caches, rrset, proof, cache::Verdict{});
    };
    if (with_answers) store(response.answers, aa ? Trust::kAnswerAuth : Trust::kAnswerNonAuth);
    if (c.kind == ResponseKind::kReferral) {
        store(response.authorities, Trust::kAuthorityReferral);
        cache_referral_denial(response, c.referral_zone);
    } else {
        store(response.authorities, aa ? Trust::kAuthorityAuth : Trust::kAuthorityReferral);
    }
    store(response.additionals, Trust::kAdditional);
}

void Iterator::cache_referral_denial(const wire::Message& response, const wire::Name& child) {
    const auto& authority = response.authorities;
    if (std::any_of(authority.begin(), authority.end(),
                    [&](const wire::Record& r) { return r.type == RRType::DS; }))
        return;
    auto proof = denial_records(authority);
    if (proof.empty()) return;
    // No SOA comes with a referral: the proof's own TTL bounds it
    // (RFC 9077), and validation decides what it shows.
    uint32_t ttl = UINT32_MAX;
    for (const auto& r : proof)
        ttl = std::min(ttl, r.ttl);
    if (ctx_.caches.negatives.lookup(child, RRType::DS)) return;
    ctx_.caches.negatives.insert(wire::Rcode::NOERROR, child, RRType::DS, proof, ttl,
                                 cache::Security::kIndeterminate);
}

void Iterator::negative_result(const wire::Message& response, LookupResult& result) {
    const wire::Record* soa = nullptr;
    for (const auto& r : response.authorities)
        if (r.type == RRType::SOA) soa = &r;
    for (const auto& r : response.authorities)
        if (r.type != RRType::NS) result.authority.push_back(r);
    // RFC 2308 §5: negative TTL = min(SOA TTL, SOA MINIMUM); without a SOA
    // the answer is not cached.
    if (!soa) return;
    auto data = wire::SoaData::from(soa->rdata);
    const uint32_t ttl = data ? std::min(soa->ttl, data->minimum) : 0;
    for (auto& r : result.authority)
        if (r.type == RRType::SOA) r.ttl = ttl;
    result.negative_ttl = ttl;
}

bool Iterator::known_no_cut(const wire::Question& step) const {
    if (ctx_.caches.negatives.lookup(step.name, step.type)) return true;
    auto positive = ctx_.caches.rrsets.peek(step.name, step.type, step.rclass);
    return positive && positive->trust >= cache::Trust::kAnswerNonAuth;
}

LookupResult Iterator::final_result(const wire::Message& response, const wire::Question& question,
                                    const Classification& c, const Delegation& delegation) {
    LookupResult result;
    result.kind = c.kind;
    if (c.kind == ResponseKind::kNxdomain || c.kind == ResponseKind::kNodata) {
        negative_result(response, result);
        return result;
    }
    if (c.kind != ResponseKind::kAnswer && c.kind != ResponseKind::kCname &&
        c.kind != ResponseKind::kDname)
        return result;
    result.proof = denial_records(response.authorities);
    const auto trust =
        response.header.aa ? cache::Trust::kAnswerAuth : cache::Trust::kAnswerNonAuth;
    auto rrsets = signed_rrsets(response, response.answers, trust, c, delegation);
    // In the chain's order: the resolver follows it from the first link.
    for (const auto& link : answer_chain(response.answers, question))
        for (auto& rrset : rrsets)
            if (!rrset.rrset.rdatas.empty() && rrset.rrset.owner == link.owner &&
                rrset.rrset.type == link.type)
                result.answer.push_back(std::exchange(rrset, SignedRRset{}));
    return result;
}

namespace {

std::string key_fetch_key(const wire::Name& zone) {
    return zone.lowercased().to_text();
}

// The background half of Iterator::fetch_keys_early: its own budget, as a
// request of its own; what it finds is cached unvalidated (the validator
// that needs the keys judges them) and handed to whoever waits.
asio::awaitable<void> fetch_keys(ResolverContext& ctx, wire::Name zone, std::string key,
                                 std::shared_ptr<InflightTable<LookupResult>::Entry> entry) {
    const wire::Question question{zone, RRType::DNSKEY, wire::RRClass::IN};
    RequestBudget budget;
    budget.deadline = ctx.monotonic.now() + ctx.options.limits.resolution_timeout;
    LookupResult result;
    try {
        Iterator iterator(ctx, budget);
        result = co_await iterator.lookup(question);
        store_unvalidated(ctx.caches, question, result);
    } catch (const std::exception& e) {
        // Waiters must never hang on a fetch that died.
        result = LookupResult::failure(FailureCause::kUnreachable, ExtendedErrorCode::kOther,
                                       std::string("DNSKEY fetch failed: ") + e.what());
    }
    ctx.key_fetches.keep(key, result, ctx.monotonic.now());
    ctx.key_fetches.running.finish(key, entry, result);
}

}  // namespace

bool Iterator::zone_signed(const wire::Name& zone) const {
    if (ctx_.options.dnssec.anchors.find(zone) != nullptr) return true;
    auto ds = ctx_.caches.rrsets.peek(zone, RRType::DS);
    if (!ds) return false;
    // A DS set none of whose records Cairn can use makes the zone insecure
    // (RFC 4035 §5.2): its keys would go unused.
    return std::any_of(ds->rrset.rdatas.begin(), ds->rrset.rdatas.end(), [](const auto& rdata) {
        auto d = wire::DsData::from(rdata);
        return d && dnssec::algorithm_supported(d->algorithm) &&
               dnssec::digest_supported(d->digest_type);
    });
}

void Iterator::fetch_keys_early(const wire::Name& zone, const wire::Question& question,
                                const asio::any_io_executor& executor) {
    const auto& dnssec = ctx_.options.dnssec;
    // A traced request (cairnctl trace) does its own fetches, so that each
    // shows in its trace where it happens.
    if (!dnssec.enabled || !budget_.validating || budget_.trace != nullptr) return;
    if (question.type == RRType::DNSKEY && question.name == zone) return;
    if (std::any_of(dnssec.negative_trust_anchors.begin(), dnssec.negative_trust_anchors.end(),
                    [&](const wire::Name& nta) { return zone.is_subdomain_of(nta); }))
        return;
    if (ctx_.caches.keys.lookup(zone)) return;
    if (ctx_.caches.rrsets.peek(zone, RRType::DNSKEY)) return;
    if (!zone_signed(zone)) return;
    auto key = key_fetch_key(zone);
    if (ctx_.key_fetches.running.find(key)) return;
    auto entry = ctx_.key_fetches.running.start(key);
    ++ctx_.metrics.early_key_fetches;
    asio::co_spawn(executor, fetch_keys(ctx_, zone, std::move(key), std::move(entry)),
                   asio::detached);
}

asio::awaitable<std::optional<LookupResult>> Iterator::take_early_keys(ResolverContext& context,
                                                                       const wire::Name& zone) {
    const auto key = key_fetch_key(zone);
    if (auto running = context.key_fetches.running.find(key)) {
        ++context.metrics.early_key_fetch_joins;
        co_await InflightTable<LookupResult>::wait(running);
    }
    co_return context.key_fetches.take(key, context.monotonic.now());
}

namespace {

// Root servers probed at start: how many are still out, and the prime_root
// that waits for the first of them to answer (null once it stopped waiting).
struct RootProbes {
    size_t outstanding = 0;
    asio::steady_timer* waiter = nullptr;
};

asio::awaitable<void> probe_root(ResolverContext& ctx, UpstreamQuery query,
                                 std::shared_ptr<RootProbes> probes) {
    try {
        auto reply = co_await ctx.upstream.exchange(query);
        const auto now = ctx.monotonic.now();
        if (reply.status == UpstreamStatus::kOk)
            ctx.caches.infra.record_rtt(query.server.address, reply.rtt, now);
        else
            ctx.caches.infra.record_timeout(query.server.address, now);
    } catch (const std::exception&) {
        // A probe that fails teaches nothing; priming goes on without it.
    }
    --probes->outstanding;
    if (probes->waiter) probes->waiter->cancel();
}

}  // namespace

asio::awaitable<void> Iterator::prime_root() {
    if (ctx_.caches.rrsets.peek(wire::Name::root(), RRType::NS)) co_return;
    auto hints = delegation_from_hints();
    std::vector<wire::IpAddress> chosen;
    while (chosen.size() < kRootProbes) {
        auto address = ctx_.selector.choose(hints, chosen, ctx_.monotonic.now());
        if (!address) break;
        chosen.push_back(*address);
    }
    const auto executor = co_await asio::this_coro::executor;
    auto probes = std::make_shared<RootProbes>();
    probes->outstanding = chosen.size();
    for (const auto& address : chosen) {
        UpstreamQuery query;
        query.server = wire::SocketAddress{address, 53};
        query.question = {wire::Name::root(), RRType::NS, wire::RRClass::IN};
        query.edns_udp_size = ctx_.options.edns_buffer_size;
        query.dnssec_ok = true;
        query.timeout = ctx_.options.initial_timeout;
        ++budget_.upstream_queries;
        asio::co_spawn(executor, probe_root(ctx_, query, probes), asio::detached);
    }
    // The first answer is enough to know where to ask; later ones still
    // have their round trips recorded when they come.
    asio::steady_timer timer(executor, ctx_.options.initial_timeout);
    const size_t before = probes->outstanding;
    probes->waiter = &timer;
    while (probes->outstanding == before && before > 0) {
        std::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) break;  // the timeout, not a probe
    }
    probes->waiter = nullptr;
    co_await root_delegation();
}

asio::awaitable<LookupResult> Iterator::lookup(const wire::Question& question) {
    // DS lives in the parent zone (RFC 4035 §3.1.4.1): start above the name.
    const wire::Name start = question.type == RRType::DS && !question.name.is_root()
                                 ? question.name.parent()
                                 : question.name;
    if (auto forwarded = co_await forward_lookup(question, start)) co_return std::move(*forwarded);
    auto delegation = co_await closest_delegation(start);
    if (!delegation)
        co_return LookupResult::failure(FailureCause::kUnreachable,
                                        ExtendedErrorCode::kNoReachableAuthority,
                                        "no root server reachable");
    note(budget_.trace, [&] { return trace::Start{delegation->zone, !delegation->from_hints}; });
    const auto executor = co_await asio::this_coro::executor;
    bool minimise = ctx_.options.qname_minimisation;
    size_t labels_beyond = 1;
    uint32_t referrals = 0;
    for (;;) {
        const auto ask =
            minimise ? minimised_question(question, delegation->zone, labels_beyond) : question;
        const bool minimised = !(ask == question);
        if (minimised && known_no_cut(ask)) {
            // An earlier step already learnt this name is no zone cut.
            ++labels_beyond;
            continue;
        }
        fetch_keys_early(delegation->zone, question, executor);
        LookupResult failure;
        auto zone_reply = co_await query_zone(*delegation, ask, minimised, failure);
        if (!zone_reply) {
            if (minimised && failure.cause == FailureCause::kRefused) {
                minimise = false;  // RFC 9156 §2.3: broken servers; ask in full
                continue;
            }
            co_return failure;
        }
        const auto& response = zone_reply->reply.message;
        const auto& c = zone_reply->classification;
        if (c.kind == ResponseKind::kEmpty) {
            minimise = false;  // RFC 9156 §2.3: the server mishandles the step
            continue;
        }
        const bool final_answer = !minimised && c.kind != ResponseKind::kReferral;
        cache_response(response, c, *delegation, !final_answer);
        if (c.kind == ResponseKind::kReferral) {
            if (++referrals > ctx_.options.limits.max_referral_depth) {
                ++ctx_.metrics.limit_referral_depth;
                co_return LookupResult::failure(
                    FailureCause::kLimit, ExtendedErrorCode::kOther,
                    limit_text("max-referral-depth", ctx_.options.limits.max_referral_depth));
            }
            delegation = delegation_from_referral(response, c.referral_zone);
            labels_beyond = 1;
            continue;
        }
        if (minimised) {
            if (c.kind == ResponseKind::kAnswer || c.kind == ResponseKind::kNodata) {
                // No zone cut at this name: one label more. Remembering the
                // NODATA lets later lookups below it skip this step.
                if (c.kind == ResponseKind::kNodata) {
                    LookupResult nodata;
                    nodata.kind = c.kind;
                    negative_result(response, nodata);
                    store_negative(ctx_.caches, ask, nodata, cache::Verdict{});
                }
                ++labels_beyond;
            } else {
                // NXDOMAIN, CNAME or DNAME for a shortened name: some servers
                // get empty non-terminals wrong, so ask the full question
                // rather than trust it (RFC 9156 §2.3).
                minimise = false;
            }
            continue;
        }
        auto result = final_result(response, question, c, *delegation);
        result.zone = delegation->zone;
        result.server = zone_reply->server;
        co_return result;
    }
}

}  // namespace cairn::resolve
