#include "dnssec/denial.h"

#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "wire/encoding.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {
namespace {

using wire::Name;
using wire::Record;
using wire::RRType;
using Status = DenialResult::Status;

Name N(std::string_view text) {
    return *Name::from_text(text);
}

std::vector<Record> zone_records(std::string_view text) {
    auto records = wire::read_zone(text, N("example."));
    EXPECT_TRUE(records.ok()) << records.error().message;
    return records.ok() ? *records : std::vector<Record>{};
}

// RFC 5155 Appendix A: the NSEC3 chain of the example zone (SHA-1, opt-out,
// 12 iterations, salt aabbccdd), in hash order.
const std::vector<Record>& nsec3_chain() {
    static const std::vector<Record> chain = zone_records(R"(
$TTL 3600
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM
2t7b4g4vsa5smi47k61mv5bv1a22bojr NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG
2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 1 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl MX RRSIG
35mthgpgcu1qg68fab165klnsnk3dpvl NSEC3 1 1 12 aabbccdd b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG
b4um86eghhds6nea196smvmlo4ors995 NSEC3 1 1 12 aabbccdd gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG
gjeqe526plbf1g8mklp59enfd789njgi NSEC3 1 1 12 aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG
ji6neoaepv8b5o6k4ev33abha8ht9fgc NSEC3 1 1 12 aabbccdd k8udemvp1j2f7eg6jebps17vp3n8i58h
k8udemvp1j2f7eg6jebps17vp3n8i58h NSEC3 1 1 12 aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi
kohar7mbb8dc2ce8a9qvl8hon4k53uhi NSEC3 1 1 12 aabbccdd q04jkcevqvmu85r014c7dkba38o0ji5r A RRSIG
q04jkcevqvmu85r014c7dkba38o0ji5r NSEC3 1 1 12 aabbccdd r53bq7cc2uvmubfu5ocmm6pers9tk9en A RRSIG
r53bq7cc2uvmubfu5ocmm6pers9tk9en NSEC3 1 1 12 aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG
t644ebqk9bibcna874givr6joj62mlhv NSEC3 1 1 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A HINFO AAAA RRSIG
)");
    return chain;
}

// RFC 4035 Appendix A: the NSEC chain of its example zone.
const std::vector<Record>& nsec_chain() {
    static const std::vector<Record> chain = zone_records(R"(
$TTL 3600
@ NSEC a.example. NS SOA MX RRSIG NSEC DNSKEY
a NSEC ai.example. NS DS RRSIG NSEC
ai NSEC b.example. A HINFO AAAA RRSIG NSEC
b NSEC ns1.example. NS RRSIG NSEC
ns1 NSEC ns2.example. A RRSIG NSEC
ns2 NSEC *.w.example. A RRSIG NSEC
*.w NSEC x.w.example. MX RRSIG NSEC
x.w NSEC x.y.w.example. MX RRSIG NSEC
x.y.w NSEC xx.example. MX RRSIG NSEC
xx NSEC example. A HINFO AAAA RRSIG NSEC
)");
    return chain;
}

// The records of `chain` whose owner name starts with one of `prefixes`,
// in that order: a response's authority section.
std::vector<Record> pick(const std::vector<Record>& chain,
                         std::initializer_list<std::string_view> prefixes) {
    std::vector<Record> picked;
    for (std::string_view prefix : prefixes)
        for (const Record& r : chain)
            if (r.owner.to_text().starts_with(prefix)) picked.push_back(r);
    EXPECT_EQ(picked.size(), prefixes.size());
    return picked;
}

// The same NSEC3 records with their fields changed by `edit`.
std::vector<Record> edited(std::vector<Record> records,
                           const std::function<void(wire::Nsec3Data&)>& edit) {
    for (Record& r : records) {
        auto data = wire::Nsec3Data::from(r.rdata);
        EXPECT_TRUE(data.ok());
        edit(*data);
        r.rdata = data->to_rdata();
    }
    return records;
}

std::vector<Record> without_opt_out(std::vector<Record> records) {
    return edited(std::move(records), [](wire::Nsec3Data& d) { d.flags = 0; });
}

struct Prover {
    ValidationLimits limits;
    WorkCounter work;

