#include "resolve/response_kind.h"

#include <algorithm>

namespace cairn::resolve {

namespace {

using wire::RRType;

bool has_record(const std::vector<wire::Record>& records, const wire::Name& owner, RRType type) {
    return std::any_of(records.begin(), records.end(),
                       [&](const wire::Record& r) { return r.type == type && r.owner == owner; });
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
        if (question.type != RRType::DNAME)
            for (const auto& r : response.answers)
                if (r.type == RRType::DNAME && qname != r.owner && qname.is_subdomain_of(r.owner))
                    return {ResponseKind::kDname, {}};
        if (question.type != RRType::CNAME && has_record(response.answers, qname, RRType::CNAME))
            return {ResponseKind::kCname, {}};
        return {ResponseKind::kNxdomain, {}};
    }
    if (question.type == RRType::ANY) {
        if (std::any_of(response.answers.begin(), response.answers.end(),
                        [&](const wire::Record& r) { return r.owner == qname; }))
            return {ResponseKind::kAnswer, {}};
    } else if (has_record(response.answers, qname, question.type)) {
        return {ResponseKind::kAnswer, {}};
    }
    // A DNAME comes with a CNAME the server synthesised; the DNAME is the
    // authority, and the CNAME is made again from it (RFC 6672 §3.1).
    if (question.type != RRType::DNAME) {
        for (const auto& r : response.answers) {
            if (r.type == RRType::DNAME && qname != r.owner && qname.is_subdomain_of(r.owner))
                return {ResponseKind::kDname, {}};
        }
    }
    if (question.type != RRType::CNAME && has_record(response.answers, qname, RRType::CNAME))
        return {ResponseKind::kCname, {}};
    if (!response.answers.empty()) return {ResponseKind::kLame, {}};

    const bool has_soa = std::any_of(response.authorities.begin(), response.authorities.end(),
                                     [](const wire::Record& r) { return r.type == RRType::SOA; });
    if (!has_soa) {
        // A referral: NS for a zone strictly below the one asked, on the way
        // to the asked name. Anything else with NS (upward or sideways) is lame.
        for (const auto& r : response.authorities) {
            if (r.type != RRType::NS) continue;
            if (r.owner != zone && r.owner.is_subdomain_of(zone) && qname.is_subdomain_of(r.owner))
                return {ResponseKind::kReferral, r.owner};
        }
    }
    if (has_soa || response.header.aa) return {ResponseKind::kNodata, {}};
    return {ResponseKind::kLame, {}};
}

const char* to_string(ResponseKind kind) {
    switch (kind) {
        case ResponseKind::kAnswer: return "answer";
        case ResponseKind::kCname: return "CNAME";
        case ResponseKind::kDname: return "DNAME";
        case ResponseKind::kReferral: return "referral";
        case ResponseKind::kNxdomain: return "NXDOMAIN";
        case ResponseKind::kNodata: return "NODATA";
        case ResponseKind::kLame: return "lame";
        case ResponseKind::kError: return "error";
    }
    return "unknown";
}

}  // namespace cairn::resolve
