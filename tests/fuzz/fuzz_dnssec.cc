// The DNSSEC primitives on whatever a hostile server could send: every RRset
// of a parsed message checked against its DNSKEYs, every key decoded, every
// DS matched, and each kind of denial proof attempted. Nothing may crash,
// leak or read out of bounds, and the work bounds must hold. The seeds in
// corpus/fuzz_dnssec are signed responses (keys, answers, NSEC and NSEC3
// denials, referrals) captured from the integration tests' NSD servers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dnssec/denial.h"
#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "dnssec/rrset_verifier.h"
#include "fuzz_check.h"
#include "wire/message.h"
#include "wire/rrset.h"
#include "wire/typed_rdata.h"

using namespace cairn;

namespace {

std::vector<wire::RData> signatures_of(const std::vector<wire::Record>& records,
                                       const wire::RRset& rrset) {
    std::vector<wire::RData> out;
    for (const auto& r : records) {
        if (r.type != wire::RRType::RRSIG || r.owner != rrset.owner) continue;
        auto sig = wire::RrsigData::from(r.rdata);
        if (sig && sig->type_covered == rrset.type) out.push_back(r.rdata);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto message = wire::Message::parse(std::span<const uint8_t>(data, size));
    if (!message || message->questions.empty()) return 0;
    const auto& question = message->questions.front();

    std::vector<wire::Record> all = message->answers;
    all.insert(all.end(), message->authorities.begin(), message->authorities.end());
    all.insert(all.end(), message->additionals.begin(), message->additionals.end());
    const auto rrsets = wire::group_rrsets(all);

    wire::RRset dnskeys{question.name, wire::RRType::DNSKEY, wire::RRClass::IN, 0, {}};
    for (const auto& r : all) {
        if (r.type != wire::RRType::DNSKEY) continue;
        dnskeys.owner = r.owner;
        dnskeys.add(r.rdata);
        (void)dnssec::key_tag(r.rdata);
        if (auto key = wire::DnskeyData::from(r.rdata)) (void)dnssec::PublicKey::from_dnskey(*key);
    }
    for (const auto& r : all) {
        auto ds = wire::DsData::from(r.rdata);
        if (r.type != wire::RRType::DS || !ds) continue;
        for (const auto& key : dnskeys.rdatas)
            (void)dnssec::ds_matches(*ds, r.owner, key);
    }

    const dnssec::ValidationLimits limits;
    dnssec::WorkCounter work;
    std::vector<wire::Record> denials;
    for (const auto& rrset : rrsets) {
        if (rrset.type == wire::RRType::RRSIG) continue;
        const auto sigs = signatures_of(all, rrset);
        auto verdict =
            dnssec::verify_rrset(rrset, sigs, dnskeys, dnskeys.owner, 1'700'000'000, limits, work);
        FUZZ_CHECK(work.verifications <= limits.max_verifications_per_request);
        if (verdict.status == dnssec::RRsetVerdict::Status::kValid) (void)verdict.ttl_cap;
        if (rrset.type == wire::RRType::NSEC || rrset.type == wire::RRType::NSEC3)
            for (auto& r : rrset.to_records())
                denials.push_back(std::move(r));
    }

    const wire::Name zone = question.name.is_root() ? question.name : question.name.parent();
    for (auto goal : {dnssec::DenialGoal::kNxdomain, dnssec::DenialGoal::kNodata,
                      dnssec::DenialGoal::kWildcardAnswer, dnssec::DenialGoal::kNoDs}) {
        dnssec::WorkCounter hashes;
        (void)dnssec::prove_denial(goal, question.name, question.type, zone, denials, zone, limits,
                                   hashes);
        FUZZ_CHECK(hashes.nsec3_hashes <= limits.max_nsec3_hashes);
    }
    return 0;
}
