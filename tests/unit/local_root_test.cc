// The local root (RFC 8806): which copies are accepted (trust anchor,
// ZONEMD signature, ZONEMD digest), how long one is used, and the answers
// it gives in the root servers' place.
#include "policy/local_root.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "dnssec/zonemd.h"
#include "support/fake_authority.h"
#include "support/signed_zone.h"
#include "wire/typed_rdata.h"

namespace cairn::policy {
namespace {

using testing::FakeZone;
using testing::TestZoneSigner;
using wire::Name;
using wire::Record;
using wire::RRType;

constexpr int64_t kNow = 1700000000;
constexpr uint32_t kInception = kNow - 3600;
constexpr uint32_t kExpiration = kNow + 14 * 86400;
constexpr uint32_t kSoaExpire = 7 * 86400;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

constexpr std::string_view kRootText = R"($ORIGIN .
$TTL 86400
.  SOA a.root-servers.example. nstld.example. 2026120701 1800 900 604800 86400
.  NS a.root-servers.example.
.  NS b.root-servers.zz.
.  ZONEMD 2026120701 1 1 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
example.  172800 NS ns1.nic.example.
example.  86400 DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns1.nic.example.  172800 A 192.0.2.1
a.root-servers.example.  518400 A 192.0.2.53
zz.  172800 NS ns1.nic.zz.
ns1.nic.zz.  172800 A 192.0.2.2
ns1.nic.zz.  172800 AAAA 2001:db8::2
)";

// A root zone signed as the root is, with a ZONEMD made as RFC 8976 §3
// says: placeholder, sign, digest, then sign the ZONEMD RRset again.
struct SignedRoot {
    TestZoneSigner ksk{Name::root(), dnssec::algorithm::kEcdsaP256Sha256,
                       TestZoneSigner::kKskFlags};
    TestZoneSigner zsk{Name::root(), dnssec::algorithm::kEcdsaP256Sha256,
                       TestZoneSigner::kZskFlags};
    std::vector<Record> records;
    dnssec::TrustAnchors anchors;

    SignedRoot() {
        FakeZone zone = testing::make_zone(".", kRootText);
        testing::sign_zone(zone, ksk, zsk, kInception, kExpiration);
        records = std::move(zone.records);
        set_zonemd(*dnssec::zone_digest(records, Name::root(), 1, 1));
        anchors.add(ksk.ds());
    }

    void set_zonemd(std::vector<uint8_t> digest) {
        std::erase_if(records, [](const Record& r) {
            return r.type == RRType::ZONEMD ||
                   (r.type == RRType::RRSIG &&
                    wire::RrsigData::from(r.rdata)->type_covered == RRType::ZONEMD);
        });
        std::vector<uint8_t> rdata = {0x78, 0xc4, 0x25, 0xfd, 1, 1};  // serial 2026120701
        rdata.insert(rdata.end(), digest.begin(), digest.end());
        wire::RRset zonemd{Name::root(), RRType::ZONEMD, wire::RRClass::IN, 86400, {}};
        zonemd.add(wire::RData::from_trusted_bytes(rdata));
        records.push_back(zonemd.to_records().front());
        records.push_back(zsk.rrsig(zonemd, kInception, kExpiration));
    }

    Result<std::shared_ptr<const RootCopy>, RootRejection> accept(int64_t now = kNow) const {
        return accept_root_zone(records, anchors, now);
    }
};

const Record* find(const std::vector<Record>& section, std::string_view owner, RRType type) {
    const auto it = std::ranges::find_if(
        section, [&](const Record& r) { return r.owner == name(owner) && r.type == type; });
    return it == section.end() ? nullptr : &*it;
}

bool signs(const std::vector<Record>& section, std::string_view owner, RRType covered) {
    return std::ranges::any_of(section, [&](const Record& r) {
        return r.owner == name(owner) && r.type == RRType::RRSIG &&
               wire::RrsigData::from(r.rdata)->type_covered == covered;
    });
}

TEST(LocalRootAccept, SignedZoneWithZonemdIsAccepted) {
    const SignedRoot root;
    const auto copy = root.accept();
    ASSERT_TRUE(copy) << copy.error().why;
    EXPECT_EQ((*copy)->serial, 2026120701u);
    EXPECT_EQ((*copy)->refresh, 1800u);
    EXPECT_EQ((*copy)->retry, 900u);
    EXPECT_EQ((*copy)->expire, 604800u);
    EXPECT_EQ((*copy)->signatures_expire, kExpiration);
    EXPECT_EQ((*copy)->records, root.records.size());
}

TEST(LocalRootAccept, ChangedDataFailsTheDigest) {
    SignedRoot root;
    // Glue is not signed: only the ZONEMD digest notices it changed.
    for (auto& r : root.records)
        if (r.owner == name("ns1.nic.example.") && r.type == RRType::A)
            r.rdata = wire::RData::from_trusted_bytes({203, 0, 113, 66});
    const auto copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kZonemd);
    EXPECT_NE(copy.error().why.find("mismatch"), std::string::npos) << copy.error().why;
}

