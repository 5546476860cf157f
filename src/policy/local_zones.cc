#include "policy/local_zones.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_set>

#include "policy/builtin_zones.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::policy {

namespace {

using wire::RRType;

Unexpected<std::string> fail(std::string message) {
    return Unexpected<std::string>{std::move(message)};
}

// RFC 6303 §3, for a zone whose local data has no SOA.
wire::Record default_soa(const wire::Name& apex) {
    const std::string name = apex.to_text();
    return *wire::parse_record(
        name + " 10800 IN SOA " + name + " nobody.invalid. 1 3600 1200 604800 10800",
        wire::Name::root());
}

const wire::RRset* find_rrset(const std::vector<wire::RRset>& rrsets, RRType type) {
    for (const wire::RRset& rrset : rrsets)
        if (rrset.type == type) return &rrset;
    return nullptr;
}

std::string top_label(const wire::Name& name) {
    const auto label = name.label(name.label_count() - 1);
    std::string out(label.begin(), label.end());
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(wire::ascii_lower(c)); });
    return out;
}

void append(std::vector<wire::Record>& out, const wire::RRset& rrset, const wire::Name& owner) {
    for (const wire::RData& rdata : rrset.rdatas)
        out.push_back({owner, rrset.type, rrset.rclass, rrset.ttl, rdata});
}

LocalAnswer dropped() {
    LocalAnswer out;
    out.drop = true;
    return out;
}

LocalAnswer refused() {
    LocalAnswer out;
    out.rcode = wire::Rcode::REFUSED;
    out.extended_error =
        wire::ExtendedErrorOption{wire::ExtendedErrorCode::kBlocked, "refused by local-zones"};
    return out;
}

}  // namespace

Result<std::shared_ptr<const LocalZones>, std::string> LocalZones::build(
    const PolicyOptions& options) {
    auto built = std::make_shared<LocalZones>();
    LocalZones& zones = *built;
    std::vector<wire::Name> switched_off;
    for (const LocalZoneSpec& spec : options.local_zones) {
        const auto type = local_zone_type_from_string(spec.type);
        if (!type)
            return fail("local zone " + spec.name.to_text() + ": unknown type '" + spec.type + "'");
        if (*type == LocalZoneType::kNodefault) {
            if (!is_builtin_zone(spec.name))
                return fail("local zone " + spec.name.to_text() +
                            ": nodefault names no built-in zone");
            switched_off.push_back(spec.name);
            continue;
        }
        if (auto added = zones.add_zone(spec.name, *type); !added) return fail(added.error());
    }
    std::vector<BuiltinZone> builtins;
    for (BuiltinZone& zone : builtin_zones(options.builtin_zones)) {
        const bool off =
            std::find(switched_off.begin(), switched_off.end(), zone.name) != switched_off.end();
        if (off || zones.zones_.exact(zone.name.lowercased())) continue;
        (void)zones.add_zone(zone.name, zone.type);
        builtins.push_back(std::move(zone));
    }
    std::unordered_set<wire::Name, wire::NameHash> configured_owners;
    for (const wire::Record& record : options.local_data) {
        if (auto added = zones.add_record(record); !added) return fail(added.error());
        configured_owners.insert(record.owner);
    }
    // Configured data at a name replaces the built-in data there.
    for (const BuiltinZone& zone : builtins)
        for (const wire::Record& record : zone.data)
            if (!configured_owners.contains(record.owner)) (void)zones.add_record(record);
    if (auto finished = zones.finish(); !finished) return fail(finished.error());
    return std::shared_ptr<const LocalZones>(std::move(built));
}

Status<std::string> LocalZones::add_zone(const wire::Name& apex, LocalZoneType type) {
    if (!zones_.insert(apex, Zone{type, soas_.size()}))
        return fail("local zone " + apex.to_text() + " is given twice");
    soas_.push_back(default_soa(apex.lowercased()));
    return {};
}

Status<std::string> LocalZones::add_record(const wire::Record& record) {
    const std::string text = record.to_text();
    if (record.owner.is_wildcard())
        return fail("local data '" + text +
                    "': wildcard owners are not supported (a redirect zone answers every name "
                    "below its apex)");
    if (record.rclass != wire::RRClass::IN)
        return fail("local data '" + text + "': only class IN is served");
    if (record.type == RRType::OPT || record.type == RRType::ANY)
        return fail("local data '" + text + "': not a type of data");
    if (!zones_.closest(record.owner)) (void)add_zone(record.owner, LocalZoneType::kTransparent);
    Node& at = nodes_[record.owner.lowercased()];
    for (wire::RRset& rrset : at.rrsets) {
        if (rrset.type != record.type) continue;
        rrset.add(record.rdata);
        rrset.ttl = std::min(rrset.ttl, record.ttl);
        return {};
    }
    at.rrsets.push_back({record.owner.lowercased(), record.type, record.rclass, record.ttl, {}});
    at.rrsets.back().add(record.rdata);
    return {};
}

