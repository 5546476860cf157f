#include "resolve/aggressive_nsec.h"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "dnssec/denial.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {
namespace {

using cache::IndexedNsec3;
using cache::IndexedRef;
using cache::Nsec3Hash;
using wire::Name;
using wire::RRType;
using Kind = Synthesised::Kind;

// The records a proof rests on, each once: one record may deny two names.
// At most three (RFC 5155 §7.2.2: closest encloser, next closer, wildcard).
class ProofRecords {
public:
    ProofRecords(std::initializer_list<IndexedRef> records) {
        for (const auto& r : records)
            if (std::find(begin(), end(), r) == end()) records_[size_++] = r;
    }
    const IndexedRef* begin() const { return records_.data(); }
    const IndexedRef* end() const { return records_.data() + size_; }

private:
    std::array<IndexedRef, 3> records_;
    size_t size_ = 0;
};

// What the index offers for the question, before the proof.
struct Plan {
    dnssec::DenialGoal goal;
    Kind kind;
    ProofRecords proof;
    std::optional<Name> wildcard_parent;       // kWildcard: the closest encloser
    std::optional<cache::CachedRRset> answer;  // kWildcard: the wildcard's RRset
};

Plan negative(dnssec::DenialGoal goal, ProofRecords proof) {
    const Kind kind = goal == dnssec::DenialGoal::kNxdomain ? Kind::kNxdomain : Kind::kNodata;
    return Plan{goal, kind, proof, std::nullopt, std::nullopt};
}

std::optional<Name> wildcard_at(const Name& name) {
    static constexpr std::array<uint8_t, 1> kStar{'*'};
    auto wildcard = name.prepend(kStar);
    if (!wildcard) return std::nullopt;
    return *wildcard;
}

// RRSIG RDATA starts with type covered (2 octets), algorithm (1), labels (1).
std::optional<uint8_t> rrsig_labels(const wire::RData& rrsig) {
    if (rrsig.size() < 4) return std::nullopt;
    return rrsig.bytes()[3];
}

// The wildcard's expansion for the question, if the cache holds the
// wildcard's RRset of the type asked, or else its CNAME (which answers any
// type, RFC 1034 §4.3.2), as Secure, signed as the wildcard at `encloser`
// itself (RRSIG labels count the encloser's labels, RFC 4034 §3.1.3)
// rather than as the expansion of one further up.
std::optional<Plan> wildcard_answer(const cache::RRsetCache& rrsets, const wire::Question& q,
                                    const Name& wildcard, const Name& encloser,
                                    ProofRecords proof) {
    auto cached = rrsets.lookup(wildcard, q.type);
    if (!cached && q.type != RRType::CNAME) cached = rrsets.lookup(wildcard, RRType::CNAME);
    if (!cached || cached->security != cache::Security::kSecure || cached->signatures.empty())
        return std::nullopt;
    for (const auto& sig : cached->signatures)
        if (rrsig_labels(sig) != encloser.label_count()) return std::nullopt;
    return Plan{dnssec::DenialGoal::kWildcardAnswer, Kind::kWildcard, proof, encloser,
                std::move(cached)};
}

// The wildcard at the closest encloser exists with `types`: its expansion
// answers (its CNAME for any type), or it lacks the type and so does the
// name (RFC 4035 §3.1.3.4).
std::optional<Plan> from_wildcard(const wire::TypeBitmap& types, const cache::RRsetCache& rrsets,
                                  const wire::Question& q, const Name& wildcard,
                                  const Name& encloser, ProofRecords answer_proof,
                                  ProofRecords nodata_proof) {
    if (types.contains(q.type) || types.contains(RRType::CNAME))
        return wildcard_answer(rrsets, q, wildcard, encloser, answer_proof);
    return negative(dnssec::DenialGoal::kNodata, nodata_proof);
}

// RFC 4035 §5.4 with the records the index holds: `at_name` is the NSEC at
// or before qname.
std::optional<Plan> plan_nsec(const cache::DenialIndex& index, const cache::RRsetCache& rrsets,
                              const wire::Question& q, const Name& zone,
                              const IndexedRef& at_name) {
    const wire::Record& nsec = at_name->record;
    if (nsec.owner == q.name) return negative(dnssec::DenialGoal::kNodata, {at_name});
    auto data = wire::NsecData::from(nsec.rdata);
    if (!data || !dnssec::nsec_covers(nsec, q.name)) return std::nullopt;
    // A name below qname exists: qname is an empty non-terminal.
    if (data->next.is_subdomain_of(q.name)) return negative(dnssec::DenialGoal::kNodata, {at_name});
    // Nothing exists between the owner and the next name, so the deepest
    // existing ancestor of qname is the longest one it shares with either.
    const Name encloser =
        q.name.suffix(std::max(q.name.common_labels(nsec.owner), q.name.common_labels(data->next)));
    auto wildcard = wildcard_at(encloser);
    if (!wildcard) return std::nullopt;
    IndexedRef source = index.nsec_at_or_before(zone, *wildcard);
    if (source && source->record.owner == *wildcard) {
        auto types = wire::NsecData::from(source->record.rdata);
        if (!types) return std::nullopt;
        return from_wildcard(types->types, rrsets, q, *wildcard, encloser, {at_name},
                             {at_name, source});
    }
    if (source && dnssec::nsec_covers(source->record, *wildcard))
        return negative(dnssec::DenialGoal::kNxdomain, {at_name, source});
    // The wildcard's own NSEC is not held; a Secure RRset under it proves
    // it exists all the same.
    return wildcard_answer(rrsets, q, *wildcard, encloser, {at_name});
}

// Hashes names with the zone's parameters, each hash spent from the
// request's budget (CVE-2023-50868).
class Hasher {
public:
    Hasher(const cache::Nsec3Params& params, const dnssec::ValidationLimits& limits,
           dnssec::WorkCounter& work)
        : params_(params), limits_(limits), work_(work) {}

