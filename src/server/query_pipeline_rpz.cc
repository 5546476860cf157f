// Response policy zones in the request pipeline (DESIGN.md "The data path",
// step 2, and after step 4).
//
// Before the packet cache: the client-IP and QNAME triggers. A hit answers
// at once (NXDOMAIN, NODATA, local data, TC=1 for tcp-only over UDP, nothing
// for drop), or after resolving a local-data CNAME's target. Two cases
// resolve the query first and decide after: zones before the hit's have
// response triggers (they take precedence), or the client set DO and
// `rpz-break-dnssec` is off (a secure answer then passes unchanged, as
// BIND does by default). Without policy zones all this is one branch.
//
// After resolving: the response-IP trigger on the answer's A/AAAA records,
// and NSDNAME/NSIP on the name servers of the closest zone cut above the
// answer as the RRset cache holds them. Only answers no rule touched go
// into the packet cache, and each worker empties its packet cache when
// the policy changes, so a cached answer never outlives the rule that
// would now block it.
#include <spdlog/spdlog.h>

#include "observe/log_limit.h"
#include "server/query_pipeline.h"
#include "server/rpz_answer.h"
#include "wire/message.h"

namespace cairn::server {
namespace {

using policy::RpzAction;
using policy::RpzHit;
using wire::Rcode;

observe::LogLimit g_hit_log(120);

bool asked_dnssec(const AnswerShape& shape) {
    return shape.edns.present && shape.edns.dnssec_ok;
}

}  // namespace

template <class Check>
std::optional<RpzHit> QueryPipeline::first_applied(const RpzPolicy& rpz, Check check,
                                                   const wire::Question& question,
                                                   const net::Peer& peer) {
    auto hit = check(size_t{0});
    while (hit && hit->disabled) {
        note_hit(rpz, *hit, question, peer);
        hit = check(hit->zone_index + 1);
    }
    return hit;
}

void QueryPipeline::note_hit(const RpzPolicy& rpz, const RpzHit& hit,
                             const wire::Question& question, const net::Peer& peer) {
    if (hit.zone_index < rpz.counters.size()) {
        auto& counters = *rpz.counters[hit.zone_index];
        if (hit.disabled)
            counters.disabled_hits.fetch_add(1, std::memory_order_relaxed);
        else
            counters.hits[static_cast<size_t>(hit.trigger)][static_cast<size_t>(hit.action)]
                .fetch_add(1, std::memory_order_relaxed);
    }
    if (!hit.zone->settings().log) return;
    const auto held = g_hit_log.admit();
    if (!held) return;
    const auto client = observe::show_client_address(peer.address.address,
                                                     settings_.client_addresses, clock_.now());
    spdlog::info("rpz: {} {} from {}: {} {} by {} rule {} in {}{}", question.name.to_text(),
                 wire::to_string(question.type), client.to_string(),
                 hit.disabled ? "would be (policy disabled)" : "answered",
                 policy::to_string(hit.action), policy::to_string(hit.trigger),
                 hit.rule->owner.to_text(), hit.zone->settings().name.to_text(),
                 observe::held_back(*held));
}

size_t QueryPipeline::answer_notify(const Outgoing& to, std::span<uint8_t> response) {
    const wire::Question& question = *to.question;
    if (!rpz_->may_notify(question.name, to.peer.address.address))
        return answer_error(to, Rcode::REFUSED, wire::ExtendedErrorCode::kProhibited, response);
    if (rpz_->refresh) rpz_->refresh(question.name);
    // RFC 1996 §4.7: the reply echoes the question, with QR=1 and AA=1.
    wire::Header header = to.query;
    header.qr = true;
    header.aa = true;
    header.tc = false;
    header.ra = false;
    header.rcode = 0;
    wire::MessageBuilder builder(response, std::min<size_t>(response.size(), 512));
    if (!builder.begin(header) || !builder.add_question(question)) return 0;
    return release(to, 0, response, builder.finish().size());
}

std::optional<size_t> QueryPipeline::policy_before(const Outgoing& to, std::span<uint8_t> response,
                                                   PolicyStep& step) {
    const RpzPolicy& rpz = *rpz_;
    if (rpz.set.empty()) return std::nullopt;
    const wire::Question& question = *to.question;
    const auto& client = to.peer.address.address;
    const auto hit = first_applied(
        rpz, [&](size_t from) { return rpz.set.check_query(client, question.name, from); },
        question, to.peer);
    if (!hit) return std::nullopt;
    const bool tcp = to.peer.transport == net::Transport::kTcp;
    switch (hit->action) {
        case RpzAction::kPassthru:
            note_hit(rpz, *hit, question, to.peer);
            step.response_until = hit->zone_index;
            return std::nullopt;
        case RpzAction::kDrop: note_hit(rpz, *hit, question, to.peer); return size_t{0};
        case RpzAction::kTcpOnly: {
            note_hit(rpz, *hit, question, to.peer);
            if (tcp) {
                step.response_until = hit->zone_index;
                return std::nullopt;
            }
            ErrorAnswer slip{to.query, &question, to.edns, Rcode::NOERROR, std::nullopt, {}, true};
            const size_t limit = std::min(response.size(), answer_limit(false, *to.edns));
            return release(to, 0, response, errors_.write(slip, response.first(limit)));
        }
        default: break;
    }
    step.hit = hit;
    const bool dnssec_ok = to.edns->present && to.edns->dnssec_ok;
    if (rpz.set.response_triggers_before(hit->zone_index) || (dnssec_ok && !rpz.break_dnssec)) {
        step.resolve_first = true;
        return std::nullopt;
    }
    note_hit(rpz, *hit, question, to.peer);
    std::optional<wire::Name> target;
    const auto answer = rpz_answer(*hit, question, target);
    // A CNAME's target is resolved on the resolver's path.
    if (target) return std::nullopt;
    const size_t limit = std::min(response.size(), answer_limit(tcp, *to.edns));
    const AnswerShape shape{to.query, question, *to.edns, limit};
    const auto shaped =
        shape_answer(shape, answer, settings_.edns_buffer_size, response.first(limit));
    return release(to, static_cast<unsigned>(shaped.rcode), response, shaped.message.size());
}

asio::awaitable<resolve::Answer> QueryPipeline::policy_answer(const RpzHit& hit,
                                                              const AnswerShape& shape) {
    std::optional<wire::Name> target;
    auto answer = rpz_answer(hit, shape.question, target);
    if (!target) co_return answer;
    resolve::ClientQuery query;
    query.question = {*target, shape.question.type, shape.question.rclass};
    query.recursion_desired = true;
    query.dnssec_ok = asked_dnssec(shape);
    query.checking_disabled = shape.query.cd;
    const auto resolved = co_await resolver_.resolve(std::move(query));
    add_target(answer, resolved);
    co_return answer;
}

asio::awaitable<QueryPipeline::PolicyEnd> QueryPipeline::policy_after(const Pending& pending,
                                                                      resolve::Answer& answer) {
    const PolicyStep& step = pending.policy;
    const RpzPolicy& rpz = *step.rpz;
    const wire::Question& question = pending.shape.question;
    // BIND's break-dnssec no: a client that can validate gets the secure
    // answer, which a rewrite would only make look like an attack.
    if (asked_dnssec(pending.shape) && !rpz.break_dnssec && answer.authentic_data)
        co_return PolicyEnd::kAnswer;
    const size_t until = step.hit ? step.hit->zone_index : step.response_until;
    std::optional<RpzHit> hit;
    if (rpz.set.response_triggers_before(until)) {
        const auto facts = rpz_facts(
            answer, question.name, rpz.set.has_nameserver_triggers() ? settings_.rrsets : nullptr);
        hit = first_applied(
            rpz, [&](size_t from) { return rpz.set.check_response(facts.view(), from, until); },
            question, pending.peer);
    }
    if (!hit) hit = step.hit;
    if (!hit) co_return co_await policy_on_chain(pending, answer, until);
    note_hit(rpz, *hit, question, pending.peer);
    switch (hit->action) {
        case RpzAction::kPassthru: co_return PolicyEnd::kAnswer;
        case RpzAction::kDrop: co_return PolicyEnd::kDrop;
        case RpzAction::kTcpOnly:
            co_return pending.peer.transport == net::Transport::kTcp ? PolicyEnd::kAnswer
                                                                     : PolicyEnd::kTruncate;
        default: break;
    }
    // Never stored: the next query may come from a client another rule covers.
    answer = co_await policy_answer(*hit, pending.shape);
    answer.cache_ttl = 0;
    co_return PolicyEnd::kAnswer;
}

// QNAME rules apply to the names a CNAME chain leads to as well (as BIND
// does): the answer keeps the chain up to the name a rule matched, and the
// rule answers for that name.
asio::awaitable<QueryPipeline::PolicyEnd> QueryPipeline::policy_on_chain(const Pending& pending,
                                                                         resolve::Answer& answer,
                                                                         size_t until) {
    const RpzPolicy& rpz = *pending.policy.rpz;
    const wire::Question& question = pending.shape.question;
    for (const auto& target : cname_targets(answer, question.name)) {
        const auto hit = first_applied(
            rpz, [&](size_t from) { return rpz.set.check_name(target, from, until); }, question,
            pending.peer);
        if (!hit) continue;
        note_hit(rpz, *hit, question, pending.peer);
        switch (hit->action) {
            case RpzAction::kPassthru: co_return PolicyEnd::kAnswer;
            case RpzAction::kDrop: co_return PolicyEnd::kDrop;
            case RpzAction::kTcpOnly:
                co_return pending.peer.transport == net::Transport::kTcp ? PolicyEnd::kAnswer
                                                                         : PolicyEnd::kTruncate;
            default: break;
        }
        AnswerShape shape = pending.shape;
        shape.question.name = target;
        answer = behind_chain(answer, target, co_await policy_answer(*hit, shape));
        answer.cache_ttl = 0;
        co_return PolicyEnd::kAnswer;
    }
    co_return PolicyEnd::kAnswer;
}

}  // namespace cairn::server
