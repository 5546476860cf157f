// DNSSEC validation of what the iterator found (RFC 4035 §5): builds the
// chain of trust from the trust anchors down to the zone that signed the
// data, fetching DS and DNSKEY RRsets as needed, and concludes Secure,
// Insecure or Bogus.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <span>

#include "cache/key_cache.h"
#include "dnssec/denial.h"
#include "dnssec/rrset_verifier.h"
#include "resolve/iterator.h"
#include "resolve/verdicts.h"

namespace cairn::resolve {

// Servers asked again, after the first, when data fails validation.
constexpr uint32_t kMaxBogusRetries = 2;

// One per client request: it spends that request's budgets.
class Validator {
public:
    // What a DS or DNSKEY fetch found (validator.cc).
    struct Fetched;

    Validator(ResolverContext& context, RequestBudget& budget) : ctx_(context), budget_(budget) {}

    // A positive RRset and the RRSIG RDATA that came with it. `proof`: the
    // NSEC/NSEC3 records and their RRSIGs from the same response, which a
    // wildcard expansion needs.
    asio::awaitable<Verdict> rrset(const wire::RRset& rrset,
                                   std::span<const wire::RData> signatures,
                                   std::span<const wire::Record> proof);

    // A NXDOMAIN (rcode) or NODATA answer to `question`; `authority`: its
    // SOA, NSEC/NSEC3 records and their RRSIGs.
    asio::awaitable<Verdict> negative(wire::Rcode rcode, const wire::Question& question,
                                      std::span<const wire::Record> authority);

private:
    // rrset() without the trace, and with it.
    asio::awaitable<Verdict> check_rrset(const wire::RRset& rrset,
                                         std::span<const wire::RData> signatures,
                                         std::span<const wire::Record> proof);
    asio::awaitable<Verdict> traced_rrset(const wire::RRset& rrset,
                                          std::span<const wire::RData> signatures,
                                          std::span<const wire::Record> proof);
    // Records a conclusion in the request's trace, if it has one.
    void trace_check(trace::Check::What what, const wire::Name& zone, trace::Check::Basis basis,
                     const Verdict& v, const wire::Question& subject = {}) const;

    bool under_negative_anchor(const wire::Name& name) const;
    // The deepest zone at or above `name` the cache knows a delegation for.
    wire::Name known_zone_of(const wire::Name& name) const;

    // An RRset without RRSIGs: Insecure if it lies in an insecure zone.
    asio::awaitable<Verdict> unsigned_rrset(const wire::RRset& rrset);
    // An RRset whose RRSIG verified as a wildcard expansion: proves the
    // name asked for does not exist.
    asio::awaitable<Verdict> wildcard_answer(const wire::RRset& rrset,
                                             std::span<const wire::RData> signatures,
                                             std::span<const wire::Record> proof,
                                             const Verdict& keys, const wire::Name& zone,
                                             const wire::Name& wildcard_parent, Verdict verdict);

    asio::awaitable<Verdict> keys_for(const wire::Name& zone, unsigned depth);
    asio::awaitable<Verdict> prove_keys(const wire::Name& zone, unsigned depth, uint32_t& ttl);
    asio::awaitable<Verdict> keys_from_ds(const wire::Name& zone, const wire::RRset& ds,
                                          const wire::RRset& anchor_keys, uint32_t& ttl);
    // From the cache unless `refresh`, else from upstream.
    asio::awaitable<Fetched> fetch(const wire::Name& name, wire::RRType type, bool refresh = false);
    std::optional<Fetched> fetch_cached(const wire::Question& question) const;
    asio::awaitable<Fetched> fetch_upstream(const wire::Question& question);
    // What a lookup for `question` found, as a fetch.
    static Fetched fetched_from(const wire::Question& question, LookupResult result);
    Verdict check_dnskeys(const wire::Name& zone, const Fetched& dnskey,
                          std::span<const wire::DsData> usable, const wire::RRset& anchor_keys,
                          uint32_t& ttl);
    // The keys of `dnskeys` that the DS records or the anchor vouch for.
    wire::RRset vouched_keys(const wire::Name& zone, const wire::RRset& dnskeys,
                             std::span<const wire::DsData> usable,
                             const wire::RRset& anchor_keys) const;
    // Keeps the server that gave `fetched` out of the rest of the request
    // for its zone; false when the retry budget is spent or the data did
    // not come from upstream just now.
    bool exclude_server(const Fetched& fetched);

    // What a denial proof's outcome makes of a negative answer.
    DenialVerdict denial_verdict(const dnssec::DenialResult& r, const std::string& what,
                                 uint32_t ttl_cap);
    asio::awaitable<DenialVerdict> prove_negative(wire::Rcode rcode, const wire::Question& question,
                                                  std::span<const wire::Record> authority,
                                                  unsigned depth);
    // Verifies `rrset` with the keys of `zone`; counts the work.
    // A zone whose keys exhaust the limits is held: its data is then checked
    // under ValidationLimits::for_held_zone for dnssec-limit-hold seconds.
    dnssec::RRsetVerdict verify(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                                const Verdict& keys, const wire::Name& zone);
    void hold(const wire::Name& zone);
    // A wildcard expansion whose signatures, naming a crowded key tag,
    // exhausted the limits: the wildcard is held, so that the next names
    // it would answer are not asked at all (a KeyTrap flood of new names).
    void hold_wildcard(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                       const dnssec::RRsetVerdict& v, const wire::Name& zone);
    // The NSEC/NSEC3 records of `records` whose signatures verify with `keys`.
    std::vector<wire::Record> verified_denials(std::span<const wire::Record> records,
                                               const Verdict& keys, const wire::Name& zone,
                                               uint32_t& ttl_cap, std::optional<Verdict>& failure);

    // Marks a cached RRset Secure once its signatures verified, so that the
    // next answer carrying it byte for byte is not checked again.
    void remember_verified(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                           const dnssec::RRsetVerdict& v);

    // RFC 8198: keeps denial records that proved something, for answering
    // later questions in their spans without asking.
    void remember_denials(const wire::Name& zone, std::span<const wire::Record> verified,
                          std::span<const wire::Record> all, uint32_t ttl_cap);

    void remember_wildcard(const wire::RRset& expanded, std::span<const wire::RData> signatures,
                           const wire::Name& wildcard_parent, uint32_t ttl_cap);

    Verdict bogus(wire::ExtendedErrorCode code, std::string why) const;
    // SERVFAIL for this request only (Verdict::transient).
    Verdict transient(wire::ExtendedErrorOption error) const;
    // What a zone's keys mean for data they should have signed.
    Verdict for_data(const Verdict& keys) const;
    // `v` with `context` before its explanation.
    static Verdict in_context(Verdict v, const std::string& context);
    Verdict nsec3_limit_reached(const std::string& what);
    Verdict from_rrset_verdict(const dnssec::RRsetVerdict& v, const wire::RRset& rrset);

    ResolverContext& ctx_;
    RequestBudget& budget_;
};

}  // namespace cairn::resolve