    DenialResult operator()(DenialGoal goal, std::string_view qname, RRType qtype,
                            std::span<const Record> records,
                            const std::optional<Name>& wildcard_parent = std::nullopt) {
        return prove_denial(goal, N(qname), qtype, N("example."), records, wildcard_parent, limits,
                            work);
    }
};

// A proof that holds with `records` fails without any one of them.
void expect_each_needed(const std::vector<Record>& records,
                        const std::function<DenialResult(std::span<const Record>)>& prove) {
    for (size_t i = 0; i < records.size(); ++i) {
        std::vector<Record> fewer = records;
        fewer.erase(fewer.begin() + static_cast<ptrdiff_t>(i));
        EXPECT_EQ(prove(fewer).status, Status::kNotProven) << "without " << records[i].to_text();
    }
}

std::string hash_text(std::string_view name) {
    const std::vector<uint8_t> salt{0xaa, 0xbb, 0xcc, 0xdd};
    return wire::encode_base32hex(nsec3_hash(N(name), salt, 12), wire::Letters::kLower);
}

TEST(DenialNsec3Hash, Rfc5155AppendixA) {
    EXPECT_EQ(hash_text("example."), "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
    EXPECT_EQ(hash_text("a.example."), "35mthgpgcu1qg68fab165klnsnk3dpvl");
    EXPECT_EQ(hash_text("ai.example."), "gjeqe526plbf1g8mklp59enfd789njgi");
    EXPECT_EQ(hash_text("ns1.example."), "2t7b4g4vsa5smi47k61mv5bv1a22bojr");
    EXPECT_EQ(hash_text("ns2.example."), "q04jkcevqvmu85r014c7dkba38o0ji5r");
    EXPECT_EQ(hash_text("w.example."), "k8udemvp1j2f7eg6jebps17vp3n8i58h");
    EXPECT_EQ(hash_text("*.w.example."), "r53bq7cc2uvmubfu5ocmm6pers9tk9en");
    EXPECT_EQ(hash_text("x.w.example."), "b4um86eghhds6nea196smvmlo4ors995");
    EXPECT_EQ(hash_text("y.w.example."), "ji6neoaepv8b5o6k4ev33abha8ht9fgc");
    EXPECT_EQ(hash_text("x.y.w.example."), "2vptu5timamqttgl4luu9kg21e0aor3s");
    EXPECT_EQ(hash_text("xx.example."), "t644ebqk9bibcna874givr6joj62mlhv");
    EXPECT_EQ(hash_text("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example."),
              "kohar7mbb8dc2ce8a9qvl8hon4k53uhi");
    // The canonical form is lower case (RFC 5155 §5).
    EXPECT_EQ(hash_text("X.W.Example."), "b4um86eghhds6nea196smvmlo4ors995");
}

// B.1: a.c.x.w.example does not exist; x.w.example is the closest encloser.
TEST(DenialNsec3, NameError) {
    const auto records = pick(nsec3_chain(), {"0p9m", "b4um", "35mt"});
    Prover prove;
    // The zone is opt-out: the NSEC3 covering c.x.w.example may hide an
    // unsigned delegation, so the answer is insecure (RFC 5155 §9.2).
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, records).status,
              Status::kOptOut);
    // a.c.x.w, c.x.w, x.w (matches) and *.x.w.
    EXPECT_EQ(prove.work.nsec3_hashes, 4u);

    const auto signed_records = without_opt_out(records);
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, signed_records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "A.C.X.W.EXAMPLE.", RRType::A, signed_records).status,
              Status::kProven);
    expect_each_needed(signed_records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, fewer);
    });
    // x.w.example exists: the same records do not deny it.
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "x.w.example.", RRType::A, signed_records).status,
              Status::kNotProven);
}

