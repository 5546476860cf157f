#include "resolve/scrubber.h"

#include <algorithm>
#include <vector>

#include "resolve/chain.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using wire::RRType;

// Names whose addresses the additional section may legitimately carry.
std::vector<wire::Name> wanted_address_owners(const wire::Message& m) {
    std::vector<wire::Name> wanted;
    auto add_target = [&](const wire::Record& r) {
        switch (r.type) {
            case RRType::NS:
            case RRType::CNAME:
                if (auto d = wire::NameData::from(r.rdata)) wanted.push_back(d->name);
                break;
            case RRType::MX:
                if (auto d = wire::MxData::from(r.rdata)) wanted.push_back(d->exchange);
                break;
            case RRType::SRV:
                if (auto d = wire::SrvData::from(r.rdata)) wanted.push_back(d->target);
                break;
            default: break;
        }
    };
    for (const auto& r : m.answers)
        add_target(r);
    for (const auto& r : m.authorities)
        add_target(r);
    return wanted;
}

template <class Keep>
size_t erase_unless(std::vector<wire::Record>& records, Keep keep) {
    const auto before = records.size();
    records.erase(std::remove_if(records.begin(), records.end(),
                                 [&](const wire::Record& r) { return !keep(r); }),
                  records.end());
    return before - records.size();
}

RRType covered_type(const wire::Record& r) {
    if (r.type != RRType::RRSIG) return r.type;
    auto sig = wire::RrsigData::from(r.rdata);
    return sig ? sig->type_covered : RRType{0};
}

// Whether an authority record (or the RRSIG over it) may stay.
bool authority_allowed(const wire::Record& r, const wire::Message& response, const wire::Name& zone,
                       const Classification& c) {
    switch (covered_type(r)) {
        case RRType::SOA:
        case RRType::NSEC:
        case RRType::NSEC3: return true;
        case RRType::NS:
            // A delegation comes only from a referral; otherwise only the
            // zone that answered, with authority, speaks for its own NS.
            if (c.kind == ResponseKind::kReferral) return r.owner == c.referral_zone;
            return response.header.aa && r.owner == zone;
        case RRType::DS: return c.kind == ResponseKind::kReferral && r.owner == c.referral_zone;
        default: return false;
    }
}

}  // namespace

size_t scrub_response(wire::Message& response, const wire::Question& question,
                      const wire::Name& zone, const Classification& c) {
    size_t dropped = 0;
    auto in_zone = [&](const wire::Record& r) {
        return r.rclass == wire::RRClass::IN && r.owner.is_subdomain_of(zone);
    };
    dropped += erase_unless(response.answers, in_zone);
    const auto chain = answer_chain(response.answers, question);
    dropped +=
        erase_unless(response.answers, [&](const wire::Record& r) { return on_chain(r, chain); });
    dropped += erase_unless(response.authorities, [&](const wire::Record& r) {
        return in_zone(r) && authority_allowed(r, response, zone, c);
    });
    const auto wanted = wanted_address_owners(response);
    dropped += erase_unless(response.additionals, [&](const wire::Record& r) {
        if (!in_zone(r)) return false;
        if (r.type != RRType::A && r.type != RRType::AAAA && r.type != RRType::RRSIG) return false;
        return std::find(wanted.begin(), wanted.end(), r.owner) != wanted.end();
    });
    return dropped;
}

}  // namespace cairn::resolve