TEST(LocalRootAccept, AddedOrRemovedRecordsFailTheDigest) {
    SignedRoot root;
    root.records.push_back(*wire::parse_record("evil. 86400 IN NS ns.evil.", Name::root()));
    EXPECT_EQ(root.accept().error().kind, RootFailure::kZonemd);

    SignedRoot other;
    std::erase_if(other.records, [](const Record& r) { return r.type == RRType::AAAA; });
    EXPECT_EQ(other.accept().error().kind, RootFailure::kZonemd);
}

TEST(LocalRootAccept, ZonemdMustBeSigned) {
    SignedRoot root;
    // A digest recomputed over tampered data, but not signed by the zone.
    for (auto& r : root.records)
        if (r.owner == name("ns1.nic.example.") && r.type == RRType::A)
            r.rdata = wire::RData::from_trusted_bytes({203, 0, 113, 66});
    auto digest = *dnssec::zone_digest(root.records, Name::root(), 1, 1);
    root.set_zonemd(digest);
    TestZoneSigner forger(Name::root(), dnssec::algorithm::kEcdsaP256Sha256,
                          TestZoneSigner::kZskFlags);
    std::erase_if(root.records, [](const Record& r) {
        return r.type == RRType::RRSIG &&
               wire::RrsigData::from(r.rdata)->type_covered == RRType::ZONEMD;
    });
    wire::RRset zonemd{Name::root(), RRType::ZONEMD, wire::RRClass::IN, 86400, {}};
    for (const auto& r : root.records)
        if (r.type == RRType::ZONEMD) zonemd.add(r.rdata);
    root.records.push_back(forger.rrsig(zonemd, kInception, kExpiration));
    auto copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kZonemdSignature) << copy.error().why;

    // No RRSIG over it at all.
    std::erase_if(root.records, [](const Record& r) {
        return r.type == RRType::RRSIG &&
               wire::RrsigData::from(r.rdata)->type_covered == RRType::ZONEMD;
    });
    copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kZonemdSignature) << copy.error().why;
}

TEST(LocalRootAccept, KeysMustMatchTheTrustAnchor) {
    SignedRoot root;
    const TestZoneSigner stranger(Name::root());
    root.anchors = dnssec::TrustAnchors();
    root.anchors.add(stranger.ds());
    auto copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kKeys);

    root.anchors = dnssec::TrustAnchors();
    EXPECT_EQ(root.accept().error().kind, RootFailure::kKeys);
    // A DNSKEY anchor does as well as a DS.
    root.anchors.add(root.ksk.dnskey());
    EXPECT_TRUE(root.accept());
}

TEST(LocalRootAccept, ExpiredSignaturesAreRefused) {
    const SignedRoot root;
    const auto copy = root.accept(kExpiration + 1);
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kKeys);
}

TEST(LocalRootAccept, ZonemdProblems) {
    SignedRoot root;
    root.set_zonemd(std::vector<uint8_t>(48, 0));  // the placeholder, signed
    auto copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kZonemd);

    std::erase_if(root.records, [](const Record& r) { return r.type == RRType::ZONEMD; });
    copy = root.accept();
    ASSERT_FALSE(copy);
    EXPECT_EQ(copy.error().kind, RootFailure::kZonemd);
    EXPECT_NE(copy.error().why.find("no ZONEMD"), std::string::npos);
}

TEST(LocalRootAccept, NotARootZone) {
    SignedRoot root;
    std::erase_if(root.records, [](const Record& r) { return r.type == RRType::SOA; });
    EXPECT_EQ(root.accept().error().kind, RootFailure::kZone);
    EXPECT_EQ(accept_root_zone({}, root.anchors, kNow).error().kind, RootFailure::kZone);
}