// B.2: ns1.example exists without MX.
TEST(DenialNsec3, NoData) {
    const auto records = pick(nsec3_chain(), {"2t7b"});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::A, records).status,
              Status::kNotProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "ns1.example.", RRType::MX, fewer);
    });
}

// B.2.1: y.w.example is an empty non-terminal.
TEST(DenialNsec3, NoDataEmptyNonTerminal) {
    const auto records = pick(nsec3_chain(), {"ji6n"});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "y.w.example.", RRType::A, records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "y.w.example.", RRType::A, records).status,
              Status::kNotProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "y.w.example.", RRType::A, fewer);
    });
}

// B.3: the referral to c.example has no DS, and c.example has no NSEC3: an
// opt-out span covers it.
TEST(DenialNsec3, ReferralToOptOutUnsignedZone) {
    const auto records = pick(nsec3_chain(), {"35mt", "0p9m"});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNoDs, "c.example.", RRType::DS, records).status, Status::kOptOut);
    EXPECT_EQ(prove(DenialGoal::kNodata, "c.example.", RRType::DS, records).status,
              Status::kOptOut);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNoDs, "c.example.", RRType::DS, fewer);
    });
    // Without opt-out the same records prove there is no c.example at all.
    const DenialResult no_cut =
        prove(DenialGoal::kNoDs, "c.example.", RRType::DS, without_opt_out(records));
    EXPECT_EQ(no_cut.status, Status::kProven);
    EXPECT_FALSE(no_cut.delegation);
    EXPECT_EQ(prove(DenialGoal::kNodata, "c.example.", RRType::DS, without_opt_out(records)).status,
              Status::kNotProven);
}

// RFC 5155 §8.5 with erratum 3441: c.example (an unsigned delegation the
// opt-out zone left out of its chain, or an empty non-terminal above one)
// has no NSEC3 of its own, so a NODATA for any type rests on the closest
// encloser proof alone: insecure, not bogus.
TEST(DenialNsec3, OptOutNodataWithoutWildcardProofIsInsecure) {
    const auto records = pick(nsec3_chain(), {"35mt", "0p9m"});
    Prover prove;
    const DenialResult result = prove(DenialGoal::kNodata, "c.example.", RRType::A, records);
    EXPECT_EQ(result.status, Status::kOptOut);
    EXPECT_FALSE(result.why.empty());
    // Deeper names in the span too: b.c.example, whose next closer c.example
    // the same opt-out record covers.
    EXPECT_EQ(prove(DenialGoal::kNodata, "b.c.example.", RRType::TXT, records).status,
              Status::kOptOut);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "c.example.", RRType::A, fewer);
    });
    // Without opt-out the same records prove the name does not exist, which
    // is no NODATA.
    EXPECT_EQ(prove(DenialGoal::kNodata, "c.example.", RRType::A, without_opt_out(records)).status,
              Status::kNotProven);
    // The wildcard is looked for first: no hash for it, no answer.
    Prover tight;
    tight.limits.max_nsec3_hashes = 2;  // c.example and example, not *.example
    EXPECT_EQ(tight(DenialGoal::kNodata, "c.example.", RRType::A, records).status, Status::kLimit);
    // A wildcard at the closest encloser that owns the type contradicts the
    // NODATA whatever the span.
    auto with_wildcard = pick(nsec3_chain(), {"k8ud", "q04j"});
    for (const Record& r : edited(pick(nsec3_chain(), {"r53b"}), [](wire::Nsec3Data& d) {
             const std::vector<RRType> types{RRType::A, RRType::RRSIG};
             d.types = wire::TypeBitmap::from_types(types);
         }))
        with_wildcard.push_back(r);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::A, with_wildcard).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::MX, with_wildcard).status,
              Status::kOptOut);
}

