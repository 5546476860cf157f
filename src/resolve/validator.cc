#include "resolve/validator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string>

#include "dnssec/algorithms.h"
#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/rrset_verifier.h"
#include "observe/log_limit.h"
#include "resolve/result_store.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {

namespace {

using cache::Security;
using wire::ExtendedErrorCode;
using wire::RRType;

// Zone cuts followed upwards while proving one zone's keys; a name has at
// most 127 labels, so this is never reached by honest data.
constexpr unsigned kMaxChainDepth = 128;
// How long "no trust anchor covers this zone" is remembered.
constexpr uint32_t kNoAnchorTtl = 3600;
// Distinct signer names tried for one RRset: a forger who adds RRSIGs naming
// other zones must not hide the genuine one, nor buy unbounded key fetches.
constexpr size_t kMaxSigners = 3;

std::optional<wire::RrsigData> rrsig_of(const wire::RData& rdata) {
    auto sig = wire::RrsigData::from(rdata);
    if (!sig) return std::nullopt;
    return *sig;
}

// The zones that may have signed `owner`'s data: the distinct signers, at
// or above the owner, of the RRSIGs that cover `type`; deepest first (the
// zone closest to the data), at most kMaxSigners.
std::vector<wire::Name> signers_of(std::span<const wire::RData> signatures, const wire::Name& owner,
                                   RRType type) {
    std::vector<wire::Name> out;
    for (const auto& rdata : signatures) {
        auto sig = rrsig_of(rdata);
        if (!sig || sig->type_covered != type || !owner.is_subdomain_of(sig->signer)) continue;
        if (std::find(out.begin(), out.end(), sig->signer) == out.end()) out.push_back(sig->signer);
    }
    std::sort(out.begin(), out.end(), [](const wire::Name& a, const wire::Name& b) {
        return a.label_count() > b.label_count();
    });
    if (out.size() > kMaxSigners) out.resize(kMaxSigners);
    return out;
}

std::vector<wire::RData> signatures_in(std::span<const wire::Record> records,
                                       const wire::Name& owner, RRType type) {
    std::vector<wire::RData> out;
    for (const auto& r : records) {
        if (r.type != RRType::RRSIG || r.owner != owner) continue;
        auto sig = rrsig_of(r.rdata);
        if (sig && sig->type_covered == type) out.push_back(r.rdata);
    }
    return out;
}

uint32_t min_ttl(std::span<const wire::Record> records) {
    uint32_t ttl = UINT32_MAX;
    for (const auto& r : records)
        ttl = std::min(ttl, r.ttl);
    return ttl == UINT32_MAX ? 0 : ttl;
}

bool is_denial_type(RRType type) {
    return type == RRType::NSEC || type == RRType::NSEC3;
}

// The zone whose SOA came with a denial of `name` (for the trace; the root
// when there is none).
wire::Name signer_of_denial(const wire::Name& name, std::span<const wire::Record> authority) {
    for (const auto& r : authority)
        if (r.type == RRType::SOA && name.is_subdomain_of(r.owner)) return r.owner;
    return wire::Name::root();
}

}  // namespace

// What fetch() found for (name, type): the RRset with its signatures, or a
// negative answer with its authority records, or nothing.
struct Validator::Fetched {
    enum class Kind : uint8_t { kAnswer, kNegative, kFailed };
    Kind kind = Kind::kFailed;
    wire::RRset rrset;
    std::vector<wire::RData> signatures;
    wire::Rcode rcode = wire::Rcode::NOERROR;
    std::vector<wire::Record> authority;
    // For kFailed: why, as the lookup's Extended DNS Error.
    wire::ExtendedErrorOption error{ExtendedErrorCode::kOther, {}};
    // Fetched just now from upstream: the zone asked and the server that
    // answered.
    wire::Name zone;
    std::optional<wire::IpAddress> server;
};

bool Validator::under_negative_anchor(const wire::Name& name) const {
    const auto& ntas = ctx_.options.dnssec.negative_trust_anchors;
    return std::any_of(ntas.begin(), ntas.end(),
                       [&](const wire::Name& nta) { return name.is_subdomain_of(nta); });
}

wire::Name Validator::known_zone_of(const wire::Name& name) const {
    for (wire::Name zone = name; !zone.is_root(); zone = zone.parent())
        if (ctx_.caches.rrsets.peek(zone, RRType::NS)) return zone;
    return wire::Name::root();
}

void Validator::trace_check(trace::Check::What what, const wire::Name& zone,
                            trace::Check::Basis basis, const Verdict& v,
                            const wire::Question& subject) const {
    note(budget_.trace,
         [&] { return trace::Check{what, zone, subject, basis, v.security, v.error}; });
}

Verdict Validator::bogus(ExtendedErrorCode code, std::string why) const {
    return bogus_verdict(code, std::move(why), ctx_.options.dnssec);
}

