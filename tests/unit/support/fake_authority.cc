#include "support/fake_authority.h"

#include <algorithm>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

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
        add_glue(zone, ns, m);
        return m;
    }
    m.header.aa = true;
    // A DNAME at an ancestor redirects the whole subtree (RFC 6672 §3.1).
    for (size_t labels = zone.origin.label_count(); labels < qname.label_count(); ++labels) {
        auto dname = find(zone, qname.suffix(labels), RRType::DNAME);
        if (dname.empty()) continue;
        m.answers = dname;
        return m;
    }
    auto exact = find(zone, qname, question.type);
    if (!exact.empty()) {
        m.answers = exact;
        return m;
    }
    auto cname = find(zone, qname, RRType::CNAME);
    if (!cname.empty()) {
        m.answers = cname;
        return m;
    }
    auto soa = find(zone, zone.origin, RRType::SOA);
    m.authorities = soa;
    if (!name_exists(zone, qname)) m.header.rcode = static_cast<uint8_t>(wire::Rcode::NXDOMAIN);
    return m;
}

void ScriptedUpstream::serve(std::string_view address, std::vector<FakeZone> zones) {
    script(address, [zones = std::move(zones)](const resolve::UpstreamQuery& q) {
        const FakeZone* best = nullptr;
        for (const auto& z : zones)
            if (q.question.name.is_subdomain_of(z.origin) &&
                (!best || z.origin.label_count() > best->origin.label_count()))
                best = &z;
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
