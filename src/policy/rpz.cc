#include "policy/rpz.h"

#include <charconv>
#include <map>
#include <string>

#include "wire/typed_rdata.h"

namespace cairn::policy {
namespace {

using wire::Name;
using wire::Record;
using wire::RRType;

std::string_view label_text(const Name& name, size_t i) {
    const auto label = name.label(i);
    return {reinterpret_cast<const char*>(label.data()), label.size()};
}

bool label_is(const Name& name, size_t i, std::string_view word) {
    const auto label = name.label(i);
    if (label.size() != word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k)
        if (wire::ascii_lower(label[k]) != static_cast<uint8_t>(word[k])) return false;
    return true;
}

// The leftmost `count` labels of `name`, as a name of their own.
std::optional<Name> leftmost(const Name& name, size_t count) {
    Name out;
    for (size_t i = count; i-- > 0;) {
        auto longer = out.prepend(name.label(i));
        if (!longer) return std::nullopt;
        out = *longer;
    }
    return out;
}

// `prefix`'s labels followed by those of `suffix`.
std::optional<Name> join(const Name& prefix, const Name& suffix) {
    Name out = suffix;
    for (size_t i = prefix.label_count(); i-- > 0;) {
        auto longer = out.prepend(prefix.label(i));
        if (!longer) return std::nullopt;
        out = *longer;
    }
    return out;
}

template <class T>
std::optional<T> number(std::string_view text, int base = 10) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

bool dnssec_type(RRType type) {
    return type == RRType::RRSIG || type == RRType::NSEC || type == RRType::NSEC3 ||
           type == RRType::NSEC3PARAM || type == RRType::DNSKEY || type == RRType::DS;
}

Name make_name(std::string_view text) {
    return *Name::from_text(text);
}

}  // namespace

std::string_view to_string(RpzTrigger trigger) {
    switch (trigger) {
        case RpzTrigger::kClientIp: return "client-ip";
        case RpzTrigger::kQname: return "qname";
        case RpzTrigger::kResponseIp: return "response-ip";
        case RpzTrigger::kNsdname: return "nsdname";
        case RpzTrigger::kNsip: return "nsip";
    }
    return "?";
}

std::string_view to_string(RpzAction action) {
    switch (action) {
        case RpzAction::kNxdomain: return "nxdomain";
        case RpzAction::kNodata: return "nodata";
        case RpzAction::kPassthru: return "passthru";
        case RpzAction::kDrop: return "drop";
        case RpzAction::kTcpOnly: return "tcp-only";
        case RpzAction::kLocalData: return "local-data";
    }
    return "?";
}

namespace {

// Four decimal octets, right to left ("1.2.0.192" after the length).
std::optional<wire::IpAddress> rpz_v4(const Name& labels) {
    std::array<uint8_t, 4> bytes{};
    for (size_t i = 1; i < 5; ++i) {
        const auto octet = number<unsigned>(label_text(labels, i));
        if (!octet || *octet > 255) return std::nullopt;
        bytes[4 - i] = static_cast<uint8_t>(*octet);
    }
    return wire::IpAddress::v4(bytes);
}

// Hexadecimal words right to left; "zz" stands for the run of zero words
// ("::").
std::optional<wire::IpAddress> rpz_v6(const Name& labels) {
    const size_t n = labels.label_count();
    std::string text;
    for (size_t i = n - 1; i >= 1; --i) {
        const auto word = label_text(labels, i);
        if (word == "zz" || word == "ZZ") {
            text += i == n - 1 ? "::" : ":";
            continue;
        }
        if (word.size() > 4 || !number<uint16_t>(word, 16)) return std::nullopt;
        text += word;
        if (i > 1) text += ':';
    }
    auto address = wire::IpAddress::parse(text);
    if (!address || address->is_v4()) return std::nullopt;
    return address;
}

}  // namespace

std::optional<wire::IpPrefix> rpz_prefix(const Name& labels) {
    const size_t n = labels.label_count();
    if (n < 2) return std::nullopt;
    const auto length = number<unsigned>(label_text(labels, 0));
    if (!length) return std::nullopt;
    std::optional<wire::IpAddress> address = n == 5 ? rpz_v4(labels) : std::nullopt;
    if (address) {
        if (*length < 1 || *length > 32) return std::nullopt;
    } else {
        if (n > 9 || *length < 1 || *length > 128) return std::nullopt;
        address = rpz_v6(labels);
        if (!address) return std::nullopt;
    }
    const wire::IpPrefix prefix(*address, static_cast<uint8_t>(*length));
    // Host bits beyond the length are a mistake in the zone, not a wider rule.
    if (!(prefix.address() == *address)) return std::nullopt;
    return prefix;
}

Result<RpzZone::Built, TextError> RpzZone::build(RpzZoneSettings settings,
                                                 std::span<const Record> records) {
    std::shared_ptr<RpzZone> zone(new RpzZone(std::move(settings)));
    const Name& apex = zone->settings_.name;
    std::map<Name, std::vector<Record>> owners;
    bool have_soa = false;
    for (const Record& record : records) {
        if (record.type == RRType::SOA && record.owner == apex && !have_soa) {
            auto soa = wire::SoaData::from(record.rdata);
            if (!soa) return text_error("policy zone " + apex.to_text() + ": a malformed SOA");
            zone->soa_ = record;
            zone->serial_ = soa->serial;
            have_soa = true;
            continue;
        }
        if (record.owner == apex || !record.owner.is_subdomain_of(apex) || dnssec_type(record.type))
            continue;
        owners[record.owner].push_back(record);
    }
    if (!have_soa) return text_error("policy zone " + apex.to_text() + " has no SOA at its apex");
    Built built;
    for (auto& [owner, rrs] : owners) {
        const auto relative = leftmost(owner, owner.label_count() - apex.label_count());
        if (!relative) continue;
        if (auto problem = zone->add_rule(*relative, std::move(rrs)))
            built.problems.push_back(owner.to_text() + ": " + *problem);
    }
    built.zone = std::move(zone);
    return built;
}

std::optional<std::string> RpzZone::add_rule(const Name& relative, std::vector<Record> rrs) {
    const Name owner = rrs.front().owner;
    auto rule = rule_of(owner, std::move(rrs));
    if (!rule) return rule.error().message;
    const size_t n = relative.label_count();
    const bool ip = label_is(relative, n - 1, "rpz-ip");
    const bool nsip = label_is(relative, n - 1, "rpz-nsip");
    const bool client = label_is(relative, n - 1, "rpz-client-ip");
    if (ip || nsip || client) {
        const auto inner = leftmost(relative, n - 1);
        const auto prefix = inner ? rpz_prefix(*inner) : std::nullopt;
        if (!prefix) return "not an IP prefix in RPZ form";
        auto& table = ip ? response_ip_ : nsip ? nsip_ : client_ip_;
        table.insert(*prefix, std::move(*rule));
        return std::nullopt;
    }
    const bool nsdname = label_is(relative, n - 1, "rpz-nsdname");
    Name name = relative;
    if (nsdname) {
        const auto inner = leftmost(relative, n - 1);
        if (!inner || inner->is_root()) return "an NSDNAME trigger without a name";
        name = *inner;
    }
    auto& exact = nsdname ? nsdname_ : qname_;
    auto& wild = nsdname ? nsdname_wild_ : qname_wild_;
    if (name.is_wildcard())
        wild.insert(name.parent(), std::move(*rule));
    else
        exact.insert(name, std::move(*rule));
    return std::nullopt;
}

Result<RpzRule, TextError> RpzZone::rule_of(const Name& owner, std::vector<Record> rrs) {
    RpzRule rule;
    rule.owner = owner;
    bool cname = false;
    for (const Record& rr : rrs)
        cname = cname || rr.type == RRType::CNAME;
    if (!cname) {
        rule.action = RpzAction::kLocalData;
        rule.data = std::move(rrs);
        return rule;
    }
    if (rrs.size() > 1) return text_error("a CNAME with other data");
    const auto target = wire::NameData::from(rrs.front().rdata);
    if (!target) return text_error("a malformed CNAME");
    static const Name kNodata = make_name("*.");
    static const Name kPassthru = make_name("rpz-passthru.");
    static const Name kDrop = make_name("rpz-drop.");
    static const Name kTcpOnly = make_name("rpz-tcp-only.");
    if (target->name.is_root())
        rule.action = RpzAction::kNxdomain;
    else if (target->name == kNodata)
        rule.action = RpzAction::kNodata;
    else if (target->name == kPassthru)
        rule.action = RpzAction::kPassthru;
    else if (target->name == kDrop)
        rule.action = RpzAction::kDrop;
    else if (target->name == kTcpOnly)
        rule.action = RpzAction::kTcpOnly;
    else {
        rule.action = RpzAction::kLocalData;
        rule.data = std::move(rrs);
    }
    return rule;
}

size_t RpzZone::rule_count() const {
    return qname_.size() + qname_wild_.size() + nsdname_.size() + nsdname_wild_.size() +
           client_ip_.size() + response_ip_.size() + nsip_.size();
}

namespace {

const RpzRule* match_name(const ZoneMap<RpzRule>& exact, const ZoneMap<RpzRule>& wild,
                          const Name& name) {
    if (const RpzRule* rule = exact.exact(name)) return rule;
    if (wild.empty() || name.is_root()) return nullptr;
    const auto found = wild.closest(name.parent());
    return found ? &found->value : nullptr;
}

}  // namespace

const RpzRule* RpzZone::match_qname(const Name& qname) const {
    return match_name(qname_, qname_wild_, qname);
}

const RpzRule* RpzZone::match_nsdname(const Name& ns) const {
    return match_name(nsdname_, nsdname_wild_, ns);
}

const RpzRule* RpzZone::match_client_ip(const wire::IpAddress& client) const {
    const auto found = client_ip_.longest(client);
    return found ? &found->value : nullptr;
}

const RpzRule* RpzZone::match_response_ip(const wire::IpAddress& address) const {
    const auto found = response_ip_.longest(address);
    return found ? &found->value : nullptr;
}

std::optional<uint8_t> RpzZone::response_ip_length(const wire::IpAddress& address) const {
    const auto found = response_ip_.longest(address);
    if (!found) return std::nullopt;
    return found->prefix.length();
}

const RpzRule* RpzZone::match_nsip(const wire::IpAddress& address) const {
    const auto found = nsip_.longest(address);
    return found ? &found->value : nullptr;
}

RpzAction RpzZone::action_of(const RpzRule& rule) const {
    switch (settings_.override) {
        case RpzOverride::kGiven:
        case RpzOverride::kDisabled: return rule.action;
        case RpzOverride::kPassthru: return RpzAction::kPassthru;
        case RpzOverride::kNxdomain: return RpzAction::kNxdomain;
        case RpzOverride::kNodata: return RpzAction::kNodata;
        case RpzOverride::kDrop: return RpzAction::kDrop;
        case RpzOverride::kTcpOnly: return RpzAction::kTcpOnly;
        case RpzOverride::kCname: return RpzAction::kLocalData;
    }
    return rule.action;
}

RpzRewrite RpzZone::rewrite(const RpzRule& rule, const wire::Question& question) const {
    RpzRewrite out;
    auto cname_to = [&](const Name& target, uint32_t ttl) {
        out.answer.push_back({question.name, RRType::CNAME, wire::RRClass::IN, ttl,
                              wire::NameData{target}.to_rdata()});
        out.cname_target = target;
    };
    if (settings_.override == RpzOverride::kCname) {
        cname_to(settings_.override_cname, soa_.ttl);
        return out;
    }
    for (const Record& record : rule.data) {
        if (record.type == RRType::CNAME) {
            auto target = wire::NameData::from(record.rdata);
            if (!target) return out;
            // "CNAME *.garden.example." sends each name to its own name
            // below garden.example.
            if (target->name.is_wildcard()) {
                const auto joined = join(question.name, target->name.parent());
                if (!joined) return out;
                target->name = *joined;
            }
            cname_to(target->name, record.ttl);
            return out;
        }
        if (record.type == question.type || question.type == RRType::ANY) {
            Record answer = record;
            answer.owner = question.name;
            out.answer.push_back(std::move(answer));
        }
    }
    return out;
}

}  // namespace cairn::policy