Verdict Validator::transient(wire::ExtendedErrorOption error) const {
    return transient_verdict(std::move(error), ctx_.options.dnssec);
}

Verdict Validator::nsec3_limit_reached(const std::string& what) {
    dnssec::DenialResult limit;
    limit.status = dnssec::DenialResult::Status::kLimit;
    return denial_verdict(limit, what, 0).verdict;
}

Verdict Validator::for_data(const Verdict& keys) const {
    Verdict v = keys;
    v.dnskeys.reset();
    v.ttl_cap = keys.security == Security::kBogus ? ctx_.options.dnssec.bogus_ttl : UINT32_MAX;
    return v;
}

Verdict Validator::in_context(Verdict v, const std::string& context) {
    if (v.error) v.error->extra_text = context + v.error->extra_text;
    return v;
}

dnssec::RRsetVerdict Validator::verify(const wire::RRset& rrset,
                                       std::span<const wire::RData> signatures, const Verdict& keys,
                                       const wire::Name& zone) {
    // The zone's keys are proven once per TTL through their own cache, so
    // only the data below them is worth remembering as verified.
    if (rrset.type != RRType::DNSKEY && rrset.type != RRType::DS &&
        ctx_.caches.rrsets.holds_secure(rrset, signatures))
        if (auto v = dnssec::recheck_verified(rrset, signatures, zone, ctx_.clock.now())) {
            ++ctx_.metrics.dnssec_verifications_saved;
            return *v;
        }
    auto& work = budget_.dnssec_work;
    const uint32_t before = work.verifications;
    static const dnssec::KeySet kNoKeys{wire::RRset{}};
    const auto& limits = ctx_.options.dnssec.limits;
    auto v =
        dnssec::verify_rrset(rrset, signatures, keys.dnskeys ? *keys.dnskeys : kNoKeys, zone,
                             ctx_.clock.now(), keys.held ? limits.for_held_zone() : limits, work);
    ctx_.metrics.dnssec_verifications += work.verifications - before;
    if (v.keys_per_tag_capped) ++ctx_.metrics.limit_dnssec_keys_per_tag;
    if (v.status != dnssec::RRsetVerdict::Status::kLimit) {
        if (v.keys_per_tag_capped) hold(zone);
        return v;
    }
    if (keys.held) {
        ++ctx_.metrics.dnssec_held_rrsets;
        return v;
    }
    ++ctx_.metrics.limit_dnssec_verifications;
    // The request's own budget running out says nothing about this zone.
    if (v.rrset_budget_spent || v.keys_per_tag_capped) hold(zone);
    return v;
}

void Validator::hold(const wire::Name& zone) {
    const uint32_t seconds = ctx_.options.dnssec.limit_hold;
    if (seconds == 0) return;
    ctx_.caches.keys.hold(zone, seconds);
    ++ctx_.metrics.dnssec_limit_holds;
    static observe::LogLimit hold_log(10);
    if (auto held = hold_log.admit())
        spdlog::warn(
            "DNSSEC work limit reached in {} (KeyTrap?): its data is checked under "
            "the held limits for {} s (dnssec-limit-hold){}",
            zone.to_text(), seconds, observe::held_back(*held));
}

void Validator::hold_wildcard(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                              const dnssec::RRsetVerdict& v, const wire::Name& zone) {
    const uint32_t seconds = ctx_.options.dnssec.limit_hold;
    if (v.status != dnssec::RRsetVerdict::Status::kLimit || !v.crowded_tag || seconds == 0) return;
    const size_t owner_labels = rrset.owner.label_count() - (rrset.owner.is_wildcard() ? 1 : 0);
    for (const auto& rdata : signatures) {
        auto sig = rrsig_of(rdata);
        if (!sig || sig->signer != zone || sig->type_covered != rrset.type) continue;
        if (sig->labels >= owner_labels || sig->labels < zone.label_count()) continue;
        ctx_.caches.keys.hold_wildcard(rrset.owner.suffix(sig->labels), rrset.type, seconds);
        return;
    }
}

Verdict Validator::from_rrset_verdict(const dnssec::RRsetVerdict& v, const wire::RRset& rrset) {
    return rrset_verdict(v, rrset, ctx_.options.dnssec);
}

std::vector<wire::Record> Validator::verified_denials(std::span<const wire::Record> records,
                                                      const Verdict& keys, const wire::Name& zone,
                                                      uint32_t& ttl_cap,
                                                      std::optional<Verdict>& failure) {
    std::vector<wire::Record> denials;
    for (const auto& r : records)
        if (is_denial_type(r.type)) denials.push_back(r);
    std::vector<wire::Record> verified;
    for (auto& rrset : wire::group_rrsets(denials)) {
        const auto sigs = signatures_in(records, rrset.owner, rrset.type);
        auto v = verify(rrset, sigs, keys, zone);
        if (v.status == dnssec::RRsetVerdict::Status::kLimit) {
            failure = from_rrset_verdict(v, rrset);
            return {};
        }
        // A record that does not verify proves nothing; the proof may still
        // hold without it.
        if (v.status != dnssec::RRsetVerdict::Status::kValid) continue;
        remember_verified(rrset, sigs, v);
        ttl_cap = std::min(ttl_cap, v.ttl_cap);
        for (auto& r : rrset.to_records())
            verified.push_back(std::move(r));
    }
    return verified;
}