// B.4: a.z.w.example answered from *.w.example.
TEST(DenialNsec3, WildcardExpansion) {
    const auto records = pick(nsec3_chain(), {"q04j"});
    Prover prove;
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, records, N("w.example."))
            .status,
        Status::kOptOut);
    EXPECT_EQ(prove.work.nsec3_hashes, 1u);  // only the next closer name, z.w.example

    const auto signed_records = without_opt_out(records);
    EXPECT_EQ(prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, signed_records,
                    N("w.example."))
                  .status,
              Status::kProven);
    expect_each_needed(signed_records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, fewer,
                        N("w.example."));
    });
    // A wildcard further up would need w.example denied, and it exists.
    EXPECT_EQ(prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, signed_records,
                    N("example."))
                  .status,
              Status::kNotProven);
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, signed_records).status,
        Status::kNotProven);
}

// B.5: a.z.w.example matches *.w.example, which has no AAAA.
TEST(DenialNsec3, WildcardNoData) {
    const auto records = pick(nsec3_chain(), {"k8ud", "q04j", "r53b"});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::AAAA, records).status,
              Status::kOptOut);

    const auto signed_records = without_opt_out(records);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::AAAA, signed_records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::MX, signed_records).status,
              Status::kNotProven);
    expect_each_needed(signed_records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "a.z.w.example.", RRType::AAAA, fewer);
    });
}

// B.6: the child's apex NSEC3 cannot deny the DS, which the parent holds.
TEST(DenialNsec3, DsFromChildApexIsNoProof) {
    const auto records = pick(nsec3_chain(), {"0p9m"});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "example.", RRType::DS, records).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNoDs, "example.", RRType::DS, records).status, Status::kNotProven);
}

TEST(DenialNsec3, DelegationsInTheFullChain) {
    const auto& chain = nsec3_chain();
    Prover prove;
    // a.example is a secure delegation: it has a DS, and names below it are
    // the child's, so its NSEC3 cannot be their closest encloser.
    EXPECT_EQ(prove(DenialGoal::kNoDs, "a.example.", RRType::DS, chain).status, Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "x.a.example.", RRType::A, chain).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.example.", RRType::A, chain).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.example.", RRType::DNSKEY, chain).status,
              Status::kNotProven);
    const DenialResult ns1 = prove(DenialGoal::kNoDs, "ns1.example.", RRType::DS, chain);
    EXPECT_EQ(ns1.status, Status::kProven);
    EXPECT_FALSE(ns1.delegation);

    // A delegation without DS proves an insecure cut.
    const auto unsigned_cut = edited(pick(chain, {"35mt"}), [](wire::Nsec3Data& d) {
        const std::vector<RRType> types{RRType::NS};
        d.types = wire::TypeBitmap::from_types(types);
    });
    const DenialResult cut = prove(DenialGoal::kNoDs, "a.example.", RRType::DS, unsigned_cut);
    EXPECT_EQ(cut.status, Status::kProven);
    EXPECT_TRUE(cut.delegation);
}

TEST(DenialNsec3, IterationsAboveTheLimitMakeTheZoneInsecure) {
    const auto records = pick(nsec3_chain(), {"2t7b"});
    Prover prove;
    prove.limits.max_nsec3_iterations = 11;
    const DenialResult result = prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, records);
    EXPECT_EQ(result.status, Status::kIterationsTooHigh);
    EXPECT_FALSE(result.why.empty());
    EXPECT_EQ(prove.work.nsec3_hashes, 0u);
    prove.limits.max_nsec3_iterations = 12;
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, records).status,
              Status::kProven);

    Prover by_default;
    const auto costly = edited(records, [](wire::Nsec3Data& d) { d.iterations = 51; });
    EXPECT_EQ(by_default(DenialGoal::kNodata, "ns1.example.", RRType::MX, costly).status,
              Status::kIterationsTooHigh);
    EXPECT_EQ(by_default.work.nsec3_hashes, 0u);
}