class LocalRootAnswers : public ::testing::Test {
protected:
    void SetUp() override {
        auto accepted = root_.accept();
        ASSERT_TRUE(accepted) << accepted.error().why;
        copy_ = *accepted;
    }
    wire::Message ask(std::string_view qname, RRType type) {
        auto response = copy_->zone.answer({name(qname), type, wire::RRClass::IN});
        EXPECT_TRUE(response) << qname;
        return response ? *response : wire::Message{};
    }
    SignedRoot root_;
    std::shared_ptr<const RootCopy> copy_;
};

TEST_F(LocalRootAnswers, ReferralWithDsAndGlue) {
    const auto r = ask("www.Example.", RRType::A);
    EXPECT_TRUE(r.header.qr);
    EXPECT_FALSE(r.header.aa);
    EXPECT_EQ(r.rcode(), wire::Rcode::NOERROR);
    EXPECT_TRUE(r.answers.empty());
    EXPECT_TRUE(find(r.authorities, "example.", RRType::NS));
    EXPECT_TRUE(find(r.authorities, "example.", RRType::DS));
    EXPECT_TRUE(signs(r.authorities, "example.", RRType::DS));
    EXPECT_FALSE(signs(r.authorities, "example.", RRType::NS));
    EXPECT_TRUE(find(r.additionals, "ns1.nic.example.", RRType::A));
    ASSERT_TRUE(r.edns);
    EXPECT_TRUE(r.edns->dnssec_ok);
}

TEST_F(LocalRootAnswers, UnsignedDelegationCarriesItsNsec) {
    const auto r = ask("zz.", RRType::NS);
    EXPECT_FALSE(r.header.aa);
    EXPECT_TRUE(find(r.authorities, "zz.", RRType::NS));
    EXPECT_FALSE(find(r.authorities, "zz.", RRType::DS));
    EXPECT_TRUE(find(r.authorities, "zz.", RRType::NSEC));
    EXPECT_TRUE(signs(r.authorities, "zz.", RRType::NSEC));
    EXPECT_TRUE(find(r.additionals, "ns1.nic.zz.", RRType::A));
    EXPECT_TRUE(find(r.additionals, "ns1.nic.zz.", RRType::AAAA));
}

TEST_F(LocalRootAnswers, DsAtTheCutIsTheRootsOwn) {
    auto r = ask("example.", RRType::DS);
    EXPECT_TRUE(r.header.aa);
    EXPECT_TRUE(find(r.answers, "example.", RRType::DS));
    EXPECT_TRUE(signs(r.answers, "example.", RRType::DS));

    r = ask("zz.", RRType::DS);  // none: NODATA with the cut's NSEC
    EXPECT_TRUE(r.header.aa);
    EXPECT_TRUE(r.answers.empty());
    EXPECT_TRUE(find(r.authorities, ".", RRType::SOA));
    EXPECT_TRUE(find(r.authorities, "zz.", RRType::NSEC));
}

TEST_F(LocalRootAnswers, ApexData) {
    auto r = ask(".", RRType::NS);  // priming (RFC 8109)
    EXPECT_TRUE(r.header.aa);
    EXPECT_TRUE(find(r.answers, ".", RRType::NS));
    EXPECT_TRUE(signs(r.answers, ".", RRType::NS));
    EXPECT_TRUE(find(r.additionals, "a.root-servers.example.", RRType::A));

    r = ask(".", RRType::DNSKEY);
    EXPECT_EQ(std::ranges::count(r.answers, RRType::DNSKEY, &Record::type), 2);
    EXPECT_TRUE(signs(r.answers, ".", RRType::DNSKEY));
}

TEST_F(LocalRootAnswers, NxdomainWithItsProof) {
    const auto r = ask("nonexistent-tld.", RRType::A);
    EXPECT_TRUE(r.header.aa);
    EXPECT_EQ(r.rcode(), wire::Rcode::NXDOMAIN);
    const Record* soa = find(r.authorities, ".", RRType::SOA);
    ASSERT_TRUE(soa);
    EXPECT_EQ(soa->ttl, 86400u);
    // "example." < "nonexistent-tld." < "zz."; "*." lies in the apex's gap.
    EXPECT_TRUE(find(r.authorities, "example.", RRType::NSEC));
    EXPECT_TRUE(find(r.authorities, ".", RRType::NSEC));
    EXPECT_TRUE(signs(r.authorities, "example.", RRType::NSEC));
    EXPECT_TRUE(signs(r.authorities, ".", RRType::NSEC));
}

