// Denial of existence with NSEC3 records (RFC 5155 §8, RFC 6840 §4,
// RFC 9276 §3.2).
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnssec/denial_proof.h"
#include "wire/encoding.h"
#include "wire/result.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

namespace {

using wire::Name;
using wire::RRType;

constexpr uint8_t kSha1 = 1;  // the only NSEC3 hash algorithm (RFC 5155 §11)
constexpr size_t kSha1Length = 20;
using Hash = std::array<uint8_t, kSha1Length>;

// IH(salt, name, iterations) of RFC 5155 §5 into `out`.
bool iterated_sha1(const Name& name, std::span<const uint8_t> salt, uint16_t iterations,
                   Hash& out) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx) return false;
    const Name canonical = name.lowercased();
    std::span<const uint8_t> input = canonical.wire();
    for (uint32_t i = 0; i <= iterations; ++i) {
        if (EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
            EVP_DigestUpdate(ctx.get(), input.data(), input.size()) != 1 ||
            EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 ||
            EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) != 1)
            return false;
        input = out;
    }
    return true;
}

struct Nsec3 {
    Hash owner{};
    Hash next{};
    wire::Nsec3Data data;
};

// The records one proof may use: all with the same parameters (RFC 5155
// §8.3 compares hashes made with one salt and iteration count), and
// whether others were left out for reasons that make the zone insecure.
struct Chain {
    std::vector<Nsec3> records;
    bool too_many_iterations = false;
    bool unsupported_hash = false;
};