void Validator::remember_verified(const wire::RRset& rrset, std::span<const wire::RData> signatures,
                                  const dnssec::RRsetVerdict& v) {
    // A record of the zone in its own right, whatever the answer it came
    // with proves; an expansion is not (its wildcard's proof is not kept).
    if (v.status != dnssec::RRsetVerdict::Status::kValid || v.wildcard_parent) return;
    ctx_.caches.rrsets.set_security(rrset, signatures, Security::kSecure, std::nullopt, v.ttl_cap);
}

void Validator::remember_denials(const wire::Name& zone, std::span<const wire::Record> verified,
                                 std::span<const wire::Record> all, uint32_t ttl_cap) {
    if (!ctx_.options.aggressive_nsec) return;
    for (const auto& r : verified)
        ctx_.caches.denials.insert_denial(zone, r, signatures_in(all, r.owner, r.type), ttl_cap);
}

void Validator::remember_wildcard(const wire::RRset& expanded,
                                  std::span<const wire::RData> signatures,
                                  const wire::Name& wildcard_parent, uint32_t ttl_cap) {
    if (!ctx_.options.aggressive_nsec) return;
    constexpr std::array<uint8_t, 1> kStar = {'*'};
    auto owner = wildcard_parent.prepend(kStar);
    if (!owner) return;
    // The wildcard's own RRset, as proven through its expansion: later
    // names it covers can be answered from it (RFC 8198 §5.3).
    wire::RRset wildcard = expanded;
    wildcard.owner = *owner;
    wildcard.ttl = std::min(wildcard.ttl, ttl_cap);
    ctx_.caches.rrsets.insert(wildcard, signatures, cache::Trust::kValidated, Security::kSecure);
}

asio::awaitable<Verdict> Validator::rrset(const wire::RRset& rrset,
                                          std::span<const wire::RData> signatures,
                                          std::span<const wire::Record> proof) {
    // Not a coroutine itself: an untraced request pays no frame for the
    // trace. The caller awaits at once, so the references stay valid.
    return budget_.trace ? traced_rrset(rrset, signatures, proof)
                         : check_rrset(rrset, signatures, proof);
}

asio::awaitable<Verdict> Validator::traced_rrset(const wire::RRset& rrset,
                                                 std::span<const wire::RData> signatures,
                                                 std::span<const wire::Record> proof) {
    auto v = co_await check_rrset(rrset, signatures, proof);
    if (!ctx_.options.dnssec.enabled) co_return v;
    const auto signers = signers_of(signatures, rrset.owner, rrset.type);
    const auto basis = under_negative_anchor(rrset.owner)
                           ? trace::Check::Basis::kNegativeTrustAnchor
                       : signers.empty() ? trace::Check::Basis::kUnsigned
                                         : trace::Check::Basis::kChecked;
    trace_check(trace::Check::What::kRrset, signers.empty() ? wire::Name() : signers.front(), basis,
                v, {rrset.owner, rrset.type, rrset.rclass});
    co_return v;
}

asio::awaitable<Verdict> Validator::check_rrset(const wire::RRset& rrset,
                                                std::span<const wire::RData> signatures,
                                                std::span<const wire::Record> proof) {
    if (!ctx_.options.dnssec.enabled) co_return Verdict{};
    if (under_negative_anchor(rrset.owner)) co_return Verdict::of(Security::kInsecure);
    const auto signers = signers_of(signatures, rrset.owner, rrset.type);
    if (signers.empty()) co_return co_await unsigned_rrset(rrset);
    // RFC 6840 §5.11: any one valid path will do.
    std::optional<Verdict> failure;
    for (const auto& zone : signers) {
        const auto keys = co_await keys_for(zone, 0);
        // Keys proven insecure at or above the signer: the data lies in an
        // insecure zone whatever its RRSIGs say.
        if (keys.security == Security::kInsecure) co_return for_data(keys);
        Verdict verdict = for_data(keys);
        if (keys.security == Security::kSecure) {
            auto v = verify(rrset, signatures, keys, zone);
            hold_wildcard(rrset, signatures, v, zone);
            verdict = from_rrset_verdict(v, rrset);
            if (verdict.security == Security::kSecure) {
                if (!v.wildcard_parent) co_return verdict;
                co_return co_await wildcard_answer(rrset, signatures, proof, keys, zone,
                                                   *v.wildcard_parent, verdict);
            }
        }
        if (verdict.transient) co_return verdict;
        if (!failure) failure = verdict;
    }
    co_return *failure;
}

