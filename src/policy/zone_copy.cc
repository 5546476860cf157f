#include "policy/zone_copy.h"

#include <algorithm>

#include "wire/typed_rdata.h"

namespace cairn::policy {

namespace {

using wire::Name;
using wire::RRType;

std::optional<RRType> covered_type(const wire::RData& rrsig) {
    const auto b = rrsig.bytes();
    if (b.size() < 2) return std::nullopt;
    return static_cast<RRType>((b[0] << 8) | b[1]);
}

void append(std::vector<wire::Record>& section, const wire::RRset& rrset) {
    if (rrset.rdatas.empty()) return;
    auto records = rrset.to_records();
    section.insert(section.end(), records.begin(), records.end());
}

}  // namespace

const ZoneCopy::SignedSet* ZoneCopy::Node::find(RRType type) const {
    for (const auto& s : sets)
        if (s.data.type == type && !s.data.rdatas.empty()) return &s;
    return nullptr;
}

ZoneCopy::ZoneCopy(const Name& apex, std::span<const wire::Record> records) : apex_(apex) {
    for (const auto& r : records)
        if (r.owner.is_subdomain_of(apex_) && r.rclass == wire::RRClass::IN) add(r);
}

void ZoneCopy::add(const wire::Record& record) {
    const bool signature = record.type == RRType::RRSIG;
    std::optional<RRType> type = signature ? covered_type(record.rdata) : record.type;
    if (!type) return;
    auto& node = nodes_[record.owner];
    auto set =
        std::ranges::find_if(node.sets, [&](const SignedSet& s) { return s.data.type == *type; });
    if (set == node.sets.end()) {
        node.sets.push_back({{record.owner, *type, record.rclass, record.ttl, {}},
                             {record.owner, RRType::RRSIG, record.rclass, record.ttl, {}}});
        set = node.sets.end() - 1;
    }
    wire::RRset& target = signature ? set->signatures : set->data;
    if (target.rdatas.empty() || record.ttl < target.ttl) target.ttl = record.ttl;
    target.add(record.rdata);
}

const ZoneCopy::Nodes::value_type* ZoneCopy::cut_above(const Name& name) const {
    for (size_t labels = apex_.label_count() + 1; labels <= name.label_count(); ++labels) {
        const auto it = nodes_.find(name.suffix(labels));
        if (it != nodes_.end() && it->second.find(RRType::NS)) return &*it;
    }
    return nullptr;
}

bool ZoneCopy::dname_above(const Name& name) const {
    for (size_t labels = apex_.label_count(); labels < name.label_count(); ++labels) {
        const auto it = nodes_.find(name.suffix(labels));
        if (it != nodes_.end() && it->second.find(RRType::DNAME)) return true;
    }
    return false;
}

bool ZoneCopy::exists(const Name& name) const {
    const auto it = nodes_.lower_bound(name);
    return it != nodes_.end() && it->first.is_subdomain_of(name);
}

const ZoneCopy::SignedSet* ZoneCopy::covering_nsec(const Name& name) const {
    auto it = nodes_.lower_bound(name);
    // The greatest owner of an NSEC before `name`: names between without
    // one are glue or occluded, outside the NSEC chain.
    while (it != nodes_.begin()) {
        --it;
        const SignedSet* nsec = it->second.find(RRType::NSEC);
        if (nsec == nullptr) continue;
        const auto data = wire::NsecData::from(nsec->data.rdatas.front());
        if (!data) return nullptr;
        const bool wraps = !(it->first < data->next);  // the last NSEC points at the apex
        return wraps || name < data->next ? nsec : nullptr;
    }
    return nullptr;
}

std::optional<wire::Message> ZoneCopy::answer(const wire::Question& question) const {
    const Name& name = question.name;
    if (question.rclass != wire::RRClass::IN || !name.is_subdomain_of(apex_)) return std::nullopt;
    if (dname_above(name)) return std::nullopt;
    wire::Message response;
    response.header.qr = true;
    response.questions.push_back(question);
    response.edns = wire::Edns{};
    response.edns->dnssec_ok = true;
    if (const auto* cut = cut_above(name);
        cut && !(cut->first == name && question.type == RRType::DS))
        return referral(std::move(response), *cut);

    response.header.aa = true;
    if (const auto it = nodes_.find(name); it != nodes_.end())
        return at_node(std::move(response), name, it->second, question.type);
    if (exists(name)) return nodata(std::move(response), name);  // an empty non-terminal
    return nxdomain(std::move(response), name);
}

std::optional<wire::Message> ZoneCopy::referral(wire::Message response,
                                                const Nodes::value_type& cut) const {
    const Node& node = cut.second;
    const SignedSet* ns = node.find(RRType::NS);
    append(response.authorities, ns->data);
    // The DS RRset, or the NSEC that proves there is none (RFC 4035 §3.1.4).
    const SignedSet* proof = node.find(RRType::DS);
    if (proof == nullptr) proof = node.find(RRType::NSEC);
    if (proof != nullptr) {
        append(response.authorities, proof->data);
        append(response.authorities, proof->signatures);
    }
    add_glue(response, ns->data);
    return response;
}

std::optional<wire::Message> ZoneCopy::at_node(wire::Message response, const Name& name,
                                               const Node& node, RRType type) const {
    if (type == RRType::ANY) {
        for (const auto& s : node.sets) {
            append(response.answers, s.data);
            append(response.answers, s.signatures);
        }
        return response;
    }
    const SignedSet* set = node.find(type);
    if (set == nullptr && type != RRType::CNAME) set = node.find(RRType::CNAME);
    if (set == nullptr) return nodata(std::move(response), name);
    append(response.answers, set->data);
    append(response.answers, set->signatures);
    if (type == RRType::NS) add_glue(response, set->data);
    return response;
}

std::optional<wire::Message> ZoneCopy::nodata(wire::Message response, const Name& name) const {
    const auto it = nodes_.find(name);
    const SignedSet* nsec =
        it != nodes_.end() ? it->second.find(RRType::NSEC) : covering_nsec(name);
    if (nsec == nullptr) return std::nullopt;
    add_soa(response);
    append(response.authorities, nsec->data);
    append(response.authorities, nsec->signatures);
    return response;
}

std::optional<wire::Message> ZoneCopy::nxdomain(wire::Message response, const Name& name) const {
    Name encloser = name.parent();
    while (!exists(encloser))
        encloser = encloser.parent();
    static constexpr uint8_t kStar[] = {'*'};
    const auto wildcard = encloser.prepend(kStar);
    if (!wildcard || nodes_.contains(*wildcard)) return std::nullopt;
    const SignedSet* name_proof = covering_nsec(name);
    const SignedSet* wildcard_proof = covering_nsec(*wildcard);
    if (name_proof == nullptr || wildcard_proof == nullptr) return std::nullopt;
    response.set_rcode(wire::Rcode::NXDOMAIN);
    add_soa(response);
    append(response.authorities, name_proof->data);
    append(response.authorities, name_proof->signatures);
    if (wildcard_proof != name_proof) {
        append(response.authorities, wildcard_proof->data);
        append(response.authorities, wildcard_proof->signatures);
    }
    return response;
}

void ZoneCopy::add_soa(wire::Message& response) const {
    const auto it = nodes_.find(apex_);
    const SignedSet* soa = it != nodes_.end() ? it->second.find(RRType::SOA) : nullptr;
    if (soa == nullptr) return;
    wire::RRset data = soa->data;
    if (const auto fields = wire::SoaData::from(data.rdatas.front()))
        data.ttl = std::min(data.ttl, fields->minimum);
    append(response.authorities, data);
    append(response.authorities, soa->signatures);
}

void ZoneCopy::add_glue(wire::Message& response, const wire::RRset& ns) const {
    for (const auto& rdata : ns.rdatas) {
        const auto target = wire::NameData::from(rdata);
        if (!target) continue;
        const auto it = nodes_.find(target->name);
        if (it == nodes_.end()) continue;
        for (RRType type : {RRType::A, RRType::AAAA})
            if (const SignedSet* address = it->second.find(type))
                append(response.additionals, address->data);
    }
}

}  // namespace cairn::policy
