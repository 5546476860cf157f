#include "resolve/verdicts.h"

namespace cairn::resolve {

using cache::Security;
using wire::ExtendedErrorCode;

Verdict bogus_verdict(ExtendedErrorCode code, std::string why, const DnssecOptions& options) {
    Verdict v;
    v.security = Security::kBogus;
    v.error = wire::ExtendedErrorOption{code, std::move(why)};
    v.ttl_cap = options.bogus_ttl;
    return v;
}

Verdict transient_verdict(wire::ExtendedErrorOption error, const DnssecOptions& options) {
    Verdict v = bogus_verdict(error.code, std::move(error.extra_text), options);
    v.transient = true;
    return v;
}

Verdict rrset_verdict(const dnssec::RRsetVerdict& v, const wire::RRset& rrset,
                      const DnssecOptions& options) {
    using Status = dnssec::RRsetVerdict::Status;
    const std::string what = rrset.owner.to_text() + "/" + wire::to_string(rrset.type);
    switch (v.status) {
        case Status::kValid: {
            Verdict ok;
            ok.security = Security::kSecure;
            ok.ttl_cap = v.ttl_cap;
            return ok;
        }
        case Status::kBogus:
            return bogus_verdict(v.reason, v.why.empty() ? what + " is bogus" : v.why, options);
        case Status::kUnsigned:
            return bogus_verdict(ExtendedErrorCode::kRrsigsMissing,
                                 v.why.empty() ? "no valid RRSIG covers " + what : v.why, options);
        case Status::kLimit: break;
    }
    if (v.held)
        return transient_verdict(
            {ExtendedErrorCode::kDnssecBogus,
             (v.why.empty() ? what + " not proven" : v.why) +
                 ": its zone is held after exhausting the validation limits (dnssec-limit-hold)"},
            options);
    const auto& limits = options.limits;
    return transient_verdict(
        {ExtendedErrorCode::kDnssecBogus,
         "validation stopped: dnssec-max-verifications-per-rrset (" +
             std::to_string(limits.max_verifications_per_rrset) +
             ") or dnssec-max-verifications-per-request (" +
             std::to_string(limits.max_verifications_per_request) + ") reached for " + what},
        options);
}

DenialVerdict denial_verdict(const dnssec::DenialResult& r, const std::string& what,
                             uint32_t ttl_cap, const DnssecOptions& options) {
    DenialVerdict out;
    using Status = dnssec::DenialResult::Status;
    switch (r.status) {
        case Status::kProven:
            out.verdict.security = Security::kSecure;
            out.verdict.ttl_cap = ttl_cap;
            out.delegation = r.delegation;
            return out;
        case Status::kOptOut:
        case Status::kUnsupportedHash:
            // An opt-out span may hide an unsigned delegation (RFC 5155 §6);
            // an unknown hash proves nothing: either way not bogus.
            out.verdict.security = Security::kInsecure;
            out.delegation = true;
            return out;
        case Status::kIterationsTooHigh:
            out.verdict.security = Security::kInsecure;
            out.verdict.error =
                wire::ExtendedErrorOption{ExtendedErrorCode::kUnsupportedNsec3Iterations, r.why};
            out.delegation = true;
            return out;
        case Status::kLimit:
            out.verdict = transient_verdict(
                {ExtendedErrorCode::kDnssecBogus,
                 "validation stopped: dnssec-max-nsec3-hashes (" +
                     std::to_string(options.limits.max_nsec3_hashes) + ") reached for " + what},
                options);
            return out;
        case Status::kNotProven: break;
    }
    out.verdict = bogus_verdict(ExtendedErrorCode::kNsecMissing,
                                "no NSEC/NSEC3 proof for the negative answer to " + what +
                                    (r.why.empty() ? "" : ": " + r.why),
                                options);
    return out;
}

}  // namespace cairn::resolve