asio::awaitable<Verdict> Validator::unsigned_rrset(const wire::RRset& rrset) {
    // No RRSIG names a zone: the data is fine only if it lies in an insecure
    // zone. The cached delegations give the deepest zone known; a cut below
    // it whose NS records have left the cache is found by asking for the DS
    // of each name down to the data's zone (DS belongs to the parent side).
    const wire::Name& owner = rrset.owner;
    const wire::Name bottom = rrset.type == RRType::DS && !owner.is_root() ? owner.parent() : owner;
    const wire::Name top = known_zone_of(bottom);
    auto keys = co_await keys_for(top, 0);
    for (size_t labels = top.label_count() + 1;
         keys.security == Security::kSecure && labels <= bottom.label_count(); ++labels)
        keys = co_await keys_for(bottom.suffix(labels), 0);
    if (keys.security != Security::kSecure) co_return for_data(keys);
    co_return bogus(ExtendedErrorCode::kRrsigsMissing,
                    "no RRSIG covers " + owner.to_text() + "/" + wire::to_string(rrset.type));
}

asio::awaitable<Verdict> Validator::wildcard_answer(const wire::RRset& rrset,
                                                    std::span<const wire::RData> signatures,
                                                    std::span<const wire::Record> proof,
                                                    const Verdict& keys, const wire::Name& zone,
                                                    const wire::Name& wildcard_parent,
                                                    Verdict verdict) {
    // A wildcard expansion: the name asked for must not exist (RFC 4035
    // §5.3.4), or the wildcard could be hiding real data.
    std::optional<Verdict> failure;
    const auto denials = verified_denials(proof, keys, zone, verdict.ttl_cap, failure);
    if (failure) co_return *failure;
    auto r = dnssec::prove_denial(dnssec::DenialGoal::kWildcardAnswer, rrset.owner, rrset.type,
                                  zone, denials, wildcard_parent, ctx_.options.dnssec.limits,
                                  budget_.dnssec_work);
    using Status = dnssec::DenialResult::Status;
    switch (r.status) {
        case Status::kProven:
            remember_denials(zone, denials, proof, verdict.ttl_cap);
            remember_wildcard(rrset, signatures, wildcard_parent, verdict.ttl_cap);
            co_return verdict;
        case Status::kOptOut:
            // RFC 5155 §9.2: an opt-out span may hide an unsigned delegation
            // of the very name, so the expansion cannot be called secure.
            co_return Verdict::of(Security::kInsecure);
        case Status::kIterationsTooHigh:
            co_return Verdict::of(
                Security::kInsecure,
                wire::ExtendedErrorOption{ExtendedErrorCode::kUnsupportedNsec3Iterations, r.why});
        case Status::kUnsupportedHash: co_return Verdict::of(Security::kInsecure);
        case Status::kLimit: co_return nsec3_limit_reached(rrset.owner.to_text());
        case Status::kNotProven: break;
    }
    co_return bogus(ExtendedErrorCode::kNsecMissing,
                    "wildcard answer for " + rrset.owner.to_text() +
                        " without proof that the name does not exist: " + r.why);
}

asio::awaitable<Verdict> Validator::negative(wire::Rcode rcode, const wire::Question& question,
                                             std::span<const wire::Record> authority) {
    if (!ctx_.options.dnssec.enabled) co_return Verdict{};
    auto denial = co_await prove_negative(rcode, question, authority, 0);
    if (budget_.trace) {
        const auto what = rcode == wire::Rcode::NXDOMAIN ? trace::Check::What::kNxdomain
                                                         : trace::Check::What::kNodata;
        const auto basis = under_negative_anchor(question.name)
                               ? trace::Check::Basis::kNegativeTrustAnchor
                               : trace::Check::Basis::kChecked;
        trace_check(what, signer_of_denial(question.name, authority), basis, denial.verdict,
                    question);
    }
    co_return denial.verdict;
}