TEST_F(LocalRootAnswers, NodataAtTheApex) {
    const auto r = ask(".", RRType::TXT);
    EXPECT_TRUE(r.header.aa);
    EXPECT_EQ(r.rcode(), wire::Rcode::NOERROR);
    EXPECT_TRUE(r.answers.empty());
    EXPECT_TRUE(find(r.authorities, ".", RRType::NSEC));
}

TEST_F(LocalRootAnswers, WhatItDoesNotAnswer) {
    EXPECT_FALSE(copy_->zone.answer({name("example."), RRType::A, wire::RRClass::CH}));
}

TEST(LocalRootHolder, UsedWhileValid) {
    const SignedRoot root;
    LocalRoot local;
    const wire::Question q{name("example."), RRType::NS, wire::RRClass::IN};
    EXPECT_FALSE(local.answer(q, kNow));
    EXPECT_EQ(local.stats(kNow).fallbacks, 1u);
    EXPECT_FALSE(local.stats(kNow).loaded);

    local.install(*root.accept(), kNow);
    EXPECT_TRUE(local.answer(q, kNow + 10));
    auto s = local.stats(kNow + 10);
    EXPECT_TRUE(s.loaded);
    EXPECT_EQ(s.serial, 2026120701u);
    EXPECT_EQ(s.age, 10);
    EXPECT_EQ(s.answers, 1u);

    // SOA expire counts from the last refresh.
    EXPECT_TRUE(local.current(kNow + kSoaExpire - 1));
    EXPECT_FALSE(local.current(kNow + kSoaExpire));
    local.refreshed(kNow + 86400);
    EXPECT_TRUE(local.current(kNow + kSoaExpire));
    EXPECT_EQ(local.stats(kNow + 86400 + 5).age, 5);
    EXPECT_FALSE(local.current(kNow + 86400 + kSoaExpire));

    // The first RRSIG to expire ends the copy, refreshed or not.
    local.refreshed(kExpiration - 10);
    EXPECT_TRUE(local.current(kExpiration - 1));
    EXPECT_FALSE(local.current(kExpiration));

    local.drop();
    EXPECT_FALSE(local.current(kNow));
    local.count_failure(RootFailure::kZonemd);
    EXPECT_EQ(local.stats(kNow).failures[static_cast<size_t>(RootFailure::kZonemd)], 1u);
}

}  // namespace
}  // namespace cairn::policy

namespace cairn::policy {
namespace {

std::vector<std::string> texts(std::vector<Record> records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.to_text());
    std::ranges::sort(out);
    return out;
}

// The copy answers as an authoritative server of the zone does (the test
// suite's FakeAuthority, which the resolver's own tests trust).
TEST(LocalRootAnswersLikeAServer, SameSections) {
    const SignedRoot root;
    const auto copy = *root.accept();
    const testing::FakeZone zone{Name::root(), root.records};
    for (const auto& [qname, type] :
         std::vector<std::pair<std::string, RRType>>{{"www.example.", RRType::A},
                                                     {"example.", RRType::DS},
                                                     {"zz.", RRType::DS},
                                                     {"zz.", RRType::NS},
                                                     {".", RRType::NS},
                                                     {".", RRType::DNSKEY},
                                                     {".", RRType::SOA},
                                                     {".", RRType::TXT},
                                                     {"nonexistent-tld.", RRType::A},
                                                     {"aaa.", RRType::AAAA},
                                                     {"zzz.", RRType::A}}) {
        const wire::Question q{name(qname), type, wire::RRClass::IN};
        const auto ours = copy->zone.answer(q);
        ASSERT_TRUE(ours) << qname;
        const auto theirs = testing::authoritative_answer(zone, q);
        EXPECT_EQ(ours->rcode(), theirs.rcode()) << qname;
        EXPECT_EQ(ours->header.aa, theirs.header.aa) << qname;
        EXPECT_EQ(texts(ours->answers), texts(theirs.answers)) << qname;
        EXPECT_EQ(texts(ours->authorities), texts(theirs.authorities)) << qname;
    }
}

}  // namespace
}  // namespace cairn::policy