TEST(DenialNsec3, UnknownHashAlgorithmIsInsecure) {
    const auto records =
        edited(pick(nsec3_chain(), {"2t7b"}), [](wire::Nsec3Data& d) { d.hash_algorithm = 2; });
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, records).status,
              Status::kUnsupportedHash);
    EXPECT_EQ(prove.work.nsec3_hashes, 0u);
}

TEST(DenialNsec3, HashBudget) {
    const auto records = without_opt_out(pick(nsec3_chain(), {"0p9m", "b4um", "35mt"}));
    Prover tight;
    tight.limits.max_nsec3_hashes = 3;  // B.1 needs four
    EXPECT_EQ(tight(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, records).status,
              Status::kLimit);
    EXPECT_EQ(tight.work.nsec3_hashes, 3u);

    // The budget is the request's: what earlier proofs spent counts.
    Prover shared;
    shared.limits.max_nsec3_hashes = 12;
    shared.work.nsec3_hashes = 10;
    EXPECT_EQ(shared(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, records).status,
              Status::kLimit);
    EXPECT_EQ(shared.work.nsec3_hashes, 12u);

    Prover enough;
    enough.limits.max_nsec3_hashes = 4;
    EXPECT_EQ(enough(DenialGoal::kNxdomain, "a.c.x.w.example.", RRType::A, records).status,
              Status::kProven);
    EXPECT_EQ(enough.work.nsec3_hashes, 4u);
}

TEST(DenialNsec3, HundredLabelsAreBounded) {
    std::string qname;
    for (int i = 0; i < 100; ++i)
        qname += "q.";
    qname += "example.";
    const auto chain = without_opt_out(nsec3_chain());

    // 101 names up to the apex, then the wildcard.
    Prover by_default;
    EXPECT_EQ(by_default(DenialGoal::kNxdomain, qname, RRType::A, chain).status, Status::kProven);
    EXPECT_EQ(by_default.work.nsec3_hashes, 102u);

    Prover limited;
    limited.limits.max_nsec3_hashes = 50;
    EXPECT_EQ(limited(DenialGoal::kNxdomain, qname, RRType::A, chain).status, Status::kLimit);
    EXPECT_EQ(limited.work.nsec3_hashes, 50u);
}

TEST(DenialNsec3, NamesOutsideTheZoneCostNothing) {
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "a.example.org.", RRType::A, nsec3_chain()).status,
              Status::kNotProven);
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::A, nsec3_chain(), N("org."))
            .status,
        Status::kNotProven);
    EXPECT_EQ(prove.work.nsec3_hashes, 0u);
}

TEST(DenialNsec3, GarbageIsIgnored) {
    std::vector<Record> garbage = zone_records(R"(
$TTL 3600
ns1 A 192.0.2.1
2t7b4g4vsa5smi47k61mv5bv1a22bojr.w NSEC3 1 0 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s MX
2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.org. NSEC3 1 0 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s MX
zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz NSEC3 1 0 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s MX
2t7b4g4vsa5smi47k61mv5bv1a22 NSEC3 1 0 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s MX
2t7b4g4vsa5smi47k61mv5bv1a22bojr NSEC3 1 128 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s MX
2t7b4g4vsa5smi47k61mv5bv1a22bojr NSEC3 1 0 12 aabbccdd 2vptu5timamqttgl MX
ns1 NSEC ns2.example.org. MX
ns1.example.org. NSEC ns2.example. MX
)");
    garbage.push_back(Record{N("ns1.example."), RRType::NSEC3, wire::RRClass::IN, 3600,
                             wire::RData::from_trusted_bytes({1, 0, 0})});
    garbage.push_back(Record{N("ns1.example."), RRType::NSEC, wire::RRClass::IN, 3600,
                             wire::RData::from_trusted_bytes({0xff})});
    Prover prove;
    for (DenialGoal goal : {DenialGoal::kNxdomain, DenialGoal::kNodata, DenialGoal::kNoDs,
                            DenialGoal::kWildcardAnswer}) {
        EXPECT_EQ(prove(goal, "ns1.example.", RRType::MX, garbage, N("example.")).status,
                  Status::kNotProven);
    }
    EXPECT_EQ(prove.work.nsec3_hashes, 0u);

    // Next to a real proof it changes nothing.
    std::vector<Record> mixed = garbage;
    for (const Record& r : pick(nsec3_chain(), {"2t7b"}))
        mixed.push_back(r);
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, mixed).status,
              Status::kProven);
}