asio::awaitable<DenialVerdict> Validator::prove_negative(wire::Rcode rcode,
                                                         const wire::Question& question,
                                                         std::span<const wire::Record> authority,
                                                         unsigned depth) {
    DenialVerdict out;
    if (under_negative_anchor(question.name)) {
        out.verdict.security = Security::kInsecure;
        co_return out;
    }
    // The zone that answered: the signer of the SOA (or of a denial record),
    // else the SOA's owner, else the closest zone known.
    const wire::Record* soa = nullptr;
    for (const auto& r : authority)
        if (r.type == RRType::SOA && question.name.is_subdomain_of(r.owner)) soa = &r;
    // A SOA's owner is its zone's apex, so the SOA names the zone; its
    // RRSIGs must be by that zone.
    std::optional<wire::Name> zone;
    if (soa) zone = soa->owner;
    for (const auto& r : authority) {
        if (zone) break;
        if (!is_denial_type(r.type)) continue;
        const auto signers = signers_of(signatures_in(authority, r.owner, r.type), r.owner, r.type);
        if (!signers.empty()) zone = signers.front();
    }
    if (!zone) zone = known_zone_of(question.name);
    const auto keys = co_await keys_for(*zone, depth);
    if (keys.security != Security::kSecure) {
        out.verdict = for_data(keys);
        co_return out;
    }
    const std::string what = question.name.to_text() + "/" + wire::to_string(question.type);
    uint32_t ttl_cap = UINT32_MAX;
    // The SOA only says how long the answer may be cached (RFC 2308); it is
    // no part of the proof (RFC 4035 §5.4), so a denial without one (a DS
    // NODATA in a referral) is judged by its NSEC/NSEC3 records alone. One
    // that is present must verify.
    if (soa) {
        wire::RRset soa_set{soa->owner, RRType::SOA, soa->rclass, soa->ttl, {soa->rdata}};
        const auto soa_signatures = signatures_in(authority, soa->owner, RRType::SOA);
        auto v = verify(soa_set, soa_signatures, keys, *zone);
        Verdict verdict = from_rrset_verdict(v, soa_set);
        if (verdict.security != Security::kSecure) {
            out.verdict = verdict;
            co_return out;
        }
        remember_verified(soa_set, soa_signatures, v);
        ttl_cap = verdict.ttl_cap;
    }
    std::optional<Verdict> failure;
    const auto denials = verified_denials(authority, keys, *zone, ttl_cap, failure);
    if (failure) {
        out.verdict = *failure;
        co_return out;
    }
    const auto goal = rcode == wire::Rcode::NXDOMAIN ? dnssec::DenialGoal::kNxdomain
                      : question.type == RRType::DS  ? dnssec::DenialGoal::kNoDs
                                                     : dnssec::DenialGoal::kNodata;
    auto r = dnssec::prove_denial(goal, question.name, question.type, *zone, denials, std::nullopt,
                                  ctx_.options.dnssec.limits, budget_.dnssec_work);
    out = denial_verdict(r, what, ttl_cap);
    if (r.status != dnssec::DenialResult::Status::kProven || !soa) co_return out;
    // RFC 9077: denial records prove nothing for longer than the negative
    // TTL (the SOA here already carries it).
    remember_denials(*zone, denials, authority, std::min(ttl_cap, soa->ttl));
    if (ctx_.options.aggressive_nsec)
        ctx_.caches.denials.insert_soa(*zone, *soa,
                                       signatures_in(authority, soa->owner, RRType::SOA),
                                       std::min(ttl_cap, soa->ttl));
    co_return out;
}

DenialVerdict Validator::denial_verdict(const dnssec::DenialResult& r, const std::string& what,
                                        uint32_t ttl_cap) {
    if (r.status == dnssec::DenialResult::Status::kLimit) ++ctx_.metrics.limit_nsec3_hashes;
    return resolve::denial_verdict(r, what, ttl_cap, ctx_.options.dnssec);
}

asio::awaitable<Verdict> Validator::keys_for(const wire::Name& zone, unsigned depth) {
    if (under_negative_anchor(zone)) {
        const auto insecure = Verdict::of(Security::kInsecure);
        trace_check(trace::Check::What::kKeys, zone, trace::Check::Basis::kNegativeTrustAnchor,
                    insecure);
        co_return insecure;
    }
    if (auto cached = ctx_.caches.keys.lookup(zone)) {
        trace_check(trace::Check::What::kKeys, zone, trace::Check::Basis::kCache, *cached);
        co_return *cached;
    }
    uint32_t ttl = 0;
    auto keys = co_await prove_keys(zone, depth, ttl);
    if (keys.transient) co_return keys;
    if (keys.security == Security::kBogus) ttl = ctx_.options.dnssec.bogus_ttl;
    if (ttl > 0) ctx_.caches.keys.insert(zone, keys, ttl);
    co_return keys;
}

