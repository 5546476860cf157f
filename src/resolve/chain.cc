#include "resolve/chain.h"

#include <algorithm>

#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using wire::RRType;

const wire::Record* find_record(std::span<const wire::Record> records, const wire::Name& owner,
                                RRType type) {
    for (const auto& r : records)
        if (r.type == type && r.owner == owner) return &r;
    return nullptr;
}

// A DNAME owned by a proper ancestor of `name` (the deepest one).
const wire::Record* redirecting_dname(std::span<const wire::Record> records,
                                      const wire::Name& name) {
    const wire::Record* found = nullptr;
    for (const auto& r : records) {
        if (r.type != RRType::DNAME || r.owner == name || !name.is_subdomain_of(r.owner)) continue;
        if (!found || r.owner.label_count() > found->owner.label_count()) found = &r;
    }
    return found;
}

}  // namespace

std::optional<wire::Name> apply_dname(const wire::Name& name, const wire::Record& dname) {
    if (name == dname.owner || !name.is_subdomain_of(dname.owner)) return std::nullopt;
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

std::vector<ChainLink> answer_chain(std::span<const wire::Record> answers,
                                    const wire::Question& question, size_t max_links) {
    std::vector<ChainLink> chain;
    wire::Name name = question.name;
    for (size_t links = 0; links <= max_links; ++links) {
        std::optional<wire::Name> next;
        if (const auto* dname = redirecting_dname(answers, name)) {
            chain.push_back({dname->owner, RRType::DNAME});
            chain.push_back({name, RRType::CNAME});
            // Asked for the CNAME: the one the DNAME implies is the answer.
            if (question.type == RRType::CNAME) break;
            next = apply_dname(name, *dname);
            if (!next) break;
        }
        if (!next) {
            if (question.type == RRType::ANY) {
                for (const auto& r : answers)
                    if (r.owner == name && r.type != RRType::RRSIG &&
                        std::find(chain.begin(), chain.end(), ChainLink{name, r.type}) ==
                            chain.end())
                        chain.push_back({name, r.type});
                break;
            }
            if (find_record(answers, name, question.type)) {
                chain.push_back({name, question.type});
                break;
            }
            const auto* cname = find_record(answers, name, RRType::CNAME);
            if (!cname || question.type == RRType::CNAME) break;
            chain.push_back({name, RRType::CNAME});
            if (auto target = wire::NameData::from(cname->rdata)) next = target->name;
        }
        if (!next) break;
        // A loop brings nothing new: stop where it closes.
        if (std::any_of(chain.begin(), chain.end(),
                        [&](const ChainLink& l) { return l.owner == *next; }))
            break;
        name = *next;
    }
    return chain;
}

bool on_chain(const wire::Record& record, std::span<const ChainLink> chain) {
    RRType type = record.type;
    if (type == RRType::RRSIG) {
        auto sig = wire::RrsigData::from(record.rdata);
        if (!sig) return false;
        type = sig->type_covered;
    }
    return std::find(chain.begin(), chain.end(), ChainLink{record.owner, type}) != chain.end();
}

namespace {

std::optional<size_t> find_rrset(std::span<const SignedRRset> rrsets, const wire::Name& owner,
                                 RRType type) {
    for (size_t i = 0; i < rrsets.size(); ++i)
        if (rrsets[i].rrset.type == type && rrsets[i].rrset.owner == owner) return i;
    return std::nullopt;
}

std::optional<size_t> redirecting_dname(std::span<const SignedRRset> rrsets,
                                        const wire::Name& name) {
    std::optional<size_t> found;
    for (size_t i = 0; i < rrsets.size(); ++i) {
        const auto& r = rrsets[i].rrset;
        if (r.type != RRType::DNAME || r.rdatas.empty() || r.owner == name ||
            !name.is_subdomain_of(r.owner))
            continue;
        if (!found || r.owner.label_count() > rrsets[*found].rrset.owner.label_count()) found = i;
    }
    return found;
}

ChainStep dname_step(const SignedRRset& dname, size_t index, const wire::Question& at) {
    ChainStep step;
    step.kind = ChainStep::Kind::kBroken;
    const wire::Record record{dname.rrset.owner, RRType::DNAME, dname.rrset.rclass, dname.rrset.ttl,
                              dname.rrset.rdatas.front()};
    auto target = apply_dname(at.name, record);
    if (!target) return step;
    step.kind = ChainStep::Kind::kDname;
    step.rrsets = {index};
    step.cname = wire::Record{at.name, RRType::CNAME, at.rclass, dname.rrset.ttl,
                              wire::NameData{*target}.to_rdata()};
    step.next = std::move(*target);
    return step;
}

}  // namespace

ChainStep chain_step(std::span<const SignedRRset> rrsets, const wire::Question& at) {
    if (auto dname = redirecting_dname(rrsets, at.name))
        return dname_step(rrsets[*dname], *dname, at);
    ChainStep step;
    for (size_t i = 0; i < rrsets.size(); ++i)
        if (rrsets[i].rrset.owner == at.name &&
            (at.type == RRType::ANY || rrsets[i].rrset.type == at.type))
            step.rrsets.push_back(i);
    if (!step.rrsets.empty()) {
        step.kind = ChainStep::Kind::kAnswer;
        return step;
    }
    const auto cname = find_rrset(rrsets, at.name, RRType::CNAME);
    if (!cname) return step;
    step.rrsets = {*cname};
    const auto& rdatas = rrsets[*cname].rrset.rdatas;
    auto target = wire::NameData::from(rdatas.empty() ? wire::RData{} : rdatas.front());
    if (!target) {
        step.kind = ChainStep::Kind::kBroken;
        return step;
    }
    step.kind = ChainStep::Kind::kCname;
    step.next = target->name;
    return step;
}

}  // namespace cairn::resolve
