#include "resolve/aggressive_nsec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dnssec/denial.h"
#include "support/zone_signer.h"
#include "wire/encoding.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {
namespace {

using testing::TestZoneSigner;
using wire::Name;
using wire::Rcode;
using wire::Record;
using wire::RRType;
using Kind = Synthesised::Kind;

constexpr uint32_t kInception = 1'600'000'000;
constexpr uint32_t kExpiration = 1'900'000'000;

Name N(std::string_view text) {
    return *Name::from_text(text);
}

// The index and the proofs never look at NSEC3 or SOA signatures.
const std::vector<wire::RData> kSigs = {wire::RData::from_trusted_bytes({9, 9, 9, 9})};

// RFC 4035 §2.3 style zone: an apex, plain names, an empty non-terminal
// (c), a secure (sec) and an insecure (sub) delegation, a wildcard under
// another empty non-terminal (w) and a wildcard CNAME (under cn).
const std::map<Name, std::vector<RRType>>& zone_names() {
    static const std::map<Name, std::vector<RRType>> names = {
        {N("example."), {RRType::SOA, RRType::NS, RRType::DNSKEY}},
        {N("a.example."), {RRType::A}},
        {N("b.c.example."), {RRType::A}},
        {N("d.example."), {RRType::A, RRType::MX}},
        {N("sec.example."), {RRType::NS, RRType::DS}},
        {N("sub.example."), {RRType::NS}},
        {N("*.w.example."), {RRType::A, RRType::TXT}},
        {N("*.cn.example."), {RRType::CNAME}},
    };
    return names;
}

Record soa_record(uint32_t ttl = 3600, uint32_t minimum = 300, const Name& zone = N("example.")) {
    wire::SoaData data{N("ns.example."), N("admin.example."), 1, 7200, 900, 1209600, minimum};
    return {zone, RRType::SOA, wire::RRClass::IN, ttl, data.to_rdata()};
}

size_t count(const std::vector<Record>& records, RRType type) {
    return std::count_if(records.begin(), records.end(),
                         [type](const Record& r) { return r.type == type; });
}

struct AggressiveNsecTest : ::testing::Test {
    cache::FakeClock clock{1'700'000'000};
    cache::DenialIndex index{1 << 20, 4, clock};
    cache::RRsetCache rrsets{cache::CacheOptions{}, 1 << 20, clock};
    TestZoneSigner signer{N("example.")};
    dnssec::ValidationLimits limits;
    dnssec::WorkCounter work;

    std::optional<Synthesised> ask(std::string_view name, RRType type) {
        work = {};
        return synthesise(index, rrsets, {N(name), type, wire::RRClass::IN}, clock.now(), limits,
                          work);
    }

    void add_soa(uint32_t ttl = 3600, uint32_t minimum = 300) {
        ASSERT_TRUE(index.insert_soa(N("example."), soa_record(ttl, minimum), kSigs, UINT32_MAX));
    }

    // Each NSEC of the signed chain with its RRSIG, as the validator would
    // store them; `only`, when given, picks the owners to store.
    void add_nsec_chain(std::vector<std::string> only = {}, uint32_t ttl_cap = UINT32_MAX) {
        const auto chain = signer.nsec_chain(zone_names(), kInception, kExpiration);
        for (size_t i = 0; i + 1 < chain.size(); i += 2) {
            const Record& nsec = chain[i];
            if (!only.empty() &&
                std::find(only.begin(), only.end(), nsec.owner.to_text()) == only.end())
                continue;
            const std::vector<wire::RData> sigs = {chain[i + 1].rdata};
            ASSERT_TRUE(index.insert_denial(N("example."), nsec, sigs, ttl_cap));
        }
    }

    // The wildcard's A RRset, cached as validation would leave it.
    void cache_wildcard(cache::Security security = cache::Security::kSecure) {
        wire::RRset set{N("*.w.example."),
                        RRType::A,
                        wire::RRClass::IN,
                        600,
                        {wire::RData::from_trusted_bytes({192, 0, 2, 7})}};
        const std::vector<wire::RData> sigs = {signer.sign(set, kInception, kExpiration)};
        rrsets.insert(set, sigs, cache::Trust::kValidated, security);
    }

    // *.cn.example. CNAME a.example., cached as validation would leave it.
    void cache_wildcard_cname() {
        wire::RRset set{N("*.cn.example."),
                        RRType::CNAME,
                        wire::RRClass::IN,
                        600,
                        {wire::NameData{N("a.example.")}.to_rdata()}};
        const std::vector<wire::RData> sigs = {signer.sign(set, kInception, kExpiration)};
        rrsets.insert(set, sigs, cache::Trust::kValidated, cache::Security::kSecure);
    }

    // x.cn.example. is answered with the wildcard's CNAME, whatever the
    // type asked, with the NSEC or NSEC3 `proof` type showing x.cn.example.
    // itself does not exist.
    void expect_wildcard_cname(RRType proof) {
        for (RRType type : {RRType::A, RRType::MX, RRType::TXT, RRType::DS, RRType::CNAME}) {
            SCOPED_TRACE(wire::to_string(type));
            auto answer = ask("x.cn.example.", type);
            ASSERT_TRUE(answer);
            EXPECT_EQ(answer->kind, Kind::kWildcard);
            EXPECT_EQ(answer->rcode, Rcode::NOERROR);
            ASSERT_EQ(answer->answers.size(), 2u);
            EXPECT_EQ(answer->answers[0].owner, N("x.cn.example."));
            EXPECT_EQ(answer->answers[0].type, RRType::CNAME);
            EXPECT_EQ(answer->answers[1].type, RRType::RRSIG);
            // The chain goes on at the target unless the CNAME was asked for.
            if (type == RRType::CNAME)
                EXPECT_FALSE(answer->cname_target);
            else
                EXPECT_EQ(answer->cname_target, N("a.example."));
            EXPECT_EQ(count(answer->authority, proof), 1u);
            EXPECT_EQ(count(answer->authority, RRType::SOA), 0u);
            EXPECT_EQ(answer->ttl, 600u);
        }
    }
};

// --- NSEC ---

TEST_F(AggressiveNsecTest, NsecNxdomain) {
    add_nsec_chain();
    add_soa();
    auto answer = ask("nope.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNxdomain);
    EXPECT_EQ(answer->rcode, Rcode::NXDOMAIN);
    EXPECT_TRUE(answer->answers.empty());
    // SOA, the NSEC covering the name (d) and the one covering *.example
    // (the apex's), each followed by its RRSIG.
    ASSERT_EQ(answer->authority.size(), 6u);
    EXPECT_EQ(answer->authority[0].type, RRType::SOA);
    EXPECT_EQ(answer->authority[1].type, RRType::RRSIG);
    EXPECT_EQ(answer->authority[2].owner, N("d.example."));
    EXPECT_EQ(answer->authority[3].owner, N("d.example."));
    EXPECT_EQ(answer->authority[3].type, RRType::RRSIG);
    EXPECT_EQ(answer->authority[4].owner, N("example."));
    EXPECT_EQ(answer->authority[4].type, RRType::NSEC);
    EXPECT_EQ(answer->ttl, 300u);
    for (const Record& r : answer->authority)
        EXPECT_EQ(r.ttl, 300u);
    // Every name in the span is denied the same way.
    EXPECT_TRUE(ask("e.example.", RRType::AAAA));
    EXPECT_TRUE(ask("deep.er.nope.example.", RRType::A));
}

TEST_F(AggressiveNsecTest, NsecNodata) {
    add_nsec_chain();
    add_soa();
    auto answer = ask("a.example.", RRType::MX);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
    ASSERT_EQ(answer->authority.size(), 4u);
    EXPECT_EQ(answer->authority[2].owner, N("a.example."));
    EXPECT_EQ(answer->authority[2].type, RRType::NSEC);
    EXPECT_FALSE(ask("a.example.", RRType::A)) << "the type exists";
}

TEST_F(AggressiveNsecTest, NsecEmptyNonTerminalNodata) {
    add_nsec_chain();
    add_soa();
    auto answer = ask("c.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
    EXPECT_EQ(answer->authority[2].owner, N("a.example.")) << "a's next name is below c";
}

TEST_F(AggressiveNsecTest, NsecWildcardAnswer) {
    add_nsec_chain();
    cache_wildcard();
    auto answer = ask("x.w.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kWildcard);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
    ASSERT_EQ(answer->answers.size(), 2u);
    EXPECT_EQ(answer->answers[0].owner, N("x.w.example."));
    EXPECT_EQ(answer->answers[0].type, RRType::A);
    EXPECT_EQ(answer->answers[1].owner, N("x.w.example."));
    EXPECT_EQ(answer->answers[1].type, RRType::RRSIG);
    auto rrsig = wire::RrsigData::from(answer->answers[1].rdata);
    ASSERT_TRUE(rrsig);
    EXPECT_EQ(rrsig->labels, 2) << "the signature still shows the expansion";
    // No SOA: the NSEC covering the name, and its RRSIG.
    ASSERT_EQ(answer->authority.size(), 2u);
    EXPECT_EQ(answer->authority[0].owner, N("*.w.example."));
    EXPECT_EQ(answer->ttl, 600u) << "the RRset's TTL, below the NSEC's";
    EXPECT_TRUE(ask("y.w.example.", RRType::A));
}

TEST_F(AggressiveNsecTest, NsecWildcardAnswerNeedsTheSecureRRset) {
    add_nsec_chain();
    add_soa();
    EXPECT_FALSE(ask("x.w.example.", RRType::A)) << "not cached";
    cache_wildcard(cache::Security::kInsecure);
    EXPECT_FALSE(ask("x.w.example.", RRType::A)) << "not Secure";
}

TEST_F(AggressiveNsecTest, NsecWildcardCname) {
    add_nsec_chain();
    add_soa();
    EXPECT_FALSE(ask("x.cn.example.", RRType::A)) << "the wildcard's CNAME is not cached";
    cache_wildcard_cname();
    expect_wildcard_cname(RRType::NSEC);
}

TEST_F(AggressiveNsecTest, NsecWildcardNodata) {
    add_nsec_chain();
    add_soa();
    auto answer = ask("x.w.example.", RRType::MX);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
    EXPECT_EQ(count(answer->authority, RRType::NSEC), 1u) << "*.w covers x.w and matches *.w";
}

TEST_F(AggressiveNsecTest, NsecDelegations) {
    add_nsec_chain();
    add_soa();
    auto no_ds = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(no_ds) << "the parent's NSEC at an insecure delegation denies DS";
    EXPECT_EQ(no_ds->kind, Kind::kNodata);
    EXPECT_FALSE(ask("sub.example.", RRType::A)) << "the child zone's to answer";
    EXPECT_FALSE(ask("www.sub.example.", RRType::A)) << "below the cut";
}

// RFC 8198 applies to DS as well; the DS of a zone cut lives in the parent
// zone, so the parent's records deny it.
TEST_F(AggressiveNsecTest, NsecDs) {
    add_nsec_chain();
    add_soa();
    auto no_ds = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(no_ds);
    EXPECT_EQ(no_ds->kind, Kind::kNodata);
    EXPECT_EQ(no_ds->rcode, Rcode::NOERROR);
    ASSERT_EQ(no_ds->authority.size(), 4u);
    EXPECT_EQ(no_ds->authority[0].owner, N("example."));
    EXPECT_EQ(no_ds->authority[0].type, RRType::SOA);
    EXPECT_EQ(no_ds->authority[2].owner, N("sub.example."));
    EXPECT_EQ(no_ds->authority[2].type, RRType::NSEC);
    EXPECT_FALSE(ask("sec.example.", RRType::DS)) << "a secure delegation has its DS";
    EXPECT_FALSE(ask("www.sub.example.", RRType::DS)) << "below the cut: the child's to answer";
    auto nxdomain = ask("nope.example.", RRType::DS);
    ASSERT_TRUE(nxdomain);
    EXPECT_EQ(nxdomain->kind, Kind::kNxdomain);
    auto plain = ask("a.example.", RRType::DS);
    ASSERT_TRUE(plain) << "a name that is no zone cut has no DS either";
    EXPECT_EQ(plain->kind, Kind::kNodata);
}

TEST_F(AggressiveNsecTest, DsIsDeniedByTheParentZoneNotTheChild) {
    // The child zone sub.example is indexed too: its apex record lists no
    // DS, as no apex record does.
    const Name child = N("sub.example.");
    const wire::NsecData apex{N("www.sub.example."),
                              wire::TypeBitmap::from_types(std::vector<RRType>{
                                  RRType::SOA, RRType::NS, RRType::DNSKEY, RRType::NSEC})};
    ASSERT_TRUE(index.insert_denial(
        child, {child, RRType::NSEC, wire::RRClass::IN, 3600, apex.to_rdata()}, kSigs, UINT32_MAX));
    ASSERT_TRUE(index.insert_soa(child, soa_record(3600, 300, child), kSigs, UINT32_MAX));
    EXPECT_FALSE(ask("sub.example.", RRType::DS)) << "the parent's records are not held";
    EXPECT_TRUE(ask("sub.example.", RRType::MX)) << "the child's apex record denies MX";

    add_nsec_chain();
    add_soa();
    auto answer = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->authority[0].owner, N("example.")) << "the parent's SOA";
    EXPECT_EQ(answer->authority[2].owner, N("sub.example."));
    auto types = wire::NsecData::from(answer->authority[2].rdata);
    ASSERT_TRUE(types);
    EXPECT_FALSE(types->types.contains(RRType::SOA)) << "the parent's record at the cut";
}

TEST_F(AggressiveNsecTest, NoSynthesisWithoutTheRecords) {
    add_soa();
    EXPECT_FALSE(ask("nope.example.", RRType::A)) << "no NSEC at all";
    add_nsec_chain({"d.example."});
    EXPECT_FALSE(ask("nope.example.", RRType::A)) << "nothing about *.example";
    EXPECT_FALSE(ask("b.example.", RRType::A)) << "a span not held";
    add_nsec_chain({"example."});
    EXPECT_TRUE(ask("nope.example.", RRType::A));
}

TEST_F(AggressiveNsecTest, NoSynthesisWithoutSoaForNegativeAnswers) {
    add_nsec_chain();
    EXPECT_FALSE(ask("nope.example.", RRType::A));
    EXPECT_FALSE(ask("a.example.", RRType::MX));
}

TEST_F(AggressiveNsecTest, NoSynthesisFromExpiredRecords) {
    add_nsec_chain();
    add_soa(7200);
    ASSERT_TRUE(ask("nope.example.", RRType::A));
    clock.advance(3600);
    EXPECT_FALSE(ask("nope.example.", RRType::A));
    EXPECT_FALSE(ask("a.example.", RRType::MX));
}

TEST_F(AggressiveNsecTest, NoSynthesisOutsideIndexedZonesOrForMetaTypes) {
    add_nsec_chain();
    add_soa();
    EXPECT_FALSE(ask("www.example.org.", RRType::A));
    EXPECT_FALSE(ask("org.", RRType::A));
    EXPECT_FALSE(ask("a.example.", RRType::ANY));
    EXPECT_FALSE(ask("nope.example.", RRType::ANY));
    EXPECT_FALSE(synthesise(index, rrsets, {N("nope.example."), RRType::A, wire::RRClass::CH},
                            clock.now(), limits, work));
}

TEST_F(AggressiveNsecTest, TtlIsTheLeastOfSoaMinimumSoaAndRecords) {
    add_nsec_chain();
    add_soa(3600, 300);
    EXPECT_EQ(ask("nope.example.", RRType::A).value().ttl, 300u) << "SOA MINIMUM";
    add_soa(120, 300);
    EXPECT_EQ(ask("nope.example.", RRType::A).value().ttl, 120u) << "SOA TTL";
    add_nsec_chain({"d.example."}, 60);
    EXPECT_EQ(ask("nope.example.", RRType::A).value().ttl, 60u) << "a proving record's TTL";
    clock.advance(20);
    auto answer = ask("nope.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->ttl, 40u) << "counted down";
    for (const Record& r : answer->authority)
        EXPECT_EQ(r.ttl, 40u);
    EXPECT_EQ(ask("a.example.", RRType::MX).value().ttl, 100u) << "records d does not prove";
}

// --- NSEC3 ---

struct Nsec3Zone {
    uint8_t flags = 0;
    uint16_t iterations = 0;
    std::vector<uint8_t> salt = {0xab, 0xcd};
    // Opt-out as signers use it: the insecure delegation (sub) gets no
    // record of its own (RFC 5155 §7.1).
    bool omit_insecure_delegations = false;
};

// The NSEC3 chain of zone_names(), empty non-terminals included (RFC 5155
// §7.1), in hash order.
std::vector<Record> nsec3_chain(const Nsec3Zone& z) {
    std::map<Name, std::vector<RRType>> names = zone_names();
    names[N("c.example.")];
    names[N("w.example.")];
    names[N("cn.example.")];
    std::vector<std::pair<std::vector<uint8_t>, std::vector<RRType>>> hashed;
    for (auto [name, types] : names) {
        if (z.omit_insecure_delegations && types == std::vector<RRType>{RRType::NS}) continue;
        if (!types.empty() && types != std::vector<RRType>{RRType::NS})
            types.push_back(RRType::RRSIG);
        hashed.emplace_back(dnssec::nsec3_hash(name, z.salt, z.iterations), types);
    }
    std::sort(hashed.begin(), hashed.end());
    std::vector<Record> chain;
    for (size_t i = 0; i < hashed.size(); ++i) {
        wire::Nsec3Data data;
        data.flags = z.flags;
        data.iterations = z.iterations;
        data.salt = z.salt;
        data.next_hashed_owner = hashed[(i + 1) % hashed.size()].first;
        data.types = wire::TypeBitmap::from_types(hashed[i].second);
        const std::string owner =
            wire::encode_base32hex(hashed[i].first, wire::Letters::kLower) + ".example.";
        chain.push_back({N(owner), RRType::NSEC3, wire::RRClass::IN, 3600, data.to_rdata()});
    }
    return chain;
}

struct AggressiveNsec3Test : AggressiveNsecTest {
    void add_nsec3_chain(const Nsec3Zone& z = {}, std::string_view skip_cover_of = {}) {
        for (const Record& r : nsec3_chain(z)) {
            if (!skip_cover_of.empty() && covers(r, skip_cover_of, z)) continue;
            ASSERT_TRUE(index.insert_denial(N("example."), r, kSigs, UINT32_MAX));
        }
        add_soa();
    }

    static std::vector<uint8_t> owner_hash(const Record& r) {
        return *wire::decode_base32hex(std::string(
            reinterpret_cast<const char*>(r.owner.label(0).data()), r.owner.label(0).size()));
    }

    static bool covers(const Record& r, std::string_view name, const Nsec3Zone& z) {
        auto data = wire::Nsec3Data::from(r.rdata);
        const auto hash = dnssec::nsec3_hash(N(name), z.salt, z.iterations);
        const auto owner = owner_hash(r);
        const auto& next = data->next_hashed_owner;
        if (owner < next) return owner < hash && hash < next;
        return owner < hash || hash < next;
    }

    static bool matches(const Record& r, std::string_view name, const Nsec3Zone& z) {
        return owner_hash(r) == dnssec::nsec3_hash(N(name), z.salt, z.iterations);
    }
};

TEST_F(AggressiveNsec3Test, Nsec3Nxdomain) {
    add_nsec3_chain();
    auto answer = ask("nope.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNxdomain);
    EXPECT_EQ(answer->rcode, Rcode::NXDOMAIN);
    EXPECT_EQ(answer->authority[0].type, RRType::SOA);
    // Closest encloser, next closer and wildcard: up to three records.
    const size_t nsec3s = count(answer->authority, RRType::NSEC3);
    EXPECT_GE(nsec3s, 2u);
    EXPECT_LE(nsec3s, 3u);
    EXPECT_EQ(count(answer->authority, RRType::RRSIG), nsec3s + 1);
    EXPECT_EQ(answer->ttl, 300u);
}

// RFC 5155 §8.4, RFC 8198 §5: the closest encloser's record, a cover of the
// next closer name and a cover of the wildcard prove an NXDOMAIN; the names
// below the next closer one need no record of their own.
TEST_F(AggressiveNsec3Test, Nsec3NxdomainNeedsNoCoverBelowTheNextCloserName) {
    const Nsec3Zone z;
    // A name two labels under the apex whose own cover is none of the
    // records the proof needs: that cover is left out of the index.
    std::string qname;
    for (int i = 0; qname.empty() && i < 100; ++i) {
        const std::string next_closer = "q" + std::to_string(i) + ".example.";
        const std::string candidate = "deeper." + next_closer;
        bool needed = false;
        for (const Record& r : nsec3_chain(z))
            needed |= covers(r, candidate, z) &&
                      (covers(r, next_closer, z) || covers(r, "*.example.", z) ||
                       matches(r, "example.", z));
        if (!needed) qname = candidate;
    }
    ASSERT_FALSE(qname.empty());
    add_nsec3_chain(z, qname);
    auto answer = ask(qname, RRType::A);
    ASSERT_TRUE(answer) << qname;
    EXPECT_EQ(answer->kind, Kind::kNxdomain);
    EXPECT_EQ(count(answer->authority, RRType::NSEC3), 3u);
    // Its closest encloser is the apex; one label more, and nothing at all
    // below the next closer name is needed.
    EXPECT_TRUE(ask("a.b." + qname, RRType::TXT));
}

TEST_F(AggressiveNsec3Test, Nsec3LongNamesCostAHashPerLabel) {
    add_nsec3_chain();
    auto answer = ask("a.b.c.d.e.f.g.h.nope.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNxdomain);
    // Finding the records: one per label from qname up to the apex (10),
    // and the wildcard; the proof's own walk up from qname the rest.
    EXPECT_LE(work.nsec3_hashes, 11u + 11u);
}

TEST_F(AggressiveNsec3Test, Nsec3Nodata) {
    add_nsec3_chain();
    auto answer = ask("d.example.", RRType::AAAA);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(count(answer->authority, RRType::NSEC3), 1u);
    EXPECT_FALSE(ask("d.example.", RRType::MX));
}

TEST_F(AggressiveNsec3Test, Nsec3EmptyNonTerminalNodata) {
    add_nsec3_chain();
    auto answer = ask("c.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
}

TEST_F(AggressiveNsec3Test, Nsec3WildcardAnswer) {
    add_nsec3_chain();
    EXPECT_FALSE(ask("x.w.example.", RRType::A)) << "the wildcard's RRset is not cached";
    cache_wildcard();
    auto answer = ask("x.w.example.", RRType::A);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kWildcard);
    ASSERT_EQ(answer->answers.size(), 2u);
    EXPECT_EQ(answer->answers[0].owner, N("x.w.example."));
    EXPECT_EQ(count(answer->authority, RRType::NSEC3), 1u) << "the next closer name's cover";
    EXPECT_EQ(count(answer->authority, RRType::SOA), 0u);
    EXPECT_EQ(answer->ttl, 600u);
}

TEST_F(AggressiveNsec3Test, Nsec3WildcardCname) {
    add_nsec3_chain();
    EXPECT_FALSE(ask("x.cn.example.", RRType::A)) << "the wildcard's CNAME is not cached";
    cache_wildcard_cname();
    expect_wildcard_cname(RRType::NSEC3);
}

TEST_F(AggressiveNsec3Test, Nsec3WildcardNodata) {
    add_nsec3_chain();
    auto answer = ask("x.w.example.", RRType::MX);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_EQ(answer->rcode, Rcode::NOERROR);
}

TEST_F(AggressiveNsec3Test, Nsec3DelegationDeniesDs) {
    add_nsec3_chain();
    auto answer = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->kind, Kind::kNodata);
    EXPECT_FALSE(ask("www.sub.example.", RRType::A));
}

TEST_F(AggressiveNsec3Test, Nsec3Ds) {
    add_nsec3_chain();
    auto no_ds = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(no_ds);
    EXPECT_EQ(no_ds->kind, Kind::kNodata);
    EXPECT_EQ(no_ds->authority[0].owner, N("example."));
    EXPECT_EQ(count(no_ds->authority, RRType::NSEC3), 1u);
    EXPECT_FALSE(ask("sec.example.", RRType::DS)) << "a secure delegation has its DS";
    EXPECT_FALSE(ask("www.sec.example.", RRType::DS)) << "below the cut";
    auto nxdomain = ask("nope.example.", RRType::DS);
    ASSERT_TRUE(nxdomain);
    EXPECT_EQ(nxdomain->kind, Kind::kNxdomain);
}

// An opt-out span may hold an unsigned delegation without a record of its
// own: it proves nothing about DS (RFC 5155 §8.6: insecure).
TEST_F(AggressiveNsec3Test, NoDsSynthesisFromOptOutSpans) {
    add_nsec3_chain({.flags = wire::Nsec3Data::kOptOutFlag, .omit_insecure_delegations = true});
    EXPECT_FALSE(ask("sub.example.", RRType::DS));
    EXPECT_FALSE(ask("nope.example.", RRType::DS));
    EXPECT_FALSE(ask("sec.example.", RRType::DS));

    // A record of its own, opt-out flag or not, speaks for the name.
    index.clear();
    add_nsec3_chain({.flags = wire::Nsec3Data::kOptOutFlag});
    auto no_ds = ask("sub.example.", RRType::DS);
    ASSERT_TRUE(no_ds);
    EXPECT_EQ(no_ds->kind, Kind::kNodata);
}

TEST_F(AggressiveNsec3Test, NoSynthesisFromOptOutSpans) {
    add_nsec3_chain({.flags = wire::Nsec3Data::kOptOutFlag});
    cache_wildcard();
    EXPECT_FALSE(ask("nope.example.", RRType::A));
    EXPECT_FALSE(ask("x.w.example.", RRType::A));
    EXPECT_FALSE(ask("x.w.example.", RRType::MX));
    EXPECT_TRUE(ask("d.example.", RRType::AAAA)) << "a matching record spans nothing";
}

TEST_F(AggressiveNsec3Test, NoSynthesisAboveTheIterationLimit) {
    add_nsec3_chain({.iterations = 100});
    EXPECT_FALSE(ask("nope.example.", RRType::A));
    EXPECT_FALSE(ask("d.example.", RRType::AAAA));
    EXPECT_EQ(work.nsec3_hashes, 0u) << "not a single hash spent";
}

TEST_F(AggressiveNsec3Test, NoSynthesisWhenTheHashBudgetIsSpent) {
    add_nsec3_chain();
    limits.max_nsec3_hashes = 2;
    EXPECT_FALSE(ask("nope.example.", RRType::A));
    EXPECT_LE(work.nsec3_hashes, 2u);
}

TEST_F(AggressiveNsec3Test, NoSynthesisWithARecordMissing) {
    add_nsec3_chain({}, "nope.example.");
    EXPECT_FALSE(ask("nope.example.", RRType::A));
}

}  // namespace
}  // namespace cairn::resolve