asio::awaitable<Verdict> Validator::prove_keys(const wire::Name& zone, unsigned depth,
                                               uint32_t& ttl) {
    const auto& anchors = ctx_.options.dnssec.anchors;
    const std::string zone_text = zone.to_text();
    if (const auto* anchor = anchors.find(zone))
        co_return co_await keys_from_ds(zone, anchor->ds, anchor->dnskeys, ttl);
    if (!anchors.closest(zone)) {
        ttl = kNoAnchorTtl;
        const auto insecure = Verdict::of(Security::kInsecure);
        trace_check(trace::Check::What::kKeys, zone, trace::Check::Basis::kNoTrustAnchor, insecure);
        co_return insecure;
    }
    if (depth >= kMaxChainDepth || zone.is_root())
        co_return bogus(ExtendedErrorCode::kDnssecBogus, "no chain of trust reaches " + zone_text);

    // Nothing below an insecure (or bogus) zone is secure, no anchor being
    // closer (above): its DS is not asked for. Not cached either: the
    // enclosing zone's entry says it again at no cost, and a flood of
    // zones under one insecure parent takes no room in the key cache.
    const auto enclosing = co_await keys_for(known_zone_of(zone.parent()), depth + 1);
    if (enclosing.transient || enclosing.security != Security::kSecure) {
        trace_check(trace::Check::What::kKeys, zone, trace::Check::Basis::kInsecureParent,
                    enclosing);
        co_return enclosing;
    }

    // The DS RRset in the parent says how the zone is signed, if at all.
    auto ds = co_await fetch(zone, RRType::DS);
    if (ds.kind == Fetched::Kind::kFailed)
        co_return in_context(transient(ds.error), "cannot get the DS of " + zone_text + ": ");
    if (ds.kind == Fetched::Kind::kNegative) {
        auto denial = co_await prove_negative(ds.rcode, {zone, RRType::DS, wire::RRClass::IN},
                                              ds.authority, depth + 1);
        const auto& v = denial.verdict;
        if (v.security == Security::kSecure && !denial.delegation) {
            // Not a zone cut: the name belongs to its parent's zone.
            co_return co_await keys_for(known_zone_of(zone.parent()), depth + 1);
        }
        if (v.security == Security::kBogus || v.transient) {
            auto failed = in_context(v, "DS of " + zone_text + ": ");
            trace_check(trace::Check::What::kDs, zone, trace::Check::Basis::kNoDs, failed);
            co_return failed;
        }
        // A proven (or opted-out) absence of DS: the zone is unsigned.
        ttl = std::max<uint32_t>(1, std::min(min_ttl(ds.authority), v.ttl_cap));
        auto insecure = v;
        insecure.security = Security::kInsecure;
        trace_check(trace::Check::What::kDs, zone, trace::Check::Basis::kNoDs, insecure);
        co_return insecure;
    }
    // The DS is the parent's data, signed by a zone strictly above.
    auto signers = signers_of(ds.signatures, zone, RRType::DS);
    std::erase(signers, zone);
    const wire::Name parent_zone = signers.empty() ? known_zone_of(zone.parent()) : signers.front();
    const auto parent_keys = co_await keys_for(parent_zone, depth + 1);
    if (parent_keys.security != Security::kSecure) {
        // An insecure parent cannot vouch for its child's DS.
        ttl = std::max<uint32_t>(1, ds.rrset.ttl);
        co_return parent_keys;
    }
    auto v = verify(ds.rrset, ds.signatures, parent_keys, parent_zone);
    const Verdict ds_verdict = from_rrset_verdict(v, ds.rrset);
    trace_check(trace::Check::What::kDs, zone, trace::Check::Basis::kChecked, ds_verdict,
                {zone, RRType::DS, wire::RRClass::IN});
    if (!ds_verdict.transient)
        ctx_.caches.rrsets.set_security(
            ds.rrset, ds.signatures, ds_verdict.security,
            ds_verdict.error ? std::optional(ds_verdict.error->code) : std::nullopt,
            ds_verdict.ttl_cap);
    if (ds_verdict.security != Security::kSecure) co_return ds_verdict;
    auto keys = co_await keys_from_ds(zone, ds.rrset, {}, ttl);
    ttl = std::min(ttl, v.ttl_cap);
    co_return keys;
}

asio::awaitable<Verdict> Validator::keys_from_ds(const wire::Name& zone, const wire::RRset& ds,
                                                 const wire::RRset& anchor_keys, uint32_t& ttl) {
    const std::string zone_text = zone.to_text();
    // RFC 4035 §5.2: a DS set with no algorithm (or digest, RFC 6840 §5.2)
    // we can check makes the zone insecure, not bogus. RFC 4509 §3: SHA-1
    // digests are ignored when a stronger one is present.
    std::vector<wire::DsData> usable;
    bool algorithm_known = false;
    for (const auto& rdata : ds.rdatas) {
        auto d = wire::DsData::from(rdata);
        if (!d || !dnssec::algorithm_supported(d->algorithm)) continue;
        algorithm_known = true;
        if (dnssec::digest_supported(d->digest_type)) usable.push_back(*d);
    }
    const bool strong = std::any_of(usable.begin(), usable.end(), [](const wire::DsData& d) {
        return d.digest_type != dnssec::digest::kSha1;
    });
    if (strong)
        std::erase_if(usable,
                      [](const wire::DsData& d) { return d.digest_type == dnssec::digest::kSha1; });
    if (usable.empty() && anchor_keys.rdatas.empty()) {
        ttl = std::max<uint32_t>(1, ds.ttl);
        const auto code = algorithm_known ? ExtendedErrorCode::kUnsupportedDsDigestType
                                          : ExtendedErrorCode::kUnsupportedDnskeyAlgorithm;
        auto insecure =
            Verdict::of(Security::kInsecure,
                        wire::ExtendedErrorOption{
                            code, "the DS records of " + zone_text +
                                      (algorithm_known ? " use only unsupported digest types"
                                                       : " use only unsupported algorithms")});
        trace_check(trace::Check::What::kKeys, zone, trace::Check::Basis::kChecked, insecure);
        co_return insecure;
    }

    // One server's bad keys are not the zone's (issue 13, point 9): a
    // DNSKEY RRset that fails is fetched again from up to
    // kMaxBogusRetries other servers before the zone is called bogus.
    std::optional<Verdict> rejected;
    for (bool refresh = false;; refresh = true) {
        auto dnskey = co_await fetch(zone, RRType::DNSKEY, refresh);
        // No other server could be asked: the verdict on the first stands.
        if (rejected && dnskey.kind == Fetched::Kind::kFailed) co_return *rejected;
        auto keys = check_dnskeys(zone, dnskey, usable, anchor_keys, ttl);
        if (budget_.trace)
            trace_check(trace::Check::What::kDnskey, zone,
                        ctx_.options.dnssec.anchors.find(zone) ? trace::Check::Basis::kTrustAnchor
                                                               : trace::Check::Basis::kChecked,
                        keys, {zone, RRType::DNSKEY, wire::RRClass::IN});
        if (keys.security != Security::kBogus || keys.transient || !exclude_server(dnskey))
            co_return keys;
        rejected = std::move(keys);
    }
}

