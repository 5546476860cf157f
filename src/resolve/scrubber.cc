#include "resolve/scrubber.h"

#include <algorithm>
#include <vector>

#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using wire::RRType;

bool authority_type_allowed(RRType type) {
    switch (type) {
        case RRType::NS:
        case RRType::SOA:
        case RRType::DS:
        case RRType::NSEC:
        case RRType::NSEC3:
        case RRType::RRSIG: return true;
        default: return false;
    }
}

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

}  // namespace

size_t scrub_response(wire::Message& response, const wire::Name& zone) {
    size_t dropped = 0;
    auto in_zone = [&](const wire::Record& r) {
        return r.rclass == wire::RRClass::IN && r.owner.is_subdomain_of(zone);
    };
    dropped += erase_unless(response.answers, in_zone);
    dropped += erase_unless(response.authorities, [&](const wire::Record& r) {
        return in_zone(r) && authority_type_allowed(r.type);
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