Status<std::string> LocalZones::finish() {
    std::vector<wire::Name> owners;
    for (const auto& [owner, node] : nodes_) {
        const wire::RRset* cname = find_rrset(node.rrsets, RRType::CNAME);
        if (cname && node.rrsets.size() > 1)
            return fail("local data at " + owner.to_text() +
                        ": a CNAME and other data at one name (RFC 1034 §3.6.2)");
        if (cname && cname->rdatas.size() > 1)
            return fail("local data at " + owner.to_text() + ": more than one CNAME");
        owners.push_back(owner);
    }
    for (const wire::Name& owner : owners) {
        const auto zone = zones_.closest(owner);
        if (zone) add_empty_non_terminals(owner, zone->zone);
    }
    for (const auto& [apex, zone] : zones_) {
        if (apex.is_root())
            covers_root_ = true;
        else
            top_labels_.push_back(top_label(apex));
        const Node* at = node(apex);
        const wire::RRset* soa = at ? find_rrset(at->rrsets, RRType::SOA) : nullptr;
        if (soa)
            soas_[zone.soa] = {apex, RRType::SOA, wire::RRClass::IN, soa->ttl, soa->rdatas.front()};
        else if (zone.type == LocalZoneType::kStatic)
            (void)add_record(soas_[zone.soa]);  // the apex of a static zone answers its SOA
    }
    std::sort(top_labels_.begin(), top_labels_.end());
    top_labels_.erase(std::unique(top_labels_.begin(), top_labels_.end()), top_labels_.end());
    return {};
}

void LocalZones::add_empty_non_terminals(const wire::Name& owner, const wire::Name& apex) {
    for (wire::Name above = owner.parent(); above.label_count() > apex.label_count();
         above = above.parent())
        nodes_.try_emplace(above.lowercased());
}

const LocalZones::Node* LocalZones::node(const wire::Name& name) const {
    const auto found = nodes_.find(name);
    return found == nodes_.end() ? nullptr : &found->second;
}

bool LocalZones::may_hold(const wire::Name& name) const {
    if (covers_root_) return true;
    if (name.is_root()) return false;
    const auto label = name.label(name.label_count() - 1);
    std::array<char, wire::Name::kMaxLabelLength> lowered{};
    std::transform(label.begin(), label.end(), lowered.begin(),
                   [](uint8_t c) { return static_cast<char>(wire::ascii_lower(c)); });
    return std::binary_search(top_labels_.begin(), top_labels_.end(),
                              std::string_view(lowered.data(), label.size()));
}

std::optional<LocalAnswer> LocalZones::answer(const wire::Question& question) const {
    if (!may_hold(question.name)) return std::nullopt;
    return answer_at(question.name, question.type, 0);
}

std::optional<LocalAnswer> LocalZones::answer_at(const wire::Name& name, RRType type,
                                                 size_t links) const {
    const auto match = zones_.closest(name);
    if (!match) return std::nullopt;
    const Zone& zone = match->value;
    const bool redirect = zone.type == LocalZoneType::kRedirect;
    const Node* at = node(redirect ? match->zone : name);
    const bool has_data = at && !at->rrsets.empty();
    if (has_data) {
        if (auto found = data_answer(*at, name, type)) {
            follow_chain(*found, type, links);
            return found;
        }
    }
    switch (zone.type) {
        case LocalZoneType::kDeny: return dropped();
        case LocalZoneType::kRefuse: return refused();
        case LocalZoneType::kTransparent:
            if (!has_data) return std::nullopt;
            return negative(zone, wire::Rcode::NOERROR);
        case LocalZoneType::kRedirect: return negative(zone, wire::Rcode::NOERROR);
        case LocalZoneType::kStatic:
        case LocalZoneType::kNodefault: break;
    }
    return negative(zone, at ? wire::Rcode::NOERROR : wire::Rcode::NXDOMAIN);
}

std::optional<LocalAnswer> LocalZones::data_answer(const Node& at, const wire::Name& name,
                                                   RRType type) const {
    LocalAnswer out;
    if (type == RRType::ANY) {
        for (const wire::RRset& rrset : at.rrsets)
            append(out.answer, rrset, name);
        return out;
    }
    const wire::RRset* rrset = find_rrset(at.rrsets, type);
    if (!rrset) rrset = find_rrset(at.rrsets, RRType::CNAME);
    if (!rrset) return std::nullopt;
    append(out.answer, *rrset, name);
    return out;
}

void LocalZones::follow_chain(LocalAnswer& answer, RRType type, size_t links) const {
    const wire::Record& last = answer.answer.back();
    if (last.type != RRType::CNAME || type == RRType::CNAME || type == RRType::ANY) return;
    if (links + 1 >= kMaxChain) return;
    const auto target = wire::NameData::from(last.rdata);
    if (!target) return;
    auto next = answer_at(target->name, type, links + 1);
    if (!next) {
        answer.continue_at = target->name;
        return;
    }
    // A target dropped or refused by policy ends the chain at the CNAME.
    if (next->drop || next->rcode == wire::Rcode::REFUSED) return;
    answer.rcode = next->rcode;
    answer.answer.insert(answer.answer.end(), next->answer.begin(), next->answer.end());
    answer.authority = std::move(next->authority);
    answer.continue_at = std::move(next->continue_at);
}

LocalAnswer LocalZones::negative(const Zone& zone, wire::Rcode rcode) const {
    LocalAnswer out;
    out.rcode = rcode;
    wire::Record soa = soas_[zone.soa];
    if (const auto fields = wire::SoaData::from(soa.rdata))
        soa.ttl = std::min(soa.ttl, fields->minimum);
    out.authority.push_back(std::move(soa));
    return out;
}

}  // namespace cairn::policy