Verdict Validator::check_dnskeys(const wire::Name& zone, const Fetched& dnskey,
                                 std::span<const wire::DsData> usable,
                                 const wire::RRset& anchor_keys, uint32_t& ttl) {
    const std::string zone_text = zone.to_text();
    if (dnskey.kind == Fetched::Kind::kFailed)
        return in_context(transient(dnskey.error), "cannot get the DNSKEY of " + zone_text + ": ");
    if (dnskey.kind != Fetched::Kind::kAnswer)
        return bogus(ExtendedErrorCode::kDnskeyMissing, "no DNSKEY RRset for " + zone_text);
    auto entry_keys = vouched_keys(zone, dnskey.rrset, usable, anchor_keys);
    if (entry_keys.rdatas.empty())
        return bogus(ExtendedErrorCode::kDnskeyMissing,
                     "no DNSKEY of " + zone_text + " matches its DS or trust anchor");
    // RFC 4035 §5.2: the DNSKEY RRset must be signed by a key the DS names;
    // signatures by other keys of the set do not count.
    const bool signed_by_entry_key =
        std::any_of(dnskey.signatures.begin(), dnskey.signatures.end(), [&](const auto& rdata) {
            auto sig = rrsig_of(rdata);
            return sig && std::any_of(entry_keys.rdatas.begin(), entry_keys.rdatas.end(),
                                      [&](const wire::RData& key) {
                                          auto k = wire::DnskeyData::from(key);
                                          return k && k->algorithm == sig->algorithm &&
                                                 dnssec::key_tag(key) == sig->key_tag;
                                      });
        });
    if (!signed_by_entry_key)
        return bogus(ExtendedErrorCode::kRrsigsMissing,
                     "no RRSIG over the DNSKEY RRset of " + zone_text +
                         " by a key its DS or trust anchor names");
    auto vouched = Verdict::of(Security::kSecure);
    vouched.dnskeys = dnssec::KeySet::shared(std::move(entry_keys));
    auto v = verify(dnskey.rrset, dnskey.signatures, vouched, zone);
    const Verdict verdict = from_rrset_verdict(v, dnskey.rrset);
    if (!verdict.transient)
        ctx_.caches.rrsets.set_security(
            dnskey.rrset, dnskey.signatures, verdict.security,
            verdict.error ? std::optional(verdict.error->code) : std::nullopt, verdict.ttl_cap);
    if (verdict.security != Security::kSecure)
        return in_context(verdict, "DNSKEY RRset of " + zone_text + ": ");
    ttl = std::max<uint32_t>(1, std::min(dnskey.rrset.ttl, verdict.ttl_cap));
    auto keys = Verdict::of(Security::kSecure);
    keys.dnskeys = dnssec::KeySet::shared(dnskey.rrset);
    return keys;
}

wire::RRset Validator::vouched_keys(const wire::Name& zone, const wire::RRset& dnskeys,
                                    std::span<const wire::DsData> usable,
                                    const wire::RRset& anchor_keys) const {
    wire::RRset entry_keys{zone, RRType::DNSKEY, wire::RRClass::IN, dnskeys.ttl, {}};
    const uint32_t max_tries = ctx_.options.dnssec.limits.max_keys_per_tag;
    for (const auto& rdata : dnskeys.rdatas) {
        auto key = wire::DnskeyData::from(rdata);
        if (!key || !key->zone_key() || key->revoked()) continue;
        bool matched = std::find(anchor_keys.rdatas.begin(), anchor_keys.rdatas.end(), rdata) !=
                       anchor_keys.rdatas.end();
        for (const auto& d : usable) {
            if (matched) break;
            matched = dnssec::ds_matches(d, zone, rdata);
        }
        if (matched) entry_keys.add(rdata);
        if (entry_keys.rdatas.size() >= max_tries * std::max<size_t>(1, usable.size())) break;
    }
    return entry_keys;
}