    std::optional<Nsec3Hash> operator()(const Name& name) {
        if (work_.nsec3_hashes >= limits_.max_nsec3_hashes) return std::nullopt;
        ++work_.nsec3_hashes;
        const auto digest = dnssec::nsec3_hash(name, params_.salt, params_.iterations);
        Nsec3Hash hash;
        if (digest.size() != hash.size()) return std::nullopt;
        std::copy(digest.begin(), digest.end(), hash.begin());
        return hash;
    }

private:
    const cache::Nsec3Params& params_;
    const dnssec::ValidationLimits& limits_;
    dnssec::WorkCounter& work_;
};

// owner < hash < next, the last record of the chain wrapping to the first.
bool covers(const IndexedNsec3& r, const Nsec3Hash& hash) {
    if (r.owner < r.next) return r.owner < hash && hash < r.next;
    return r.owner < hash || hash < r.next;
}

// The plan once the closest encloser is known: `encloser` (matched by
// `match`) exists, the next closer name below it does not (`cover`), so
// qname does not either; what remains is the wildcard at the encloser.
std::optional<Plan> from_encloser(const cache::DenialIndex& index, const cache::RRsetCache& rrsets,
                                  const wire::Question& q, const Name& zone, Hasher& hash,
                                  const Name& encloser, const IndexedNsec3& match,
                                  const IndexedNsec3& cover) {
    auto wildcard = wildcard_at(encloser);
    auto wildcard_hash = wildcard ? hash(*wildcard) : std::nullopt;
    if (!wildcard_hash) return std::nullopt;
    auto source = index.nsec3_at_or_before(zone, *wildcard_hash);
    const IndexedRef& ce = match.entry;
    const IndexedRef& nc = cover.entry;
    if (source && source->owner == *wildcard_hash) {
        auto types = wire::Nsec3Data::from(source->entry->record.rdata);
        if (!types) return std::nullopt;
        return from_wildcard(types->types, rrsets, q, *wildcard, encloser, {nc},
                             {ce, nc, source->entry});
    }
    if (source && covers(*source, *wildcard_hash)) {
        if (source->opt_out) return std::nullopt;
        return negative(dnssec::DenialGoal::kNxdomain, {ce, nc, source->entry});
    }
    return wildcard_answer(rrsets, q, *wildcard, encloser, {nc});
}

// RFC 5155 §8 with the records the index holds: the closest encloser is
// the first ancestor of qname, walking up, that a record matches, and the
// name one label below it (the next closer name) must be covered. Names
// further down need no record of their own (RFC 8198 §5): they lie under
// the next closer name. Only the names between qname and the encloser are
// hashed, and the index need not know the apex or any name above the
// encloser.
std::optional<Plan> plan_nsec3(const cache::DenialIndex& index, const cache::RRsetCache& rrsets,
                               const wire::Question& q, const Name& zone,
                               const cache::Nsec3Params& params,
                               const dnssec::ValidationLimits& limits, dnssec::WorkCounter& work) {
    // RFC 9276 §3.2: such a zone is treated as unsigned; no hashing at all.
    if (params.iterations > limits.max_nsec3_iterations) return std::nullopt;
    Hasher hash(params, limits, work);
    // The cover of the name one label below the one in hand.
    std::optional<IndexedNsec3> below;
    for (size_t labels = q.name.label_count();; --labels) {
        const Name name = q.name.suffix(labels);
        auto h = hash(name);
        if (!h) return std::nullopt;
        auto r = index.nsec3_at_or_before(zone, *h);
        if (r && r->owner == *h) {
            // NODATA needs only the record matching the name itself.
            if (labels == q.name.label_count())
                return negative(dnssec::DenialGoal::kNodata, {r->entry});
            if (!below) return std::nullopt;
            return from_encloser(index, rrsets, q, zone, hash, name, *r, *below);
        }
        // Every zone's apex has a record: no ancestor is left to match.
        if (labels == zone.label_count()) return std::nullopt;
        // RFC 5155 §9.2, RFC 8198: an opt-out span may hold unsigned
        // delegations, so it proves nothing.
        below.reset();
        if (!r || r->opt_out || !covers(*r, *h)) continue;
        // A Secure wildcard RRset one label up, signed as the wildcard of
        // its parent, shows that parent exists: with this name covered, it
        // is the closest encloser (RFC 5155 §8.8) though its own record is
        // not held.
        const Name parent = q.name.suffix(labels - 1);
        if (auto wildcard = wildcard_at(parent))
            if (auto plan = wildcard_answer(rrsets, q, *wildcard, parent, {r->entry})) return plan;
        below = std::move(r);
    }
}

// The target of a CNAME RRset, if it has one that parses.
std::optional<Name> cname_target(const wire::RRset& cname) {
    if (cname.rdatas.empty()) return std::nullopt;
    auto data = wire::NameData::from(cname.rdatas.front());
    if (!data) return std::nullopt;
    return data->name;
}

void append_with_signatures(std::vector<wire::Record>& out, const cache::IndexedRecord& stored,
                            uint32_t ttl) {
    out.push_back(stored.record);
    out.back().ttl = ttl;
    for (const auto& sig : stored.signatures)
        out.push_back({stored.record.owner, RRType::RRSIG, wire::RRClass::IN, ttl, sig});
}

// The response the plan makes, if dnssec::prove_denial agrees with it.
std::optional<Synthesised> prove(const Plan& plan, const cache::DenialIndex& index,
                                 const wire::Question& q, const Name& zone, int64_t now,
                                 const dnssec::ValidationLimits& limits,
                                 dnssec::WorkCounter& work) {
    // Nothing is answered for longer than any record it rests on is live
    // (RFC 9077 §3: a negative answer also no longer than the SOA's
    // MINIMUM).
    int64_t live = UINT32_MAX;
    for (const auto& r : plan.proof)
        live = std::min(live, r->expires - now);
    if (plan.answer) live = std::min<int64_t>(live, plan.answer->rrset.ttl);
    IndexedRef soa;
    int64_t minimum = UINT32_MAX;
    if (plan.kind != Kind::kWildcard) {
        soa = index.soa(zone);
        if (!soa) return std::nullopt;
        auto data = wire::SoaData::from(soa->record.rdata);
        if (!data) return std::nullopt;
        live = std::min(live, soa->expires - now);
        minimum = data->minimum;
    }
    // A record the index still held live has expired by `now`.
    if (live <= 0) return std::nullopt;

    Synthesised out;
    out.kind = plan.kind;
    out.rcode = plan.kind == Kind::kNxdomain ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR;
    out.ttl = static_cast<uint32_t>(std::min(live, minimum));
    if (soa) append_with_signatures(out.authority, *soa, out.ttl);
    for (const auto& r : plan.proof)
        append_with_signatures(out.authority, *r, out.ttl);
    // prove_denial reads the NSEC or NSEC3 records and skips the rest.
    const auto result = dnssec::prove_denial(plan.goal, q.name, q.type, zone, out.authority,
                                             plan.wildcard_parent, limits, work);
    if (result.status != dnssec::DenialResult::Status::kProven) return std::nullopt;
    if (plan.answer) {
        const wire::RRset& rrset = plan.answer->rrset;
        if (rrset.type != q.type) {
            out.cname_target = cname_target(rrset);
            if (!out.cname_target) return std::nullopt;
        }
        for (const auto& rdata : rrset.rdatas)
            out.answers.push_back({q.name, rrset.type, wire::RRClass::IN, out.ttl, rdata});
        for (const auto& sig : plan.answer->signatures)
            out.answers.push_back({q.name, RRType::RRSIG, wire::RRClass::IN, out.ttl, sig});
    }
    return out;
}

}  // namespace

std::optional<Synthesised> synthesise(const cache::DenialIndex& index,
                                      const cache::RRsetCache& rrsets,
                                      const wire::Question& question, int64_t now,
                                      const dnssec::ValidationLimits& limits,
                                      dnssec::WorkCounter& work) {
    // A bitmap says nothing about meta-types such as ANY.
    if (question.rclass != wire::RRClass::IN || wire::is_meta_type(question.type))
        return std::nullopt;
    // The DS of a zone cut is the parent zone's to deny.
    const bool parent_side = question.type == RRType::DS && !question.name.is_root();
    const auto zone = index.zone_for(parent_side ? question.name.parent() : question.name);
    if (!zone) return std::nullopt;
    std::optional<Plan> plan;
    if (IndexedRef nsec = index.nsec_at_or_before(*zone, question.name))
        plan = plan_nsec(index, rrsets, question, *zone, nsec);
    else if (auto params = index.nsec3_params(*zone))
        plan = plan_nsec3(index, rrsets, question, *zone, *params, limits, work);
    if (!plan) return std::nullopt;
    return prove(*plan, index, question, *zone, now, limits, work);
}

}  // namespace cairn::resolve
