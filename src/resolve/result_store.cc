#include "resolve/result_store.h"

namespace cairn::resolve {

namespace {

std::optional<wire::ExtendedErrorCode> reason_of(const cache::Verdict& v) {
    if (v.error) return v.error->code;
    return std::nullopt;
}

}  // namespace

bool store_rrset(cache::Caches& caches, const SignedRRset& rrset,
                 std::span<const wire::Record> proof, const cache::Verdict& verdict,
                 const cache::TtlOverride& zone) {
    const auto stored = caches.rrsets.insert(
        rrset.rrset, rrset.signatures, rrset.trust, cache::Security::kIndeterminate,
        rrset.wildcard ? proof : std::span<const wire::Record>(), zone);
    // The cache raises Secure data's rank and caps its lifetime itself.
    if (verdict.security != cache::Security::kIndeterminate)
        caches.rrsets.set_security(rrset.rrset, rrset.signatures, verdict.security,
                                   reason_of(verdict), verdict.ttl_cap);
    return stored.renewed;
}

void store_negative(cache::Caches& caches, const wire::Question& question,
                    const LookupResult& result, const cache::Verdict& verdict,
                    const cache::TtlOverride& zone) {
    if (!result.negative_ttl) return;
    const auto rcode =
        result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR;
    caches.negatives.insert(rcode, question.name, question.type, result.authority,
                            *result.negative_ttl, cache::Security::kIndeterminate, zone);
    if (verdict.security != cache::Security::kIndeterminate)
        caches.negatives.set_security(rcode, question.name, question.type, verdict.security,
                                      reason_of(verdict), verdict.ttl_cap);
}

void store_unvalidated(cache::Caches& caches, const wire::Question& question,
                       const LookupResult& result) {
    if (result.error) return;
    if (result.kind == ResponseKind::kNxdomain || result.kind == ResponseKind::kNodata) {
        store_negative(caches, question, result, cache::Verdict{});
        return;
    }
    for (const auto& rrset : result.answer)
        store_rrset(caches, rrset, result.proof, cache::Verdict{});
}

}  // namespace cairn::resolve