bool Validator::exclude_server(const Fetched& fetched) {
    if (!fetched.server || budget_.bogus_retries >= kMaxBogusRetries) return false;
    budget_.excluded.push_back({fetched.zone, *fetched.server});
    ++budget_.bogus_retries;
    ++ctx_.metrics.bogus_retries;
    return true;
}

namespace {

trace::Found found_of(const Validator::Fetched& fetched) {
    switch (fetched.kind) {
        case Validator::Fetched::Kind::kAnswer: return trace::Found::kAnswer;
        case Validator::Fetched::Kind::kNegative:
            return fetched.rcode == wire::Rcode::NXDOMAIN ? trace::Found::kNxdomain
                                                          : trace::Found::kNodata;
        case Validator::Fetched::Kind::kFailed: break;
    }
    return trace::Found::kFailed;
}

}  // namespace

asio::awaitable<Validator::Fetched> Validator::fetch(const wire::Name& name, RRType type,
                                                     bool refresh) {
    const wire::Question question{name, type, wire::RRClass::IN};
    if (type == RRType::DNSKEY && !refresh) {
        if (auto early = co_await Iterator::take_early_keys(ctx_, name)) {
            auto fetched = fetched_from(question, std::move(*early));
            note(budget_.trace, [&] { return trace::Fetch{question, false, found_of(fetched)}; });
            co_return fetched;
        }
    }
    if (auto cached = refresh ? std::nullopt : fetch_cached(question)) {
        note(budget_.trace, [&] { return trace::Fetch{question, true, found_of(*cached)}; });
        co_return std::move(*cached);
    }
    TraceScope traced(budget_.trace, [&] {
        return trace::Fetch{question, false, trace::Found::kFailed};
    });
    auto fetched = co_await fetch_upstream(question);
    if (auto* event = traced.event<trace::Fetch>()) event->found = found_of(fetched);
    co_return fetched;
}

std::optional<Validator::Fetched> Validator::fetch_cached(const wire::Question& question) const {
    Fetched out;
    // A DS RRset from a referral is the parent's own signed data, as good as
    // an answer for validation; glue never is.
    const auto min_trust = question.type == RRType::DS ? cache::Trust::kAuthorityReferral
                                                       : cache::Trust::kAnswerNonAuth;
    auto cached = ctx_.caches.rrsets.peek(question.name, question.type);
    if (cached && cached->trust >= min_trust) {
        out.kind = Fetched::Kind::kAnswer;
        out.rrset = std::move(cached->rrset);
        out.signatures = std::move(cached->signatures);
        return out;
    }
    if (auto negative = ctx_.caches.negatives.lookup(question.name, question.type)) {
        out.kind = Fetched::Kind::kNegative;
        out.rcode = negative->rcode;
        out.authority = std::move(negative->authority);
        return out;
    }
    return std::nullopt;
}

asio::awaitable<Validator::Fetched> Validator::fetch_upstream(const wire::Question& question) {
    Iterator iterator(ctx_, budget_);
    auto result = co_await iterator.lookup(question);
    // Cached as it came; what the checks below conclude is recorded on it.
    store_unvalidated(ctx_.caches, question, result);
    co_return fetched_from(question, std::move(result));
}

Validator::Fetched Validator::fetched_from(const wire::Question& question, LookupResult result) {
    Fetched out;
    if (result.error) {
        out.error = *result.error;
        return out;
    }
    out.zone = result.zone;
    out.server = result.server;
    switch (result.kind) {
        case ResponseKind::kAnswer:
            for (auto& answer : result.answer) {
                if (answer.rrset.owner != question.name || answer.rrset.type != question.type)
                    continue;
                out.kind = Fetched::Kind::kAnswer;
                out.rrset = std::move(answer.rrset);
                out.signatures = std::move(answer.signatures);
            }
            if (out.kind != Fetched::Kind::kAnswer)
                out.error = {ExtendedErrorCode::kInvalidData, "answer without the RRset"};
            break;
        case ResponseKind::kNxdomain:
        case ResponseKind::kNodata:
            out.kind = Fetched::Kind::kNegative;
            out.rcode = result.kind == ResponseKind::kNxdomain ? wire::Rcode::NXDOMAIN
                                                               : wire::Rcode::NOERROR;
            out.authority = std::move(result.authority);
            break;
        default: out.error = {ExtendedErrorCode::kInvalidData, "unexpected answer"}; break;
    }
    return out;
}

}  // namespace cairn::resolve
