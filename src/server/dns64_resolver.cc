#include "server/dns64_resolver.h"

#include <algorithm>
#include <utility>

#include "wire/typed_rdata.h"

namespace cairn::server {

namespace {

void count(std::atomic<uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
}

uint32_t lowest_ttl(const std::vector<wire::Record>& records, uint32_t ceiling) {
    uint32_t lowest = ceiling;
    for (const auto& record : records)
        lowest = std::min(lowest, record.ttl);
    return lowest;
}

}  // namespace

Dns64Resolver::Dns64Resolver(std::unique_ptr<resolve::Resolver> inner, policy::Dns64 dns64)
    : inner_(std::move(inner)), dns64_(std::move(dns64)) {}

asio::awaitable<resolve::Answer> Dns64Resolver::resolve(resolve::ClientQuery query) {
    co_return co_await run(std::move(query), nullptr);
}

asio::awaitable<resolve::Answer> Dns64Resolver::resolve_traced(resolve::ClientQuery query,
                                                               resolve::Trace& trace) {
    co_return co_await run(std::move(query), &trace);
}

void Dns64Resolver::share_work_slots(resolve::WorkSlots& slots) {
    inner_->share_work_slots(slots);
}

asio::awaitable<resolve::Answer> Dns64Resolver::ask(resolve::ClientQuery query,
                                                    resolve::Trace* trace) {
    if (trace) co_return co_await inner_->resolve_traced(std::move(query), *trace);
    co_return co_await inner_->resolve(std::move(query));
}

asio::awaitable<resolve::Answer> Dns64Resolver::run(resolve::ClientQuery query,
                                                    resolve::Trace* trace) {
    const auto& question = query.question;
    // §5.5: a client with DO and CD validates by itself; leave it the truth.
    const bool own_validation = query.dnssec_ok && query.checking_disabled;
    if (question.rclass != wire::RRClass::IN || own_validation)
        co_return co_await ask(std::move(query), trace);
    if (question.type == wire::RRType::AAAA)
        co_return co_await answer_aaaa(std::move(query), trace);
    if (question.type == wire::RRType::PTR) {
        if (auto target = dns64_.ptr_target(question.name))
            co_return co_await answer_ptr(std::move(query), std::move(*target), trace);
    }
    co_return co_await ask(std::move(query), trace);
}

asio::awaitable<resolve::Answer> Dns64Resolver::answer_aaaa(resolve::ClientQuery query,
                                                            resolve::Trace* trace) {
    resolve::Answer aaaa = co_await ask(query, trace);
    const policy::AaaaOutcome outcome{
        aaaa.rcode, aaaa.extended_error ? std::optional(aaaa.extended_error->code) : std::nullopt,
        aaaa.answer};
    if (!dns64_.wants_a(query.question.name, query.dnssec_ok, query.checking_disabled, outcome))
        co_return aaaa;
    resolve::ClientQuery a_query = query;
    a_query.question.type = wire::RRType::A;
    resolve::Answer a = co_await ask(std::move(a_query), trace);
    if (a.rcode != wire::Rcode::NOERROR) co_return aaaa;
    auto records = dns64_.synthesise(a.answer, policy::Dns64::ttl_cap(aaaa.authority));
    if (!records) co_return aaaa;
    count(metrics_.synthesised);
    resolve::Answer made;
    made.answer = std::move(*records);
    made.authority = std::move(a.authority);
    made.extended_error = std::move(a.extended_error);
    made.cache_ttl = std::min({aaaa.cache_ttl, a.cache_ttl, lowest_ttl(made.answer, UINT32_MAX)});
    co_return made;
}

asio::awaitable<resolve::Answer> Dns64Resolver::answer_ptr(resolve::ClientQuery query,
                                                           wire::Name target,
                                                           resolve::Trace* trace) {
    resolve::ClientQuery target_query = query;
    target_query.question.name = target;
    resolve::Answer answer = co_await ask(std::move(target_query), trace);
    if (answer.rcode != wire::Rcode::NOERROR && answer.rcode != wire::Rcode::NXDOMAIN)
        co_return answer;
    count(metrics_.ptr_synthesised);
    // The CNAME lives as long as what it leads to, within §5.1.7's bound.
    const uint32_t ttl = lowest_ttl(answer.answer, policy::Dns64::ttl_cap(answer.authority));
    wire::Record cname{query.question.name, wire::RRType::CNAME, wire::RRClass::IN, ttl,
                       wire::NameData{std::move(target)}.to_rdata()};
    answer.answer.insert(answer.answer.begin(), std::move(cname));
    answer.authentic_data = false;
    answer.cache_ttl = std::min(answer.cache_ttl, ttl);
    co_return answer;
}

}  // namespace cairn::server
