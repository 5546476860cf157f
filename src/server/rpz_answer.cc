#include "server/rpz_answer.h"

#include <algorithm>

#include "wire/typed_rdata.h"

namespace cairn::server {
namespace {

using policy::RpzAction;
using wire::RRType;

// The policy zone's SOA for a negative answer: its TTL no longer than the
// SOA's minimum (RFC 2308 §3).
wire::Record negative_soa(const policy::RpzZone& zone) {
    wire::Record soa = zone.soa();
    if (const auto data = wire::SoaData::from(soa.rdata))
        soa.ttl = std::min(soa.ttl, data->minimum);
    return soa;
}

}  // namespace

resolve::Answer rpz_answer(const policy::RpzHit& hit, const wire::Question& question,
                           std::optional<wire::Name>& cname_target) {
    resolve::Answer answer;
    answer.extended_error = wire::ExtendedErrorOption{hit.zone->settings().ede, {}};
    cname_target.reset();
    if (hit.action == RpzAction::kLocalData) {
        auto rewrite = hit.zone->rewrite(*hit.rule, question);
        answer.answer = std::move(rewrite.answer);
        cname_target = std::move(rewrite.cname_target);
    }
    if (hit.action == RpzAction::kNxdomain) answer.rcode = wire::Rcode::NXDOMAIN;
    if (answer.answer.empty()) answer.authority.push_back(negative_soa(*hit.zone));
    return answer;
}

void add_target(resolve::Answer& rewritten, const resolve::Answer& target) {
    rewritten.answer.insert(rewritten.answer.end(), target.answer.begin(), target.answer.end());
    rewritten.rcode = target.rcode;
    if (target.answer.empty())
        rewritten.authority.insert(rewritten.authority.end(), target.authority.begin(),
                                   target.authority.end());
}

std::vector<wire::Name> cname_targets(const resolve::Answer& answer, const wire::Name& qname) {
    std::vector<wire::Name> targets;
    wire::Name current = qname;
    // Bounded by the records there are: each step takes one CNAME.
    for (size_t step = 0; step < answer.answer.size(); ++step) {
        const auto next = std::find_if(
            answer.answer.begin(), answer.answer.end(),
            [&](const auto& r) { return r.type == RRType::CNAME && r.owner == current; });
        if (next == answer.answer.end()) break;
        const auto target = wire::NameData::from(next->rdata);
        if (!target) break;
        current = target->name;
        targets.push_back(current);
    }
    return targets;
}

resolve::Answer behind_chain(const resolve::Answer& original, const wire::Name& target,
                             resolve::Answer rewritten) {
    std::vector<wire::Record> records;
    for (const auto& record : original.answer) {
        if (record.owner == target) break;
        records.push_back(record);
    }
    records.insert(records.end(), rewritten.answer.begin(), rewritten.answer.end());
    rewritten.answer = std::move(records);
    return rewritten;
}

RpzFacts rpz_facts(const resolve::Answer& answer, const wire::Name& qname,
                   const cache::RRsetCache* rrsets) {
    RpzFacts facts;
    wire::Name last = qname;
    for (const auto& record : answer.answer) {
        last = record.owner;
        if (record.type != RRType::A && record.type != RRType::AAAA) continue;
        if (auto address = wire::IpAddress::from_bytes(record.rdata.bytes()))
            facts.addresses.push_back(*address);
    }
    if (!rrsets) return facts;
    // The closest zone cut at or above the answer's owner that the cache
    // knows the name servers of.
    wire::Name cut = last;
    std::optional<cache::CachedRRset> ns;
    for (;;) {
        ns = rrsets->peek(cut, RRType::NS);
        if (ns || cut.is_root()) break;
        cut = cut.parent();
    }
    if (!ns) return facts;
    for (const auto& rdata : ns->rrset.rdatas) {
        const auto name = wire::NameData::from(rdata);
        if (!name) continue;
        facts.ns_names.push_back(name->name);
        for (const RRType type : {RRType::A, RRType::AAAA}) {
            const auto addresses = rrsets->peek(name->name, type);
            if (!addresses) continue;
            for (const auto& address : addresses->rrset.rdatas)
                if (auto ip = wire::IpAddress::from_bytes(address.bytes()))
                    facts.ns_addresses.push_back(*ip);
        }
    }
    return facts;
}

}  // namespace cairn::server