std::optional<Hash> decode_hash(std::span<const uint8_t> text) {
    auto bytes = wire::decode_base32hex(
        std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
    if (!bytes || bytes->size() != kSha1Length) return std::nullopt;
    Hash hash;
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    return hash;
}

// Records the proofs must not rely on are skipped, never trusted: another
// zone's, owners that are not one hashed label under the apex (RFC 5155
// §3), flags other than opt-out (§8.2), or a second parameter set.
Chain zone_chain(std::span<const wire::Record> records, const Name& zone,
                 const ValidationLimits& limits) {
    Chain chain;
    for (const wire::Record& r : records) {
        if (r.type != RRType::NSEC3 || r.owner.label_count() != zone.label_count() + 1 ||
            !r.owner.is_subdomain_of(zone))
            continue;
        auto data = wire::Nsec3Data::from(r.rdata);
        if (!data) continue;
        if (data->hash_algorithm != kSha1) {
            chain.unsupported_hash = true;
            continue;
        }
        // RFC 9276 §3.2: checking would cost too much; such a zone is
        // treated as unsigned instead.
        if (data->iterations > limits.max_nsec3_iterations) {
            chain.too_many_iterations = true;
            continue;
        }
        auto owner = decode_hash(r.owner.label(0));
        if (!owner || data->flags > wire::Nsec3Data::kOptOutFlag ||
            data->next_hashed_owner.size() != kSha1Length)
            continue;
        if (!chain.records.empty()) {
            const wire::Nsec3Data& first = chain.records.front().data;
            if (data->iterations != first.iterations || data->salt != first.salt) continue;
        }
        Nsec3 nsec3;
        nsec3.owner = *owner;
        std::copy(data->next_hashed_owner.begin(), data->next_hashed_owner.end(),
                  nsec3.next.begin());
        nsec3.data = std::move(*data);
        chain.records.push_back(std::move(nsec3));
    }
    return chain;
}

// Hashes names with the chain's parameters, each hash spent from the
// request's budget (CVE-2023-50868: many labels times many iterations).
class Hasher {
public:
    Hasher(const wire::Nsec3Data& params, const ValidationLimits& limits, WorkCounter& work)
        : params_(params), limits_(limits), work_(work) {}

    std::optional<Hash> operator()(const Name& name) {
        if (work_.nsec3_hashes >= limits_.max_nsec3_hashes) {
            spent_ = true;
            return std::nullopt;
        }
        ++work_.nsec3_hashes;
        Hash hash;
        if (!iterated_sha1(name, params_.salt, params_.iterations, hash)) return std::nullopt;
        return hash;
    }
    // A hash was refused: the proof could not be completed.
    bool spent() const { return spent_; }

private:
    const wire::Nsec3Data& params_;
    const ValidationLimits& limits_;
    WorkCounter& work_;
    bool spent_ = false;
};

const Nsec3* find_match(const Chain& chain, const Hash& hash) {
    auto it = std::find_if(chain.records.begin(), chain.records.end(),
                           [&](const Nsec3& n) { return n.owner == hash; });
    return it == chain.records.end() ? nullptr : &*it;
}

// owner < hash < next; the last record of the chain wraps around to the
// first (next <= owner).
const Nsec3* find_cover(const Chain& chain, const Hash& hash) {
    auto it = std::find_if(chain.records.begin(), chain.records.end(), [&](const Nsec3& n) {
        if (n.owner < n.next) return n.owner < hash && hash < n.next;
        return n.owner < hash || hash < n.next;
    });
    return it == chain.records.end() ? nullptr : &*it;
}

constexpr const char* kNoHash = "could not hash a name";

DenialResult opt_out() {
    return {DenialResult::Status::kOptOut, false,
            "an NSEC3 opt-out span covers the next closer name"};
}

// RFC 5155 §9.2: a proof that rests on an opt-out span is not secure.
DenialResult proven_unless_opt_out(const Nsec3& next_closer_cover) {
    return next_closer_cover.data.opt_out() ? opt_out() : detail::proven();
}

struct ClosestEncloser {
    Name name;
    const Nsec3* next_closer_cover = nullptr;
};

// RFC 5155 §8.3 for a name no NSEC3 matches (its hash `qname_hash`): the
// deepest ancestor an NSEC3 matches, and the record that covers the name
// one label below it towards qname (the "next closer" name).
Result<ClosestEncloser, std::string> closest_encloser(const Chain& chain, Hasher& hash,
                                                      const Name& qname, const Hash& qname_hash,
                                                      const Name& zone) {
    Name next_closer = qname;
    Hash next_closer_hash = qname_hash;
    while (next_closer != zone) {
        const Name candidate = next_closer.parent();
        auto candidate_hash = hash(candidate);
        if (!candidate_hash) return Unexpected{kNoHash};
        if (const Nsec3* match = find_match(chain, *candidate_hash)) {
            // Below a delegation or DNAME the names are not this zone's to
            // deny (RFC 6840 §4.1).
            const wire::TypeBitmap& types = match->data.types;
            if (detail::is_delegation(types) || types.contains(RRType::DNAME))
                return Unexpected{"the closest encloser is a delegation or DNAME"};
            const Nsec3* cover = find_cover(chain, next_closer_hash);
            if (!cover) return Unexpected{"no NSEC3 covers the next closer name"};
            return ClosestEncloser{candidate, cover};
        }
        next_closer = candidate;
        next_closer_hash = *candidate_hash;
    }
    return Unexpected{"no NSEC3 matches an ancestor of the name"};
}

// RFC 5155 §8.4.
DenialResult nxdomain(const Chain& chain, Hasher& hash, const Name& qname, const Name& zone) {
    auto qname_hash = hash(qname);
    if (!qname_hash) return detail::not_proven(kNoHash);
    if (find_match(chain, *qname_hash)) return detail::not_proven("an NSEC3 matches the name");
    auto encloser = closest_encloser(chain, hash, qname, *qname_hash, zone);
    if (!encloser) return detail::not_proven(encloser.error());
    auto wildcard = detail::wildcard_at(encloser->name);
    auto wildcard_hash = wildcard ? hash(*wildcard) : std::nullopt;
    if (!wildcard_hash || !find_cover(chain, *wildcard_hash))
        return detail::not_proven("no NSEC3 covers the wildcard at the closest encloser");
    return proven_unless_opt_out(*encloser->next_closer_cover);
}

// RFC 5155 §8.5 - §8.7.
DenialResult nodata(const Chain& chain, Hasher& hash, const Name& qname, RRType qtype,
                    const Name& zone) {
    auto qname_hash = hash(qname);
    if (!qname_hash) return detail::not_proven(kNoHash);
    if (const Nsec3* match = find_match(chain, *qname_hash)) {
        if (const char* flaw = detail::type_denial_flaw(match->data.types, qtype, qname))
            return detail::not_proven(flaw);
        return detail::proven();
    }
    auto encloser = closest_encloser(chain, hash, qname, *qname_hash, zone);
    if (!encloser) return detail::not_proven(encloser.error());
    // No DS at a name in an opt-out span: it may be an unsigned delegation.
    if (qtype == RRType::DS && encloser->next_closer_cover->data.opt_out()) return opt_out();
    auto wildcard = detail::wildcard_at(encloser->name);
    std::optional<Hash> wildcard_hash;
    if (wildcard) {
        wildcard_hash = hash(*wildcard);
        if (!wildcard_hash) return detail::not_proven(kNoHash);
    }
    if (const Nsec3* source = wildcard_hash ? find_match(chain, *wildcard_hash) : nullptr) {
        if (const char* flaw = detail::type_denial_flaw(source->data.types, qtype, *wildcard))
            return detail::not_proven(flaw);
        return proven_unless_opt_out(*encloser->next_closer_cover);
    }
    // Erratum 3441 to §8.5: an opt-out zone leaves unsigned delegations,
    // and the empty non-terminals above them, out of its chain (§7.1), so
    // the name may exist without a record of its own.
    if (encloser->next_closer_cover->data.opt_out()) return opt_out();
    return detail::not_proven("no NSEC3 matches the name or its wildcard");
}

// RFC 5155 §8.8: the wildcard parent is the closest encloser (the RRSIG
// proved the wildcard exists), so only the next closer name is left.
DenialResult wildcard_answer(const Chain& chain, Hasher& hash, const Name& qname,
                             const Name& wildcard_parent) {
    auto next_closer_hash = hash(qname.suffix(wildcard_parent.label_count() + 1));
    if (!next_closer_hash) return detail::not_proven(kNoHash);
    const Nsec3* cover = find_cover(chain, *next_closer_hash);
    if (!cover) return detail::not_proven("no NSEC3 covers the next closer name");
    return proven_unless_opt_out(*cover);
}

DenialResult no_ds(const Chain& chain, Hasher& hash, const Name& qname, const Name& zone) {
    auto qname_hash = hash(qname);
    if (!qname_hash) return detail::not_proven(kNoHash);
    if (const Nsec3* match = find_match(chain, *qname_hash)) {
        if (const char* flaw = detail::type_denial_flaw(match->data.types, RRType::DS, qname))
            return detail::not_proven(flaw);
        return detail::proven(detail::is_delegation(match->data.types));
    }
    auto encloser = closest_encloser(chain, hash, qname, *qname_hash, zone);
    if (!encloser) return detail::not_proven(encloser.error());
    // Without opt-out the name does not exist, so neither does a zone cut.
    return proven_unless_opt_out(*encloser->next_closer_cover);
}

}  // namespace