// RFC 4035 B.2: ml.example does not exist, nor does *.example.
TEST(DenialNsec, NameError) {
    const auto records = pick(nsec_chain(), {"b.example.", "example."});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "ml.example.", RRType::A, records).status,
              Status::kProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNxdomain, "ml.example.", RRType::A, fewer);
    });
    EXPECT_EQ(prove.work.nsec3_hashes, 0u);
}

// RFC 4035 B.3: ns1.example exists without MX.
TEST(DenialNsec, NoData) {
    const auto records = pick(nsec_chain(), {"ns1.example."});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::MX, records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::A, records).status,
              Status::kNotProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "ns1.example.", RRType::MX, fewer);
    });
}

// RFC 4035 B.4: a.example is a signed delegation, its NSEC lists the DS.
TEST(DenialNsec, ReferralToSignedZone) {
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNoDs, "a.example.", RRType::DS, pick(nsec_chain(), {"a.example."}))
                  .status,
              Status::kNotProven);
}

// RFC 4035 B.5: b.example is an unsigned delegation.
TEST(DenialNsec, ReferralToUnsignedZone) {
    const auto records = pick(nsec_chain(), {"b.example."});
    Prover prove;
    const DenialResult result = prove(DenialGoal::kNoDs, "b.example.", RRType::DS, records);
    EXPECT_EQ(result.status, Status::kProven);
    EXPECT_TRUE(result.delegation);
    EXPECT_EQ(prove(DenialGoal::kNodata, "b.example.", RRType::DS, records).status,
              Status::kProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNoDs, "b.example.", RRType::DS, fewer);
    });
}

// RFC 4035 B.6: a.z.w.example answered from *.w.example.
TEST(DenialNsec, WildcardExpansion) {
    const auto records = pick(nsec_chain(), {"x.y.w.example."});
    Prover prove;
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, records, N("w.example."))
            .status,
        Status::kProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, fewer,
                        N("w.example."));
    });
    // w.example exists, so *.example could not have answered.
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "a.z.w.example.", RRType::MX, records, N("example."))
            .status,
        Status::kNotProven);
    // The wildcard's own RRset was not expanded: nothing to deny.
    EXPECT_EQ(
        prove(DenialGoal::kWildcardAnswer, "*.w.example.", RRType::MX, {}, N("w.example.")).status,
        Status::kProven);
}

// RFC 4035 B.7: a.z.w.example matches *.w.example, which has no AAAA.
TEST(DenialNsec, WildcardNoData) {
    const auto records = pick(nsec_chain(), {"x.y.w.example.", "*.w.example."});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::AAAA, records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "a.z.w.example.", RRType::MX, records).status,
              Status::kNotProven);
    expect_each_needed(records, [](std::span<const Record> fewer) {
        return Prover{}(DenialGoal::kNodata, "a.z.w.example.", RRType::AAAA, fewer);
    });
}

// RFC 4035 B.8: the child's apex NSEC cannot deny the DS.
TEST(DenialNsec, DsFromChildApexIsNoProof) {
    const auto records = pick(nsec_chain(), {"example."});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "example.", RRType::DS, records).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNoDs, "example.", RRType::DS, records).status, Status::kNotProven);
}

TEST(DenialNsec, EmptyNonTerminal) {
    const auto records = pick(nsec_chain(), {"x.w.example."});
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "y.w.example.", RRType::A, records).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "y.w.example.", RRType::A, records).status,
              Status::kNotProven);
    const DenialResult no_ds = prove(DenialGoal::kNoDs, "y.w.example.", RRType::DS, records);
    EXPECT_EQ(no_ds.status, Status::kProven);
    EXPECT_FALSE(no_ds.delegation);
}

