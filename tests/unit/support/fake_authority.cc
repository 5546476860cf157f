#include "support/fake_authority.h"

#include <algorithm>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "dnssec/denial.h"
#include "wire/typed_rdata.h"

namespace cairn::testing {

using wire::Record;
using wire::RRType;

FakeZone make_zone(std::string_view origin, std::string_view text) {
    auto name = *wire::Name::from_text(origin);
    auto records = wire::read_zone(text, name, origin);
    if (!records) throw std::runtime_error(records.error().message);
    return FakeZone{name, std::move(*records)};
}

namespace {

std::vector<Record> find(const FakeZone& zone, const wire::Name& owner, RRType type) {
    std::vector<Record> out;
    for (const auto& r : zone.records)
        if (r.owner == owner && r.type == type) out.push_back(r);
    return out;
}

bool name_exists(const FakeZone& zone, const wire::Name& name) {
    return std::any_of(zone.records.begin(), zone.records.end(),
                       [&](const Record& r) { return r.owner.is_subdomain_of(name); });
}

void add_glue(const FakeZone& zone, const std::vector<Record>& ns, wire::Message& m) {
    for (const auto& r : ns) {
        auto target = wire::NameData::from(r.rdata);
        if (!target || !target->name.is_subdomain_of(zone.origin)) continue;
        for (RRType t : {RRType::A, RRType::AAAA})
            for (auto& g : find(zone, target->name, t))
                m.additionals.push_back(g);
    }
}

// A zone holding signatures is served the way a signing server answers a
// DO query: every RRset with its RRSIGs, negative answers with their NSEC
// proofs (RFC 4035 §3.1).
bool is_signed(const FakeZone& zone) {
    return std::any_of(zone.records.begin(), zone.records.end(),
                       [](const Record& r) { return r.type == RRType::RRSIG; });
}

// RRSIG records at `owner` covering `type`.
std::vector<Record> signatures(const FakeZone& zone, const wire::Name& owner, RRType type) {
    std::vector<Record> out;
    for (const auto& r : zone.records) {
        if (r.type != RRType::RRSIG || r.owner != owner) continue;
        auto sig = wire::RrsigData::from(r.rdata);
        if (sig && sig->type_covered == type) out.push_back(r);
    }
    return out;
}

void append_once(std::vector<Record>& section, const Record& r) {
    if (std::find(section.begin(), section.end(), r) == section.end()) section.push_back(r);
}

// Appends `rrset` and the RRSIGs covering it.
void append_signed(const FakeZone& zone, std::vector<Record>& section,
                   const std::vector<Record>& rrset) {
    for (const auto& r : rrset)
        append_once(section, r);
    if (rrset.empty()) return;
    for (const auto& sig : signatures(zone, rrset.front().owner, rrset.front().type))
        append_once(section, sig);
}

// The NSEC record owned by `name` or, when there is none, the one whose
// span covers it, with its RRSIG.
void append_nsec_for(const FakeZone& zone, const wire::Name& name, std::vector<Record>& section) {
    for (const auto& r : zone.records)
        if (r.type == RRType::NSEC && (r.owner == name || dnssec::nsec_covers(r, name)))
            append_signed(zone, section, {r});
}

// The deepest existing ancestor of `name` (RFC 4592 §3.3.1).
wire::Name closest_encloser(const FakeZone& zone, const wire::Name& name) {
    wire::Name encloser = name;
    while (encloser != zone.origin && !name_exists(zone, encloser))
        encloser = encloser.parent();
    return encloser;
}

std::optional<wire::Name> wildcard_at(const wire::Name& name) {
    static constexpr uint8_t kStar[] = {'*'};
    auto wildcard = name.prepend(kStar);
    if (!wildcard) return std::nullopt;
    return *wildcard;
}

// `records` (and their RRSIGs) rewritten to `owner`: a wildcard expansion.
// The RRSIG's labels field still says where it came from (RFC 4035 §5.3.4).
std::vector<Record> expand(std::vector<Record> records, const wire::Name& owner) {
    for (auto& r : records)
        r.owner = owner;
    return records;
}

void negative_answer(const FakeZone& zone, const wire::Name& qname, bool nxdomain,
                     wire::Message& m) {
    append_signed(zone, m.authorities, find(zone, zone.origin, RRType::SOA));
    if (nxdomain) m.header.rcode = static_cast<uint8_t>(wire::Rcode::NXDOMAIN);
    if (!is_signed(zone)) return;
    append_nsec_for(zone, qname, m.authorities);
    if (!nxdomain) return;
    // No wildcard could have answered either (RFC 4035 §3.1.3.2).
    if (auto wildcard = wildcard_at(closest_encloser(zone, qname)))
        append_nsec_for(zone, *wildcard, m.authorities);
}

// RFC 4592: a name that does not exist, answered from the wildcard at its
// closest encloser. False when there is no such wildcard.
bool wildcard_answer(const FakeZone& zone, const wire::Question& question, wire::Message& m) {
    const auto wildcard = wildcard_at(closest_encloser(zone, question.name));
    if (!wildcard || !name_exists(zone, *wildcard)) return false;
    for (RRType type : {question.type, RRType::CNAME}) {
        auto records = find(zone, *wildcard, type);
        if (records.empty()) continue;
        m.answers = expand(records, question.name);
        for (auto& sig : expand(signatures(zone, *wildcard, type), question.name))
            m.answers.push_back(std::move(sig));
        // The name itself does not exist (RFC 4035 §3.1.3.3).
        if (is_signed(zone)) append_nsec_for(zone, question.name, m.authorities);
        return true;
    }
    // Wildcard NODATA (RFC 4035 §3.1.3.4): the name does not exist, and the
    // wildcard has no such type.
    negative_answer(zone, question.name, false, m);
    if (is_signed(zone)) append_nsec_for(zone, *wildcard, m.authorities);
    return true;
}

}  // namespace

wire::Message authoritative_answer(const FakeZone& zone, const wire::Question& question) {
    wire::Message m;
    m.header.qr = true;
    m.questions.push_back(question);
    const auto& qname = question.name;
    if (!qname.is_subdomain_of(zone.origin)) {
        m.header.rcode = static_cast<uint8_t>(wire::Rcode::REFUSED);
        return m;
    }
    // A delegation between the origin and the name (not at the origin).
    for (size_t labels = zone.origin.label_count() + 1; labels <= qname.label_count(); ++labels) {
        const auto cut = qname.suffix(labels);
        auto ns = find(zone, cut, RRType::NS);
        if (ns.empty()) continue;
        if (cut == qname && question.type == RRType::DS) break;  // the parent answers DS
        m.authorities = ns;
        // Whether the child is signed: its DS RRset, or the NSEC of the cut
        // showing there is none (RFC 4035 §3.1.4).
        if (is_signed(zone)) {
            auto ds = find(zone, cut, RRType::DS);
            append_signed(zone, m.authorities, ds.empty() ? find(zone, cut, RRType::NSEC) : ds);
        }
        add_glue(zone, ns, m);
        return m;
    }
    m.header.aa = true;
    // A DNAME at an ancestor redirects the whole subtree (RFC 6672 §3.1).
    for (size_t labels = zone.origin.label_count(); labels < qname.label_count(); ++labels) {
        auto dname = find(zone, qname.suffix(labels), RRType::DNAME);
        if (dname.empty()) continue;
        append_signed(zone, m.answers, dname);
        return m;
    }
    auto exact = find(zone, qname, question.type);
    if (!exact.empty()) {
        append_signed(zone, m.answers, exact);
        return m;
    }
    auto cname = find(zone, qname, RRType::CNAME);
    if (!cname.empty()) {
        append_signed(zone, m.answers, cname);
        return m;
    }
    const bool exists = name_exists(zone, qname);
    if (!exists && wildcard_answer(zone, question, m)) return m;
    negative_answer(zone, qname, !exists, m);
    return m;
}

void ScriptedUpstream::serve(std::string_view address, std::vector<FakeZone> zones) {
    script(address, [zones = std::move(zones)](const resolve::UpstreamQuery& q) {
        // The DS RRset belongs to the parent: a server holding both sides
        // of a cut answers DS from the parent (RFC 4035 §3.1.4.1).
        const bool parent_side = q.question.type == RRType::DS && !q.question.name.is_root();
        const FakeZone* best = nullptr;
        for (const auto& z : zones) {
            if (!q.question.name.is_subdomain_of(z.origin)) continue;
            if (parent_side && z.origin == q.question.name) continue;
            if (!best || z.origin.label_count() > best->origin.label_count()) best = &z;
        }
        if (!best) {
            wire::Message refused;
            refused.header.qr = true;
            refused.questions.push_back(q.question);
            refused.header.rcode = static_cast<uint8_t>(wire::Rcode::REFUSED);
            return std::optional<wire::Message>(refused);
        }
        return std::optional<wire::Message>(authoritative_answer(*best, q.question));
    });
}

void ScriptedUpstream::script(std::string_view address, Handler handler) {
    handlers_[*wire::IpAddress::parse(address)] = std::move(handler);
}

void ScriptedUpstream::silence(std::string_view address) {
    script(address, [](const resolve::UpstreamQuery&) { return std::optional<wire::Message>(); });
}

asio::awaitable<resolve::UpstreamReply> ScriptedUpstream::exchange(resolve::UpstreamQuery query) {
    sent_.push_back({query.server.address, query.question, query.force_tcp});
    // Yield once, as a real exchange would, so concurrent requests interleave.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    resolve::UpstreamReply reply;
    auto it = handlers_.find(query.server.address);
    std::optional<wire::Message> answer;
    if (it != handlers_.end()) answer = it->second(query);
    if (!answer) {
        reply.status = resolve::UpstreamStatus::kTimeout;
        co_return reply;
    }
    // Round-trip through the wire format, as a real server's answer would.
    auto parsed = wire::Message::parse(answer->to_wire());
    if (!parsed) {
        reply.status = resolve::UpstreamStatus::kMalformed;
        co_return reply;
    }
    reply.status = resolve::UpstreamStatus::kOk;
    reply.message = std::move(*parsed);
    reply.rtt = std::chrono::microseconds(1000);
    co_return reply;
}

size_t ScriptedUpstream::count(std::string_view address) const {
    const auto ip = *wire::IpAddress::parse(address);
    return static_cast<size_t>(std::count_if(sent_.begin(), sent_.end(),
                                             [&](const SentQuery& q) { return q.server == ip; }));
}

}  // namespace cairn::testing