std::vector<uint8_t> nsec3_hash(const wire::Name& name, std::span<const uint8_t> salt,
                                uint16_t iterations) {
    Hash hash;
    if (!iterated_sha1(name, salt, iterations, hash)) return {};
    return {hash.begin(), hash.end()};
}

DenialResult detail::prove_with_nsec3(DenialGoal goal, const Name& qname, RRType qtype,
                                      const Name& zone, std::span<const wire::Record> records,
                                      const std::optional<Name>& wildcard_parent,
                                      const ValidationLimits& limits, WorkCounter& work) {
    const Chain chain = zone_chain(records, zone, limits);
    DenialResult result = not_proven("no usable NSEC3 records");
    if (!chain.records.empty()) {
        Hasher hash(chain.records.front().data, limits, work);
        switch (goal) {
            case DenialGoal::kNxdomain: result = nxdomain(chain, hash, qname, zone); break;
            case DenialGoal::kNodata: result = nodata(chain, hash, qname, qtype, zone); break;
            case DenialGoal::kWildcardAnswer:
                result = wildcard_answer(chain, hash, qname, *wildcard_parent);
                break;
            case DenialGoal::kNoDs: result = no_ds(chain, hash, qname, zone); break;
        }
        if (result.status == DenialResult::Status::kNotProven && hash.spent())
            return {DenialResult::Status::kLimit, false, "NSEC3 hash budget spent"};
    }
    if (result.status != DenialResult::Status::kNotProven) return result;
    // The records that could have completed the proof were set aside.
    if (chain.too_many_iterations)
        return {DenialResult::Status::kIterationsTooHigh, false,
                "NSEC3 iterations above " + std::to_string(limits.max_nsec3_iterations)};
    if (chain.unsupported_hash)
        return {DenialResult::Status::kUnsupportedHash, false,
                "NSEC3 hash algorithm other than SHA-1"};
    return result;
}

}  // namespace cairn::dnssec