TEST(DenialNsec, CoversInCanonicalOrder) {
    const auto b = pick(nsec_chain(), {"b.example."}).front();
    EXPECT_TRUE(nsec_covers(b, N("ml.example.")));
    EXPECT_TRUE(nsec_covers(b, N("ML.EXAMPLE.")));
    EXPECT_TRUE(nsec_covers(b, N("x.b.example.")));  // ordering only; see RFC 6840 below
    EXPECT_FALSE(nsec_covers(b, N("b.example.")));
    EXPECT_FALSE(nsec_covers(b, N("ns1.example.")));
    EXPECT_FALSE(nsec_covers(b, N("ns2.example.")));
    EXPECT_FALSE(nsec_covers(b, N("ai.example.")));
    EXPECT_FALSE(nsec_covers(pick(nsec3_chain(), {"2t7b"}).front(), N("ml.example.")));
}

TEST(DenialNsec, WrapAroundToTheApex) {
    const auto last = pick(nsec_chain(), {"xx.example."}).front();
    EXPECT_TRUE(nsec_covers(last, N("zz.example.")));
    EXPECT_TRUE(nsec_covers(last, N("xy.example.")));
    EXPECT_TRUE(nsec_covers(last, N("a.zz.example.")));
    EXPECT_FALSE(nsec_covers(last, N("xx.example.")));
    EXPECT_FALSE(nsec_covers(last, N("example.")));
    EXPECT_FALSE(nsec_covers(last, N("a.example.")));
    EXPECT_FALSE(nsec_covers(last, N("zz.example.org.")));
    EXPECT_FALSE(nsec_covers(last, N("zz.")));

    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "zz.example.", RRType::A,
                    pick(nsec_chain(), {"xx.example.", "example."}))
                  .status,
              Status::kProven);

    // A zone with a single name: its NSEC points to itself.
    const auto alone = zone_records("@ 3600 NSEC example. SOA NS RRSIG NSEC DNSKEY");
    EXPECT_TRUE(nsec_covers(alone.front(), N("a.example.")));
    EXPECT_FALSE(nsec_covers(alone.front(), N("example.")));
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "a.example.", RRType::A, alone).status, Status::kProven);
}

// RFC 6840 §4.1: names below a delegation or DNAME are not the zone's to deny.
TEST(DenialNsec, DelegationAndDnameRecordsDenyNothingBelow) {
    Prover prove;
    const auto delegation = pick(nsec_chain(), {"b.example.", "example."});
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "x.b.example.", RRType::A, delegation).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "x.b.example.", RRType::A, delegation).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "b.example.", RRType::A, delegation).status,
              Status::kNotProven);

    const auto dname = zone_records(R"(
$TTL 3600
@ NSEC d.example. NS SOA RRSIG NSEC DNSKEY
d NSEC e.example. DNAME RRSIG NSEC
)");
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "x.d.example.", RRType::A, dname).status,
              Status::kNotProven);
    // Names after it that are not below it are still denied.
    EXPECT_EQ(prove(DenialGoal::kNxdomain, "da.example.", RRType::A, dname).status,
              Status::kProven);
    EXPECT_EQ(prove(DenialGoal::kNodata, "d.example.", RRType::A, dname).status, Status::kProven);
}

TEST(DenialNsec, GarbageIsIgnored) {
    const auto garbage = zone_records(R"(
$TTL 3600
ns1 A 192.0.2.1
ns1 NSEC ns2.example.org. MX
ns1.example.org. NSEC ns2.example. MX
)");
    Prover prove;
    EXPECT_EQ(prove(DenialGoal::kNodata, "ns1.example.", RRType::A, garbage).status,
              Status::kNotProven);
    EXPECT_EQ(prove(DenialGoal::kNoDs, "ns1.example.", RRType::DS, garbage).status,
              Status::kNotProven);
}

}  // namespace
}  // namespace cairn::dnssec
