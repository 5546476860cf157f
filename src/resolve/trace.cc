#include "resolve/trace.h"

#include <algorithm>

namespace cairn::resolve {

namespace trace {

Cached cached(const wire::Question& question, const cache::CachedRRset& entry,
              Cached::Source source) {
    const bool alias = entry.rrset.type == wire::RRType::CNAME && question.type != entry.rrset.type;
    return {question, source, alias ? Found::kCname : Found::kAnswer, entry.security};
}

Cached cached(const wire::Question& question, const cache::NegativeEntry& entry,
              Cached::Source source) {
    return {question, source,
            entry.rcode == wire::Rcode::NXDOMAIN ? Found::kNxdomain : Found::kNodata,
            entry.security};
}

const char* to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::kAnswer: return "answer";
        case Outcome::kCname: return "cname";
        case Outcome::kDname: return "dname";
        case Outcome::kReferral: return "referral";
        case Outcome::kNxdomain: return "nxdomain";
        case Outcome::kNodata: return "nodata";
        case Outcome::kEmpty: return "empty";
        case Outcome::kLame: return "lame";
        case Outcome::kError: return "error";
        case Outcome::kNoEdns: return "no-edns";
        case Outcome::kTimeout: return "timeout";
        case Outcome::kUnreachable: return "unreachable";
        case Outcome::kMalformed: return "malformed";
    }
    return "unknown";
}

const char* to_string(Found found) {
    switch (found) {
        case Found::kAnswer: return "answer";
        case Found::kCname: return "cname";
        case Found::kNxdomain: return "nxdomain";
        case Found::kNodata: return "nodata";
        case Found::kWildcard: return "wildcard";
        case Found::kFailed: return "failed";
    }
    return "unknown";
}

const char* to_string(Cached::Source source) {
    switch (source) {
        case Cached::Source::kCache: return "cache";
        case Cached::Source::kDenials: return "nsec";
        case Cached::Source::kStale: return "stale";
    }
    return "unknown";
}

const char* to_string(Check::What what) {
    switch (what) {
        case Check::What::kKeys: return "keys";
        case Check::What::kDs: return "ds";
        case Check::What::kDnskey: return "dnskey";
        case Check::What::kRrset: return "rrsig";
        case Check::What::kNxdomain: return "nxdomain";
        case Check::What::kNodata: return "nodata";
    }
    return "unknown";
}

const char* to_string(Check::Basis basis) {
    switch (basis) {
        case Check::Basis::kChecked: return "checked";
        case Check::Basis::kCache: return "cache";
        case Check::Basis::kTrustAnchor: return "trust-anchor";
        case Check::Basis::kNoTrustAnchor: return "no-trust-anchor";
        case Check::Basis::kNegativeTrustAnchor: return "negative-trust-anchor";
        case Check::Basis::kNoDs: return "no-ds";
        case Check::Basis::kInsecureParent: return "insecure-parent";
        case Check::Basis::kUnsigned: return "unsigned";
    }
    return "unknown";
}

}  // namespace trace

void Trace::add(trace::Event event) {
    if (steps_.size() >= kMaxSteps) {
        ++dropped_;
        return;
    }
    steps_.push_back({depth_, std::move(event)});
}

Trace::Opened Trace::open(trace::Event event) {
    Opened opened{steps_.size() < kMaxSteps ? steps_.size() : SIZE_MAX, depth_};
    add(std::move(event));
    // Deeper than any honest resolution nests (kMaxNestedLookups): the
    // steps just stay at this depth.
    if (depth_ < UINT8_MAX) ++depth_;
    return opened;
}

void Trace::close(const Opened& opened) {
    depth_ = opened.depth;
}

trace::Event* Trace::at(const Opened& opened) {
    return opened.index < steps_.size() ? &steps_[opened.index].event : nullptr;
}

}  // namespace cairn::resolve
