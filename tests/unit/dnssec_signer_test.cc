// The test-support signer: what it makes must verify with verify_rrset.
#include "support/zone_signer.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "dnssec/rrset_verifier.h"
#include "wire/typed_rdata.h"

namespace cairn::testing {
namespace {

using dnssec::RRsetVerdict;
using wire::Name;
using wire::RData;
using wire::RRType;

constexpr int64_t kNow = 1700000000;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

wire::RRset key_set(const TestZoneSigner& signer) {
    return {signer.zone(), RRType::DNSKEY, wire::RRClass::IN, 3600, {signer.dnskey_rdata()}};
}

RRsetVerdict verify(const TestZoneSigner& signer, const wire::RRset& set, const RData& sig) {
    dnssec::WorkCounter work;
    return dnssec::verify_rrset(set, std::span(&sig, 1), key_set(signer), signer.zone(), kNow, {},
                                work);
}

class DnssecSigner : public ::testing::TestWithParam<uint8_t> {};

TEST_P(DnssecSigner, KeysDsAndSignaturesVerify) {
    const TestZoneSigner signer(name("example."), GetParam());
    EXPECT_EQ(signer.algorithm(), GetParam());
    EXPECT_EQ(signer.flags(), TestZoneSigner::kKskFlags);

    const wire::Record key = signer.dnskey(600);
    EXPECT_EQ(key.type, RRType::DNSKEY);
    EXPECT_EQ(key.ttl, 600u);
    EXPECT_EQ(dnssec::key_tag(key.rdata), signer.key_tag());
    EXPECT_TRUE(dnssec::PublicKey::from_dnskey(*wire::DnskeyData::from(key.rdata)));
    for (uint8_t digest : {dnssec::digest::kSha256, dnssec::digest::kSha384}) {
        const auto ds = *wire::DsData::from(signer.ds(3600, digest).rdata);
        EXPECT_TRUE(dnssec::ds_matches(ds, signer.zone(), key.rdata));
    }

    wire::RRset set{name("www.example."), RRType::A, wire::RRClass::IN, 300, {}};
    set.add(RData::from_trusted_bytes({192, 0, 2, 1}));
    const wire::Record rrsig = signer.rrsig(set, kNow - 60, kNow + 60);
    EXPECT_EQ(rrsig.owner, set.owner);
    EXPECT_EQ(rrsig.type, RRType::RRSIG);
    const auto fields = *wire::RrsigData::from(rrsig.rdata);
    EXPECT_EQ(fields.labels, 2);
    EXPECT_EQ(fields.original_ttl, 300u);
    EXPECT_EQ(fields.key_tag, signer.key_tag());
    const auto v = verify(signer, set, rrsig.rdata);
    EXPECT_EQ(v.status, RRsetVerdict::Status::kValid) << v.why;
    EXPECT_EQ(v.ttl_cap, 60u);

    // The DNSKEY RRset signs itself, as a KSK does.
    const wire::RRset keys = key_set(signer);
    EXPECT_EQ(verify(signer, keys, signer.sign(keys, kNow - 60, kNow + 60)).status,
              RRsetVerdict::Status::kValid);
}

INSTANTIATE_TEST_SUITE_P(DnssecSignerAlgorithms, DnssecSigner,
                         ::testing::Values(dnssec::algorithm::kEcdsaP256Sha256,
                                           dnssec::algorithm::kEcdsaP384Sha384,
                                           dnssec::algorithm::kEd25519, dnssec::algorithm::kEd448));

TEST(DnssecSignerBasics, EachSignerHasItsOwnKey) {
    const TestZoneSigner a(name("example."));
    const TestZoneSigner b(name("example."));
    EXPECT_NE(a.dnskey_rdata(), b.dnskey_rdata());
    EXPECT_EQ(TestZoneSigner(name("example."), 13, TestZoneSigner::kZskFlags).flags(), 256);
}

TEST(DnssecSignerBasics, UnsupportedAlgorithmThrows) {
    EXPECT_THROW(TestZoneSigner(name("example."), dnssec::algorithm::kRsaSha256),
                 std::invalid_argument);
}

TEST(DnssecSignerBasics, WildcardSignatureFitsExpansions) {
    const TestZoneSigner signer(name("example."));
    wire::RRset wildcard{name("*.example."),
                         RRType::TXT,
                         wire::RRClass::IN,
                         300,
                         {RData::from_trusted_bytes({1, 'w'})}};
    const RData sig = signer.sign(wildcard, kNow - 60, kNow + 60);
    EXPECT_EQ(wire::RrsigData::from(sig)->labels, 1);
    wire::RRset expanded = wildcard;
    expanded.owner = name("a.b.example.");
    const auto v = verify(signer, expanded, sig);
    EXPECT_EQ(v.status, RRsetVerdict::Status::kValid) << v.why;
    ASSERT_TRUE(v.wildcard_parent);
    EXPECT_EQ(*v.wildcard_parent, name("example."));
}

TEST(DnssecSignerBasics, NsecChainIsOrderedWrappedAndSigned) {
    const TestZoneSigner signer(name("example."));
    const std::map<Name, std::vector<RRType>> names = {
        {name("z.example."), {RRType::TXT}},
        {name("example."), {RRType::SOA, RRType::NS, RRType::DNSKEY}},
        {name("a.example."), {RRType::A, RRType::AAAA}},
    };
    const auto chain = signer.nsec_chain(names, kNow - 60, kNow + 60, 300);
    ASSERT_EQ(chain.size(), 6u);
    const char* owners[] = {"example.", "a.example.", "z.example."};
    const char* nexts[] = {"a.example.", "z.example.", "example."};
    for (size_t i = 0; i < 3; ++i) {
        const wire::Record& nsec = chain[2 * i];
        const wire::Record& sig = chain[2 * i + 1];
        EXPECT_EQ(nsec.type, RRType::NSEC);
        EXPECT_EQ(nsec.owner, name(owners[i]));
        EXPECT_EQ(nsec.ttl, 300u);
        const auto fields = *wire::NsecData::from(nsec.rdata);
        EXPECT_EQ(fields.next, name(nexts[i]));
        EXPECT_TRUE(fields.types.contains(RRType::NSEC));
        EXPECT_TRUE(fields.types.contains(RRType::RRSIG));
        for (RRType t : names.at(nsec.owner))
            EXPECT_TRUE(fields.types.contains(t));
        EXPECT_FALSE(fields.types.contains(RRType::CNAME));
        EXPECT_EQ(sig.type, RRType::RRSIG);
        EXPECT_EQ(sig.owner, nsec.owner);
        const wire::RRset set{nsec.owner, RRType::NSEC, wire::RRClass::IN, 300, {nsec.rdata}};
        const auto v = verify(signer, set, sig.rdata);
        EXPECT_EQ(v.status, RRsetVerdict::Status::kValid) << v.why;
    }
}

}  // namespace
}  // namespace cairn::testing
