#include "resolve/response_kind.h"

#include <algorithm>

namespace cairn::resolve {

namespace {

using wire::RRType;

bool has_record(const std::vector<wire::Record>& records, const wire::Name& owner, RRType type) {
    return std::any_of(records.begin(), records.end(),
                       [&](const wire::Record& r) { return r.type == type && r.owner == owner; });
}

bool below_dname(const wire::Message& response, const wire::Question& question) {
    return std::any_of(response.answers.begin(), response.answers.end(), [&](const auto& r) {
        return r.type == RRType::DNAME && question.name != r.owner &&
               question.name.is_subdomain_of(r.owner);
    });
}

// The first link of a chain the server followed: the CNAME at the name or
// the DNAME above it (RFC 6672 §3.1: the DNAME is the authority, the CNAME
// it implies is made again from it).
std::optional<ResponseKind> redirection(const wire::Message& response,
                                        const wire::Question& question) {
    if (below_dname(response, question)) return ResponseKind::kDname;
    if (question.type != RRType::CNAME &&
        has_record(response.answers, question.name, RRType::CNAME))
        return ResponseKind::kCname;
    return std::nullopt;
}

// An empty NOERROR: a referral, NODATA, or a server that does not serve the
// zone. Decided on the unscrubbed authority section (RFC 1034 §5.3.3,
// RFC 2308 §2.2): NS records of an ancestor or of an unrelated zone are an
// upward or sideways referral, i.e. lameness, whatever the AA bit says.
Classification classify_empty(const wire::Message& response, const wire::Question& question,
                              const wire::Name& zone) {
    const auto& authority = response.authorities;
    const auto* soa = [&]() -> const wire::Record* {
        for (const auto& r : authority)
            if (r.type == RRType::SOA) return &r;
        return nullptr;
    }();
    bool own_ns = false;
    for (const auto& r : authority) {
        if (r.type != RRType::NS) continue;
        const bool below = r.owner != zone && r.owner.is_subdomain_of(zone);
        if (below && question.name.is_subdomain_of(r.owner) && !soa)
            return {ResponseKind::kReferral, r.owner};
        if (r.owner == zone)
            own_ns = true;
        else if (!below)
            return {ResponseKind::kLame, {}};
    }
    if (soa) {
        // The SOA of the zone asked (or of a zone below it that the server
        // also serves) that holds the name.
        const bool fits =
            soa->owner.is_subdomain_of(zone) && question.name.is_subdomain_of(soa->owner);
        return {fits ? ResponseKind::kNodata : ResponseKind::kLame, {}};
    }
    // RFC 2308 §2.2.1 NODATA types 2 and 3: only an authoritative server
    // may answer so; its own NS set may come along.
    if (response.header.aa) return {ResponseKind::kNodata, {}};
    return {own_ns ? ResponseKind::kLame : ResponseKind::kEmpty, {}};
}

}  // namespace

Classification classify_response(const wire::Message& response, const wire::Question& question,
                                 const wire::Name& zone) {
    const auto rcode = response.rcode();
    if (rcode != wire::Rcode::NOERROR && rcode != wire::Rcode::NXDOMAIN)
        return {ResponseKind::kError, {}};

    const auto& qname = question.name;
    if (rcode == wire::Rcode::NXDOMAIN) {
        // The rcode is about the end of a CNAME/DNAME chain the server
        // followed (RFC 6604 §2); the chain's first link is what is known of
        // the name asked.
        if (auto kind = redirection(response, question)) return {*kind, {}};
        return {ResponseKind::kNxdomain, {}};
    }
    // Asked for a CNAME below a DNAME: the CNAME the DNAME implies is the
    // answer, made from the DNAME (RFC 6672 §3), never the server's copy.
    if (question.type == RRType::CNAME && below_dname(response, question))
        return {ResponseKind::kDname, {}};
    if (question.type == RRType::ANY) {
        if (std::any_of(response.answers.begin(), response.answers.end(),
                        [&](const wire::Record& r) { return r.owner == qname; }))
            return {ResponseKind::kAnswer, {}};
    } else if (has_record(response.answers, qname, question.type)) {
        return {ResponseKind::kAnswer, {}};
    }
    if (auto kind = redirection(response, question)) return {*kind, {}};
    if (!response.answers.empty()) return {ResponseKind::kLame, {}};
    return classify_empty(response, question, zone);
}

const char* to_string(ResponseKind kind) {
    switch (kind) {
        case ResponseKind::kAnswer: return "answer";
        case ResponseKind::kCname: return "CNAME";
        case ResponseKind::kDname: return "DNAME";
        case ResponseKind::kReferral: return "referral";
        case ResponseKind::kNxdomain: return "NXDOMAIN";
        case ResponseKind::kNodata: return "NODATA";
        case ResponseKind::kEmpty: return "empty";
        case ResponseKind::kLame: return "lame";
        case ResponseKind::kError: return "error";
    }
    return "unknown";
}

}  // namespace cairn::resolve
