// DNSSEC validation end to end: the resolver against in-memory authoritative
// servers whose zones are signed in-process (DESIGN.md "Tests": validator
// tests script each server's answers in memory, deterministic, no sockets),
// and broken on purpose where a test needs it.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <deque>
#include <optional>

#include "dnssec/key_tag.h"
#include "dnssec/zonemd.h"
#include "policy/local_root.h"
#include "resolve/recursive_resolver.h"
#include "support/fake_authority.h"
#include "support/signed_zone.h"
#include "support/zone_signer.h"
#include "wire/typed_rdata.h"

namespace cairn::resolve {
namespace {

using testing::FakeZone;
using testing::make_zone;
using testing::ScriptedUpstream;
using testing::TestZoneSigner;
using wire::ExtendedErrorCode;
using wire::Name;
using wire::Rcode;
using wire::RRType;

constexpr int64_t kDay = 86400;

constexpr std::string_view kRoot = R"(
$ORIGIN .
$TTL 86400
@               SOA a.root-servers. admin.root-servers. 1 1800 900 604800 86400
@               NS  a.root-servers.
a.root-servers. A   127.0.0.1
example.        NS  ns.example.
ns.example.     A   127.0.2.1
)";

// www, a CNAME into a signed child, a wildcard, an empty non-terminal
// (ent) and a DNAME; children are added by the tests that need them.
constexpr std::string_view kExample = R"(
$ORIGIN example.
$TTL 300
@        SOA ns admin 1 1800 900 604800 60
@        NS  ns
ns       A   127.0.2.1
www      A   192.0.2.1
alias    CNAME www.secure.example.
*.wild   A   192.0.2.5
x.ent    A   192.0.2.9
old      DNAME new.example.
a.new    A   192.0.2.7
)";

Name name(std::string_view text) {
    return *Name::from_text(text);
}

wire::Record record(const std::string& text) {
    return *wire::parse_record(text, Name::root());
}

std::optional<wire::RrsigData> rrsig_covering(const wire::Record& r, RRType type) {
    if (r.type != RRType::RRSIG) return std::nullopt;
    auto sig = wire::RrsigData::from(r.rdata);
    if (!sig || sig->type_covered != type) return std::nullopt;
    return *sig;
}

// Spoils the RRSIGs over (owner, type): they no longer verify.
void tamper(FakeZone& zone, std::string_view owner, RRType type) {
    size_t tampered = 0;
    for (auto& r : zone.records) {
        auto sig = rrsig_covering(r, type);
        if (!sig || r.owner != name(owner)) continue;
        sig->signature[0] ^= 0xff;
        r.rdata = sig->to_rdata();
        ++tampered;
    }
    ASSERT_GT(tampered, 0u) << "no RRSIG over " << owner;
}

// Removes the records of `type` and the RRSIGs over them.
void erase_type(FakeZone& zone, RRType type, bool keep_records = false) {
    std::erase_if(zone.records, [&](const wire::Record& r) {
        return rrsig_covering(r, type) || (!keep_records && r.type == type);
    });
}

// `count` DNSKEY records that differ from `key` yet share its key tag: one
// octet of the public key raised and another of the same parity lowered
// leave the RFC 4034 Appendix B checksum as it was. Ed25519 keys import
// whatever the octets (the point is only decoded when verifying), so each
// costs the validator a signature check.
std::vector<wire::Record> same_tag_keys(const wire::Record& key, size_t count) {
    const auto original = key.rdata.bytes();
    std::vector<wire::Record> out;
    constexpr size_t kKeyStart = 4;  // flags, protocol, algorithm
    for (size_t p = kKeyStart; p < original.size() && out.size() < count; ++p) {
        for (size_t q = p + 2; q < original.size() && out.size() < count; q += 2) {
            if (original[p] == 0xff || original[q] == 0) continue;
            std::vector<uint8_t> bytes(original.begin(), original.end());
            ++bytes[p];
            --bytes[q];
            wire::Record variant = key;
            variant.rdata = wire::RData::from_trusted_bytes(std::move(bytes));
            out.push_back(std::move(variant));
        }
    }
    return out;
}

// A zone, the server that serves it and, for a signed zone, its keys.
struct ServedZone {
    FakeZone zone;
    std::string address;
    std::optional<TestZoneSigner> ksk;
    std::optional<TestZoneSigner> zsk;
    bool has_signatures = false;
};

enum class Child : uint8_t { kSigned, kSignedWithoutDs, kUnsigned };

class ValidationTest : public ::testing::Test {
protected:
    ValidationTest() {
        options_.upstream_deny.clear();
        options_.initial_timeout = std::chrono::milliseconds(400);
        hints_ = *RootHints::from_text(
            ". 3600 NS a.root-servers.\na.root-servers. 3600 A 127.0.0.1\n", "test hints");
        root_ = served(".", kRoot, "127.0.0.1", true);
        example_ = served("example.", kExample, "127.0.2.1", true);
        root_.zone.records.push_back(example_.ksk->ds(86400));
        options_.dnssec.anchors.add(root_.ksk->ds());
    }

    static ServedZone served(std::string_view origin, std::string_view text, std::string address,
                             bool with_keys,
                             uint8_t algorithm = dnssec::algorithm::kEcdsaP256Sha256) {
        ServedZone z{make_zone(origin, text), std::move(address), {}, {}, false};
        if (with_keys) {
            z.ksk.emplace(name(origin), algorithm, TestZoneSigner::kKskFlags);
            z.zsk.emplace(name(origin), algorithm, TestZoneSigner::kZskFlags);
        }
        return z;
    }

    // `<label>.example.` (www A 192.0.2.2), delegated from example. with or
    // without keys and DS. Children must be added before example. is signed.
    ServedZone& add_child(std::string_view label, Child kind,
                          uint8_t algorithm = dnssec::algorithm::kEcdsaP256Sha256) {
        const std::string origin = std::string(label) + ".example.";
        const std::string address = "127.0.3." + std::to_string(children_.size() + 1);
        const std::string text = "$ORIGIN " + origin + "\n$TTL 300\n" +
                                 "@ SOA ns admin 1 1800 900 604800 60\n@ NS ns\nns A " + address +
                                 "\nwww A 192.0.2.2\n";
        auto& child = children_.emplace_back(
            served(origin, text, address, kind != Child::kUnsigned, algorithm));
        example_.zone.records.push_back(record(origin + " 300 IN NS ns." + origin));
        example_.zone.records.push_back(record("ns." + origin + " 300 IN A " + address));
        if (kind == Child::kSigned) example_.zone.records.push_back(child.ksk->ds(300));
        return child;
    }

    // Signs `z` with signatures valid from `from` to `until` seconds from now.
    void sign(ServedZone& z, int64_t from = -kDay, int64_t until = 30 * kDay) {
        const int64_t now = clock_.now();
        testing::sign_zone(z.zone, *z.ksk, *z.zsk, static_cast<uint32_t>(now + from),
                           static_cast<uint32_t>(now + until));
        z.has_signatures = true;
    }

    // Signs what is not signed yet and starts serving every zone.
    void publish() {
        auto serve = [&](ServedZone& z) {
            if (z.ksk && !z.has_signatures) sign(z);
            upstream_.serve(z.address, {z.zone});
        };
        for (auto& child : children_)
            serve(child);
        serve(example_);
        serve(root_);
        published_ = true;
    }

    RecursiveResolver& resolver() {
        if (!resolver_)
            resolver_ =
                std::make_unique<RecursiveResolver>(options_, hints_, caches_, upstream_, clock_);
        return *resolver_;
    }

    const ResolverMetrics& metrics() { return resolver().metrics(); }

    Answer resolve(std::string_view qname, RRType type, bool checking_disabled = false) {
        if (!published_) publish();
        ClientQuery q{{name(qname), type, wire::RRClass::IN}, true, true, checking_disabled};
        asio::io_context io;
        auto future = asio::co_spawn(io, resolver().resolve(q), asio::use_future);
        io.run();
        return future.get();
    }

    // Queries sent upstream for (owner, type).
    size_t queries(std::string_view owner, RRType type) const {
        size_t n = 0;
        for (const auto& q : upstream_.sent())
            n += q.question.name == name(owner) && q.question.type == type;
        return n;
    }

    // The records of `type` in `section` as text without the TTL, which
    // validation may lower (signature validity, bogus-ttl, the proof of a
    // wildcard expansion).
    static std::vector<std::string> records_of(const std::vector<wire::Record>& section,
                                               RRType type) {
        std::vector<std::string> out;
        for (const auto& r : section) {
            if (r.type != type) continue;
            std::string text = r.to_text();
            const size_t ttl = text.find(' ') + 1;
            out.push_back(text.erase(ttl, text.find(' ', ttl) - ttl + 1));
        }
        return out;
    }

    // The EDE code, -1 for none.
    static int ede(const Answer& a) {
        return a.extended_error ? static_cast<int>(a.extended_error->code) : -1;
    }

    static std::string why(const Answer& a) {
        return a.extended_error
                   ? "EDE " + std::to_string(ede(a)) + ": " + a.extended_error->extra_text
                   : "no EDE";
    }

    ResolverOptions options_;
    RootHints hints_;
    cache::FakeClock clock_;
    cache::CacheOptions cache_options_;
    cache::Caches caches_{cache_options_, clock_};
    ScriptedUpstream upstream_;
    std::unique_ptr<RecursiveResolver> resolver_;
    ServedZone root_;
    ServedZone example_;
    std::deque<ServedZone> children_;  // a deque: add_child's references stay valid
    bool published_ = false;
};

const std::vector<std::string> kWww{"www.example. IN A 192.0.2.1"};

TEST_F(ValidationTest, SecureAnswerIsAuthentic) {
    auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
    EXPECT_EQ(metrics().dnssec_secure.load(), 1u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
    EXPECT_GT(metrics().dnssec_verifications.load(), 0u);
}

TEST_F(ValidationTest, SecureNxdomainIsAuthentic) {
    auto a = resolve("missing.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::NXDOMAIN) << why(a);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
    // The proof goes to the client with the SOA.
    EXPECT_FALSE(records_of(a.authority, RRType::NSEC).empty());
    EXPECT_EQ(metrics().dnssec_secure.load(), 1u);
}

TEST_F(ValidationTest, SecureNodataIsAuthentic) {
    auto a = resolve("www.example.", RRType::TXT);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
}

TEST_F(ValidationTest, EmptyNonTerminalNodataIsAuthentic) {
    auto a = resolve("ent.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
}

TEST_F(ValidationTest, WildcardAnswerIsAuthentic) {
    auto a = resolve("foo.wild.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"foo.wild.example. IN A 192.0.2.5"}));
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
    // The NSEC showing foo.wild.example. itself does not exist comes along.
    EXPECT_FALSE(records_of(a.authority, RRType::NSEC).empty());
}

TEST_F(ValidationTest, WildcardNodataIsAuthentic) {
    auto a = resolve("foo.wild.example.", RRType::TXT);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
}

TEST_F(ValidationTest, SecureDelegationIsFollowed) {
    add_child("secure", Child::kSigned);
    auto a = resolve("www.secure.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.secure.example. IN A 192.0.2.2"}));
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
}

TEST_F(ValidationTest, CnameIntoSecureZoneIsAuthentic) {
    add_child("secure", Child::kSigned);
    auto a = resolve("alias.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::CNAME),
              (std::vector<std::string>{"alias.example. IN CNAME www.secure.example."}));
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.secure.example. IN A 192.0.2.2"}));
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
    EXPECT_EQ(metrics().dnssec_secure.load(), 1u);  // one client answer
}

TEST_F(ValidationTest, DnameAnswerIsAuthentic) {
    auto a = resolve("a.old.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"a.new.example. IN A 192.0.2.7"}));
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
}

TEST_F(ValidationTest, UnsignedChildIsInsecure) {
    add_child("unsigned", Child::kUnsigned);
    auto a = resolve("www.unsigned.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.unsigned.example. IN A 192.0.2.2"}));
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(ede(a), -1) << why(a);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 1u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// Issue 18 (the flood's third upstream query per name): below a zone known
// insecure, a zone cut's DS is not asked for; the cut is insecure because
// its parent is.
TEST_F(ValidationTest, NoDsIsAskedBelowAnInsecureZone) {
    auto& child = add_child("unsigned", Child::kUnsigned);
    child.zone.records.push_back(
        record("deep.unsigned.example. 300 IN NS ns.deep.unsigned.example."));
    child.zone.records.push_back(record("ns.deep.unsigned.example. 300 IN A 127.0.4.1"));
    auto deep = served("deep.unsigned.example.",
                       "$ORIGIN deep.unsigned.example.\n$TTL 300\n"
                       "@ SOA ns admin 1 1800 900 604800 60\n@ NS ns\nns A 127.0.4.1\n"
                       "www A 192.0.2.9\n",
                       "127.0.4.1", false);
    publish();
    upstream_.serve(deep.address, {deep.zone});
    for (auto qname : {"www.unsigned.example.", "www.deep.unsigned.example."}) {
        auto a = resolve(qname, RRType::A);
        ASSERT_EQ(a.rcode, Rcode::NOERROR) << qname << why(a);
        EXPECT_FALSE(a.authentic_data) << qname;
        EXPECT_EQ(ede(a), -1) << why(a);
    }
    EXPECT_EQ(queries("deep.unsigned.example.", RRType::DS), 0u);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 2u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// Issue 18: a signed zone's DNSKEY set is asked for as soon as the zone is
// first asked anything, beside the question, not after its answer came.
TEST_F(ValidationTest, ZoneKeysAreFetchedBesideTheFirstQuestion) {
    add_child("signed", Child::kSigned);
    auto a = resolve("www.signed.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.authentic_data) << why(a);
    const auto& sent = upstream_.sent();
    auto first = [&](std::string_view owner, RRType type) {
        for (size_t i = 0; i < sent.size(); ++i)
            if (sent[i].question.name == name(owner) && sent[i].question.type == type) return i;
        return sent.size();
    };
    // The root's keys go out before the question reaches example.'s
    // servers, example.'s before it reaches signed.example.'s, and
    // signed.example.'s together with the question to that zone (just
    // before or after it, as the two coroutines take turns).
    EXPECT_LT(first(".", RRType::DNSKEY), first("signed.example.", RRType::A));
    EXPECT_LT(first("example.", RRType::DNSKEY), first("www.signed.example.", RRType::A));
    EXPECT_LE(first("signed.example.", RRType::DNSKEY),
              first("www.signed.example.", RRType::A) + 1);
    for (auto zone : {".", "example.", "signed.example."})
        EXPECT_EQ(queries(zone, RRType::DNSKEY), 1u) << zone;
    EXPECT_EQ(metrics().early_key_fetches.load(), 3u);
}

// Issue 18: before the first client asks, the root's servers are probed and
// primed and its keys validated, so the first question starts below the root.
TEST_F(ValidationTest, WarmUpPrimesTheRootAndItsKeysOnce) {
    publish();
    auto warm_up = [&] {
        asio::io_context io;
        auto future = asio::co_spawn(io, resolver().warm_up(), asio::use_future);
        io.run();
        future.get();
    };
    warm_up();
    EXPECT_GE(queries(".", RRType::NS), 2u);  // the probe, then priming
    EXPECT_EQ(queries(".", RRType::DNSKEY), 1u);
    ASSERT_TRUE(caches_.keys.lookup(Name::root()));
    EXPECT_EQ(caches_.keys.lookup(Name::root())->security, cache::Security::kSecure);
    warm_up();
    EXPECT_EQ(queries(".", RRType::DNSKEY), 1u);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_TRUE(a.authentic_data) << why(a);
    EXPECT_EQ(queries(".", RRType::DNSKEY), 1u);
}

TEST_F(ValidationTest, NoKeysAreFetchedAheadForAnUnsignedZone) {
    add_child("unsigned", Child::kUnsigned);
    auto a = resolve("www.unsigned.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(queries("unsigned.example.", RRType::DNSKEY), 0u);
    EXPECT_EQ(metrics().early_key_fetches.load(), 2u);  // . and example. only
}

TEST_F(ValidationTest, TamperedSignatureIsBogusUnlessCheckingDisabled) {
    sign(example_);
    tamper(example_.zone, "www.example.", RRType::A);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnssecBogus)) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 1u);

    // CD=1: the client validates for itself (RFC 4035 §3.2.2), so it gets
    // the data, never marked authentic.
    auto cd = resolve("www.example.", RRType::A, /*checking_disabled=*/true);
    EXPECT_EQ(cd.rcode, Rcode::NOERROR) << why(cd);
    EXPECT_EQ(records_of(cd.answer, RRType::A), kWww);
    EXPECT_FALSE(cd.authentic_data);
}

TEST_F(ValidationTest, CheckingDisabledDoesNotValidate) {
    sign(example_);
    tamper(example_.zone, "www.example.", RRType::A);
    auto cd = resolve("www.example.", RRType::A, /*checking_disabled=*/true);
    EXPECT_EQ(cd.rcode, Rcode::NOERROR) << why(cd);
    EXPECT_EQ(records_of(cd.answer, RRType::A), kWww);
    EXPECT_FALSE(cd.authentic_data);
    EXPECT_EQ(queries("example.", RRType::DNSKEY), 0u);
}

TEST_F(ValidationTest, ExpiredSignaturesAreBogus) {
    sign(add_child("expired", Child::kSigned), -60 * kDay, -kDay);
    auto a = resolve("www.expired.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kSignatureExpired)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, SignaturesNotYetValidAreBogus) {
    sign(add_child("future", Child::kSigned), kDay, 30 * kDay);
    auto a = resolve("www.future.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kSignatureNotYetValid)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, DsMatchingNoDnskeyIsBogus) {
    add_child("mismatch", Child::kSignedWithoutDs);
    // The parent vouches for a key the child does not have.
    example_.zone.records.push_back(TestZoneSigner(name("mismatch.example.")).ds(300));
    auto a = resolve("www.mismatch.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnskeyMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, UnsignedDnskeyRRsetIsBogus) {
    auto& child = add_child("nokeysig", Child::kSigned);
    sign(child);
    erase_type(child.zone, RRType::DNSKEY, /*keep_records=*/true);
    auto a = resolve("www.nokeysig.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kRrsigsMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, NxdomainWithoutNsecIsBogus) {
    sign(example_);
    erase_type(example_.zone, RRType::NSEC);
    auto a = resolve("missing.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kNsecMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, AnswerWithoutRrsigIsBogus) {
    sign(example_);
    erase_type(example_.zone, RRType::A, /*keep_records=*/true);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kRrsigsMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

// Without the NSEC showing the name does not exist, the wildcard could be
// hiding a real RRset (RFC 4035 §5.3.4).
TEST_F(ValidationTest, WildcardAnswerWithoutProofIsBogus) {
    sign(example_);
    erase_type(example_.zone, RRType::NSEC);
    auto a = resolve("foo.wild.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kNsecMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

TEST_F(ValidationTest, ZoneKeysAreFetchedOnce) {
    const std::pair<std::string_view, RRType> questions[] = {
        {"www.example.", RRType::A},      {"x.ent.example.", RRType::A},
        {"missing.example.", RRType::A},  {"www.example.", RRType::TXT},
        {"foo.wild.example.", RRType::A}, {"a.new.example.", RRType::A},
    };
    for (const auto& [qname, type] : questions) {
        auto a = resolve(qname, type);
        EXPECT_TRUE(a.authentic_data) << qname << " " << wire::to_string(type) << ": " << why(a);
    }
    EXPECT_EQ(queries("example.", RRType::DNSKEY), 1u);
    EXPECT_EQ(queries(".", RRType::DNSKEY), 1u);
    EXPECT_EQ(queries("example.", RRType::DS), 0u);  // it came with the referral
}

TEST_F(ValidationTest, RecordsVerifiedBeforeAreNotCheckedAgain) {
    // Without aggressive use each NXDOMAIN goes upstream; its SOA and the
    // NSEC denying *.example. come back alike every time.
    options_.aggressive_nsec = false;
    auto first = resolve("missing.example.", RRType::A);
    ASSERT_EQ(first.rcode, Rcode::NXDOMAIN) << why(first);
    EXPECT_TRUE(first.authentic_data);
    const uint64_t verified = metrics().dnssec_verifications.load();
    const uint64_t saved = metrics().dnssec_verifications_saved.load();

    auto second = resolve("zzz.example.", RRType::A);  // another NSEC span
    ASSERT_EQ(second.rcode, Rcode::NXDOMAIN) << why(second);
    EXPECT_TRUE(second.authentic_data);
    EXPECT_EQ(metrics().dnssec_verifications.load() - verified, 1u) << "only the new NSEC";
    EXPECT_EQ(metrics().dnssec_verifications_saved.load() - saved, 2u) << "SOA, wildcard NSEC";
}

TEST_F(ValidationTest, PrefetchOfUnchangedDataChecksNoSignature) {
    ASSERT_TRUE(resolve("www.example.", RRType::A).authentic_data);
    clock_.advance(100);
    ASSERT_TRUE(resolve("www.example.", RRType::A).authentic_data);
    const uint64_t verified = metrics().dnssec_verifications.load();
    clock_.advance(180);  // 20 s of 300 left: prefetched
    EXPECT_TRUE(resolve("www.example.", RRType::A).authentic_data);
    EXPECT_EQ(metrics().prefetches.load(), 1u);
    EXPECT_EQ(metrics().prefetch_unchanged.load(), 1u);
    EXPECT_EQ(metrics().dnssec_verifications.load(), verified);
    auto renewed = caches_.rrsets.lookup(name("www.example."), RRType::A);
    ASSERT_TRUE(renewed);
    EXPECT_EQ(renewed->security, cache::Security::kSecure);
    EXPECT_EQ(renewed->rrset.ttl, 300u);

    // A client's refresh after expiry renews it too, but is no prefetch.
    clock_.advance(301);
    EXPECT_TRUE(resolve("www.example.", RRType::A).authentic_data);
    EXPECT_EQ(metrics().prefetch_unchanged.load(), 1u);
}

TEST_F(ValidationTest, ChangedSignaturesAreCheckedAgain) {
    options_.aggressive_nsec = false;
    ASSERT_EQ(resolve("missing.example.", RRType::A).rcode, Rcode::NXDOMAIN);
    // The zone's SOA signature is forged from now on: the earlier verdict
    // on the genuine one says nothing about it.
    tamper(example_.zone, "example.", RRType::SOA);
    upstream_.serve(example_.address, {example_.zone});
    auto a = resolve("zzz.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL) << why(a);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnssecBogus)) << why(a);
}

TEST_F(ValidationTest, BogusAnswersAreRemembered) {
    sign(example_);
    tamper(example_.zone, "www.example.", RRType::A);
    EXPECT_EQ(resolve("www.example.", RRType::A).rcode, Rcode::SERVFAIL);
    upstream_.clear_log();
    auto again = resolve("www.example.", RRType::A);
    EXPECT_EQ(again.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(again), static_cast<int>(ExtendedErrorCode::kDnssecBogus)) << why(again);
    EXPECT_TRUE(upstream_.sent().empty());
    EXPECT_EQ(metrics().dnssec_bogus.load(), 2u);
    // For bogus-ttl only (RFC 4035 §4.7): the zone may have been repaired.
    clock_.advance(options_.dnssec.bogus_ttl + 1);
    resolve("www.example.", RRType::A);
    EXPECT_FALSE(upstream_.sent().empty());
}

TEST_F(ValidationTest, NegativeTrustAnchorSkipsValidation) {
    options_.dnssec.negative_trust_anchors = {name("example.")};
    sign(example_);
    tamper(example_.zone, "www.example.", RRType::A);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(queries("example.", RRType::DNSKEY), 0u);
}

TEST_F(ValidationTest, DisabledValidationAnswersBogusData) {
    options_.dnssec.enabled = false;
    sign(example_);
    tamper(example_.zone, "www.example.", RRType::A);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(queries(".", RRType::DNSKEY), 0u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
    EXPECT_EQ(metrics().dnssec_verifications.load(), 0u);
}

TEST_F(ValidationTest, TrustAnchorMismatchIsBogus) {
    options_.dnssec.anchors = {};
    options_.dnssec.anchors.add(TestZoneSigner(Name::root()).ds());
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnskeyMissing)) << why(a);
    EXPECT_FALSE(a.authentic_data);
}

// KeyTrap (CVE-2023-50387): keytrap.example. with `colliding` more DNSKEYs
// sharing its ZSK's tag, and the A RRsets of `trapped` (www and others,
// added) each with 30 RRSIGs naming that tag, none of which verifies.
// `honest` names get an A RRset with its genuine signature. Signed as of
// `now`.
struct KeyTrapZone {
    std::vector<std::string> trapped;
    std::vector<std::string> honest = {};
    size_t colliding = 48;
};

void make_keytrap(ServedZone& child, const KeyTrapZone& shape, int64_t now) {
    const wire::Record zsk = child.zsk->dnskey();
    const uint16_t tag = child.zsk->key_tag();
    const auto colliding = same_tag_keys(zsk, shape.colliding);
    ASSERT_EQ(colliding.size(), shape.colliding);
    const auto& owners = shape.trapped;
    for (const auto& owner : owners)
        if (owner != "www")
            child.zone.records.push_back(record(owner + ".keytrap.example. 300 IN A 192.0.2.2"));
    for (const auto& owner : shape.honest)
        child.zone.records.push_back(record(owner + ".keytrap.example. 300 IN A 192.0.2.3"));
    const auto inception = static_cast<uint32_t>(now - kDay);
    const auto expiration = static_cast<uint32_t>(now + 30 * kDay);
    testing::sign_zone(child.zone, *child.ksk, *child.zsk, inception, expiration);
    child.has_signatures = true;
    // The colliding keys join the DNSKEY RRset after the real ones (as a
    // zone file lists them), and the KSK signs it again.
    auto& records = child.zone.records;
    std::erase_if(records, [](const wire::Record& r) {
        return r.type == RRType::DNSKEY || rrsig_covering(r, RRType::DNSKEY);
    });
    wire::RRset dnskeys{name("keytrap.example."), RRType::DNSKEY, wire::RRClass::IN, zsk.ttl, {}};
    dnskeys.add(child.ksk->dnskey().rdata);
    dnskeys.add(zsk.rdata);
    for (const auto& key : colliding) {
        ASSERT_EQ(dnssec::key_tag(key.rdata), tag);
        dnskeys.add(key.rdata);
    }
    for (auto& r : dnskeys.to_records())
        records.push_back(std::move(r));
    records.push_back(child.ksk->rrsig(dnskeys, inception, expiration));
    for (const auto& owner : owners) {
        const Name trapped = name(owner + ".keytrap.example.");
        auto genuine = std::find_if(child.zone.records.begin(), child.zone.records.end(),
                                    [&](const wire::Record& r) {
                                        return r.owner == trapped && rrsig_covering(r, RRType::A);
                                    });
        ASSERT_NE(genuine, child.zone.records.end());
        const wire::Record model = *genuine;
        child.zone.records.erase(genuine);
        for (uint8_t i = 1; i <= 30; ++i) {
            auto sig = *wire::RrsigData::from(model.rdata);
            sig.signature[0] ^= i;
            wire::Record bad = model;
            bad.rdata = sig.to_rdata();
            child.zone.records.push_back(bad);
        }
    }
}

// The limits stop the work of one request.
TEST_F(ValidationTest, KeyTrapIsCutShortByTheVerificationLimits) {
    make_keytrap(add_child("keytrap", Child::kSigned, dnssec::algorithm::kEd25519),
                 {.trapped = {"www"}}, clock_.now());
    auto a = resolve("www.keytrap.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnssecBogus)) << why(a);
    EXPECT_GT(metrics().limit_dnssec_verifications.load(), 0u);
    EXPECT_GT(metrics().limit_dnssec_keys_per_tag.load(), 0u);
    EXPECT_LE(metrics().dnssec_verifications.load(),
              options_.dnssec.limits.max_verifications_per_request);
}

// A flood of new names answered by the trapped wildcard: the zone is held
// (dnssec-limit-hold) and so is the wildcard, whose expansions name a tag
// 49 keys share: until the hold ends the names it would answer are not
// even asked. Honest data in the zone still validates, with the key that
// proved itself, one check each.
TEST_F(ValidationTest, KeyTrapWildcardFloodIsNotAskedWhileHeld) {
    make_keytrap(add_child("keytrap", Child::kSigned, dnssec::algorithm::kEd25519),
                 {.trapped = {"*.trap"}, .honest = {"ok", "ok2"}}, clock_.now());
    auto ok = resolve("ok.keytrap.example.", RRType::A);
    ASSERT_EQ(ok.rcode, Rcode::NOERROR) << why(ok);
    EXPECT_TRUE(ok.authentic_data);
    EXPECT_EQ(resolve("k1.trap.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 1u);
    uint64_t checks = metrics().dnssec_verifications.load();
    const size_t sent = upstream_.sent().size();

    for (const char* qname : {"k2.trap.keytrap.example.", "k3.trap.keytrap.example."}) {
        auto a = resolve(qname, RRType::A);
        EXPECT_EQ(a.rcode, Rcode::SERVFAIL) << qname;
        EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kDnssecBogus)) << why(a);
        EXPECT_NE(why(a).find("dnssec-limit-hold"), std::string::npos) << why(a);
    }
    EXPECT_EQ(metrics().dnssec_verifications.load(), checks);
    EXPECT_EQ(upstream_.sent().size(), sent);
    EXPECT_EQ(metrics().dnssec_held_lookups.load(), 2u);
    // Not bogus data, not a reason to ask another server.
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
    EXPECT_EQ(metrics().bogus_retries.load(), 0u);

    auto ok2 = resolve("ok2.keytrap.example.", RRType::A);
    ASSERT_EQ(ok2.rcode, Rcode::NOERROR) << why(ok2);
    EXPECT_TRUE(ok2.authentic_data);
    EXPECT_EQ(metrics().dnssec_verifications.load(), checks + 1);
    // A client that asks for no validation (CD) is not held up.
    EXPECT_EQ(resolve("k4.trap.keytrap.example.", RRType::A, true).rcode, Rcode::NOERROR);

    checks = metrics().dnssec_verifications.load();
    clock_.advance(options_.dnssec.limit_hold + 1);
    EXPECT_EQ(resolve("k5.trap.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_GT(metrics().dnssec_verifications.load(), checks + 1);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 2u);
}

// New names with RRsets of their own (no wildcard): each is asked, and
// costs one signature check while the zone is held.
TEST_F(ValidationTest, KeyTrapNamesCostOneCheckEachWhileHeld) {
    make_keytrap(add_child("keytrap", Child::kSigned, dnssec::algorithm::kEd25519),
                 {.trapped = {"www", "w2", "w3"}, .honest = {"ok"}}, clock_.now());
    ASSERT_EQ(resolve("ok.keytrap.example.", RRType::A).rcode, Rcode::NOERROR);
    EXPECT_EQ(resolve("www.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 1u);
    const uint64_t checks = metrics().dnssec_verifications.load();
    for (const char* qname : {"w2.keytrap.example.", "w3.keytrap.example."}) {
        auto a = resolve(qname, RRType::A);
        EXPECT_EQ(a.rcode, Rcode::SERVFAIL) << qname;
        EXPECT_NE(why(a).find("dnssec-limit-hold"), std::string::npos) << why(a);
    }
    EXPECT_EQ(metrics().dnssec_verifications.load(), checks + 2);
    EXPECT_EQ(metrics().dnssec_held_rrsets.load(), 2u);
    EXPECT_EQ(metrics().dnssec_held_lookups.load(), 0u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// A zone held because one RRset spent the per-RRset budget (which forged
// signatures could do) is still asked; its RRsets get one signature check
// each, enough for honest data.
TEST_F(ValidationTest, ZoneHeldForItsBudgetStillAnswersHonestData) {
    options_.dnssec.limits.max_verifications_per_rrset = 3;
    make_keytrap(add_child("keytrap", Child::kSigned, dnssec::algorithm::kEd25519),
                 {.trapped = {"www", "w2"}, .honest = {"ok"}, .colliding = 0}, clock_.now());
    EXPECT_EQ(resolve("www.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 1u);
    uint64_t checks = metrics().dnssec_verifications.load();

    auto trapped = resolve("w2.keytrap.example.", RRType::A);
    EXPECT_EQ(trapped.rcode, Rcode::SERVFAIL);
    EXPECT_NE(why(trapped).find("dnssec-limit-hold"), std::string::npos) << why(trapped);
    EXPECT_EQ(metrics().dnssec_verifications.load(), checks + 1);
    EXPECT_EQ(metrics().dnssec_held_rrsets.load(), 1u);
    EXPECT_EQ(metrics().dnssec_held_lookups.load(), 0u);

    checks = metrics().dnssec_verifications.load();
    auto ok = resolve("ok.keytrap.example.", RRType::A);
    ASSERT_EQ(ok.rcode, Rcode::NOERROR) << why(ok);
    EXPECT_TRUE(ok.authentic_data);
    EXPECT_EQ(metrics().dnssec_verifications.load(), checks + 1);
}

TEST_F(ValidationTest, KeyTrapHoldOfZeroNeverHolds) {
    options_.dnssec.limit_hold = 0;
    make_keytrap(add_child("keytrap", Child::kSigned, dnssec::algorithm::kEd25519),
                 {.trapped = {"www", "w2"}}, clock_.now());
    EXPECT_EQ(resolve("www.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    const uint64_t checks = metrics().dnssec_verifications.load();
    EXPECT_EQ(resolve("w2.keytrap.example.", RRType::A).rcode, Rcode::SERVFAIL);
    EXPECT_GE(metrics().dnssec_verifications.load(),
              checks + options_.dnssec.limits.max_verifications_per_rrset);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 0u);
    EXPECT_EQ(metrics().dnssec_held_rrsets.load(), 0u);
}

TEST_F(ValidationTest, UnsupportedDsAlgorithmMakesTheZoneInsecure) {
    add_child("private", Child::kUnsigned);
    const wire::DsData ds{12345, 253, dnssec::digest::kSha256, std::vector<uint8_t>(32, 0xab)};
    example_.zone.records.push_back(
        {name("private.example."), RRType::DS, wire::RRClass::IN, 300, ds.to_rdata()});
    auto a = resolve("www.private.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.private.example. IN A 192.0.2.2"}));
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kUnsupportedDnskeyAlgorithm)) << why(a);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 1u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// Changes the algorithm field of the RRSIGs over (owner, type).
void relabel_algorithm(FakeZone& zone, std::string_view owner, RRType type, uint8_t algorithm) {
    size_t changed = 0;
    for (auto& r : zone.records) {
        auto sig = rrsig_covering(r, type);
        if (!sig || r.owner != name(owner)) continue;
        sig->algorithm = algorithm;
        r.rdata = sig->to_rdata();
        ++changed;
    }
    ASSERT_GT(changed, 0u) << "no RRSIG over " << owner;
}

constexpr uint8_t kPrivateAlgorithm = 253;

// Only the DS RRset may make a zone insecure: an RRSIG claiming an algorithm
// Cairn cannot check, swapped in by a forger, must not pass signed data off
// as insecure (RFC 4035 §5.2, RFC 6840 §5.11).
TEST_F(ValidationTest, RrsigOfAnUnsupportedAlgorithmDoesNotDowngradeSignedData) {
    sign(example_);
    relabel_algorithm(example_.zone, "www.example.", RRType::A, kPrivateAlgorithm);
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kRrsigsMissing)) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_EQ(metrics().dnssec_insecure.load(), 0u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 1u);
}

TEST_F(ValidationTest, DnskeyRrsigOfAnUnsupportedAlgorithmIsBogus) {
    auto& child = add_child("relabelled", Child::kSigned);
    sign(child);
    relabel_algorithm(child.zone, "relabelled.example.", RRType::DNSKEY, kPrivateAlgorithm);
    auto a = resolve("www.relabelled.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kRrsigsMissing)) << why(a);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 0u);
}

// RFC 4035 §5.2 and RFC 6840 §5.2: a DS set with no digest Cairn supports
// makes the zone insecure, with EDE 2 on every answer, cached or not.
TEST_F(ValidationTest, UnsupportedDsDigestMakesTheZoneInsecure) {
    auto& child = add_child("digest", Child::kSignedWithoutDs);
    auto ds = *wire::DsData::from(child.ksk->ds(300).rdata);
    ds.digest_type = 200;
    example_.zone.records.push_back(
        {name("digest.example."), RRType::DS, wire::RRClass::IN, 300, ds.to_rdata()});
    auto a = resolve("www.digest.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.digest.example. IN A 192.0.2.2"}));
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(ede(a), static_cast<int>(ExtendedErrorCode::kUnsupportedDsDigestType)) << why(a);
    EXPECT_EQ(queries("digest.example.", RRType::DNSKEY), 0u);

    upstream_.clear_log();
    auto again = resolve("www.digest.example.", RRType::A);
    EXPECT_TRUE(upstream_.sent().empty());
    EXPECT_FALSE(again.authentic_data);
    EXPECT_EQ(ede(again), static_cast<int>(ExtendedErrorCode::kUnsupportedDsDigestType))
        << why(again);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 2u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// A work limit running out says nothing about the zone: the SERVFAIL is for
// that request only, and the next one validates afresh.
TEST_F(ValidationTest, WorkLimitFailuresAreNotCachedAsBogus) {
    options_.dnssec.limits.max_verifications_per_request = 2;  // the chain needs four
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_GT(metrics().limit_dnssec_verifications.load(), 0u);
    EXPECT_LE(metrics().dnssec_verifications.load(), 2u);
    EXPECT_EQ(metrics().dnssec_limit_holds.load(), 0u) << "the request's budget, not the zone";

    options_.dnssec.limits.max_verifications_per_request = 64;
    resolver_.reset();  // the same caches, the new limit
    auto again = resolve("www.example.", RRType::A);
    ASSERT_EQ(again.rcode, Rcode::NOERROR) << why(again);
    EXPECT_EQ(records_of(again.answer, RRType::A), kWww);
    EXPECT_TRUE(again.authentic_data);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

TEST_F(ValidationTest, UnreachableKeysAreNotCachedAsBogus) {
    auto& child = add_child("flaky", Child::kSigned);
    publish();
    // The child's server holds the data but loses the DNSKEY queries.
    auto zone = child.zone;
    bool keys_lost = true;
    upstream_.script(child.address, [&, zone](const UpstreamQuery& q) {
        if (keys_lost && q.question.type == RRType::DNSKEY) return std::optional<wire::Message>();
        return std::optional<wire::Message>(testing::authoritative_answer(zone, q.question));
    });
    auto a = resolve("www.flaky.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL);
    EXPECT_FALSE(a.authentic_data);

    keys_lost = false;
    auto again = resolve("www.flaky.example.", RRType::A);
    ASSERT_EQ(again.rcode, Rcode::NOERROR) << why(again);
    EXPECT_TRUE(again.authentic_data);
}

// One server holds example. and its unsigned child: the child's data comes
// without a referral, so no NS of the child is cached. The DS chain, not
// the cached delegations, must find the cut and prove it unsigned.
TEST_F(ValidationTest, UnsignedChildServedWithItsParentIsInsecure) {
    auto& child = add_child("shared", Child::kUnsigned);
    publish();
    upstream_.serve(example_.address, {example_.zone, child.zone});
    upstream_.silence(child.address);
    auto a = resolve("www.shared.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"www.shared.example. IN A 192.0.2.2"}));
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 1u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
    EXPECT_EQ(upstream_.count(child.address), 0u);
}

// RFC 8198 for DS: the parent's NSEC at an insecure cut, learnt from
// another answer, denies the DS without asking the parent.
TEST_F(ValidationTest, DsOfAnInsecureCutIsDeniedFromTheCachedNsec) {
    add_child("plain", Child::kUnsigned);
    // The NXDOMAIN for plaina.example. brings the NSEC owned by the cut.
    ASSERT_EQ(resolve("plaina.example.", RRType::A).rcode, Rcode::NXDOMAIN);
    auto a = resolve("plain.example.", RRType::DS);
    EXPECT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.answer.empty());
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(records_of(a.authority, RRType::NSEC),
              (std::vector<std::string>{"plain.example. IN NSEC *.wild.example. NS RRSIG NSEC"}));
    EXPECT_EQ(queries("plain.example.", RRType::DS), 0u);
    EXPECT_EQ(metrics().synthesised_nodata.load(), 1u);
}

// A wildcard CNAME proven once answers the other names it covers from the
// cache (RFC 8198 §5.3): its expansion, then the chain followed on.
TEST_F(ValidationTest, NamesUnderACachedWildcardCnameAreSynthesised) {
    example_.zone.records.push_back(record("*.cwild.example. 300 IN CNAME www.example."));
    auto first = resolve("one.cwild.example.", RRType::A);
    ASSERT_EQ(first.rcode, Rcode::NOERROR) << why(first);
    ASSERT_TRUE(first.authentic_data);
    const size_t sent = upstream_.sent().size();

    auto a = resolve("two.cwild.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::CNAME),
              (std::vector<std::string>{"two.cwild.example. IN CNAME www.example."}));
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(records_of(a.authority, RRType::NSEC).size(), 1u);

    auto cname = resolve("three.cwild.example.", RRType::CNAME);
    ASSERT_EQ(cname.rcode, Rcode::NOERROR) << why(cname);
    EXPECT_EQ(records_of(cname.answer, RRType::CNAME),
              (std::vector<std::string>{"three.cwild.example. IN CNAME www.example."}));
    EXPECT_TRUE(records_of(cname.answer, RRType::A).empty());
    EXPECT_TRUE(cname.authentic_data);

    // The chain's end is asked for when it is not cached.
    auto txt = resolve("four.cwild.example.", RRType::TXT);
    ASSERT_EQ(txt.rcode, Rcode::NOERROR) << why(txt);
    EXPECT_EQ(records_of(txt.answer, RRType::CNAME).size(), 1u);
    EXPECT_TRUE(txt.authentic_data);
    EXPECT_EQ(queries("four.cwild.example.", RRType::TXT), 0u);
    EXPECT_EQ(metrics().synthesised_wildcard.load(), 3u);
    EXPECT_EQ(upstream_.sent().size(), sent + queries("www.example.", RRType::TXT));
    EXPECT_EQ(queries("www.example.", RRType::TXT), 1u);
}

// A forged RRSIG naming another signer is one more path to try, not a
// reason to reject the path that verifies (RFC 6840 §5.11).
TEST_F(ValidationTest, ForgedRrsigOfAnotherSignerDoesNotSpoilAValidAnswer) {
    sign(example_);
    auto genuine = std::find_if(
        example_.zone.records.begin(), example_.zone.records.end(), [](const wire::Record& r) {
            return r.owner == name("www.example.") && rrsig_covering(r, RRType::A);
        });
    ASSERT_NE(genuine, example_.zone.records.end());
    auto forged = *genuine;
    auto sig = *wire::RrsigData::from(forged.rdata);
    sig.signer = name("www.example.");
    sig.signature[0] ^= 0x55;
    forged.rdata = sig.to_rdata();
    example_.zone.records.insert(genuine, forged);
    auto a = resolve("www.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

}  // namespace
}  // namespace cairn::resolve

namespace cairn::resolve {
namespace {

// Issue 13 points 10 and 22: the signed referral to an unsigned child
// carries the NSEC proving it has no DS; that proof (with no SOA, which is
// no part of it) is used, and no DS query is sent.
TEST_F(ValidationTest, NoDsProofInTheReferralIsUsedWithoutAskingForTheDs) {
    add_child("unsigned", Child::kUnsigned);
    auto a = resolve("www.unsigned.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_FALSE(a.authentic_data);
    EXPECT_EQ(metrics().dnssec_insecure.load(), 1u);
    EXPECT_EQ(queries("unsigned.example.", RRType::DS), 0u);
}

// Issue 13 point 12: nothing in an RRSIG answer was validated.
TEST_F(ValidationTest, RrsigAnswersNeverCarryAd) {
    auto a = resolve("www.example.", RRType::RRSIG);
    EXPECT_FALSE(a.authentic_data) << why(a);
}

// Issue 13 point 16 (RFC 6672 §3): asked for the CNAME of a name below a
// signed DNAME, the answer is the DNAME and the CNAME made from it.
TEST_F(ValidationTest, CnameQuestionBelowASignedDnameIsAnsweredFromIt) {
    auto a = resolve("a.old.example.", RRType::CNAME);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::CNAME),
              (std::vector<std::string>{"a.old.example. IN CNAME a.new.example."}));
    EXPECT_EQ(records_of(a.answer, RRType::DNAME),
              (std::vector<std::string>{"old.example. IN DNAME new.example."}));
    EXPECT_TRUE(a.authentic_data);
}

// Issue 13 point 13 (RFC 2181 §5): a chain that passes the same DNAME twice
// shows it once.
TEST_F(ValidationTest, ADnameUsedTwiceOnAChainAppearsOnce) {
    example_.zone.records.push_back(record("b.new.example. 300 IN CNAME c.old.example."));
    example_.zone.records.push_back(record("c.new.example. 300 IN A 192.0.2.8"));
    auto a = resolve("b.old.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_EQ(records_of(a.answer, RRType::DNAME),
              (std::vector<std::string>{"old.example. IN DNAME new.example."}));
    EXPECT_EQ(records_of(a.answer, RRType::A),
              (std::vector<std::string>{"c.new.example. IN A 192.0.2.8"}));
    size_t sigs = 0;
    for (const auto& r : a.answer)
        if (r.type == RRType::RRSIG && r.owner == name("old.example.")) ++sigs;
    EXPECT_EQ(sigs, 1u);
}

// Issue 13 point 18: a validation that could not finish is no forgery.
TEST_F(ValidationTest, WorkLimitFailuresAreNotCountedAsBogus) {
    options_.dnssec.limits.max_verifications_per_request = 1;
    auto a = resolve("www.example.", RRType::A);
    EXPECT_EQ(a.rcode, Rcode::SERVFAIL) << why(a);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
    EXPECT_GE(metrics().dnssec_failures.load(), 1u);
}

// Issue 13 point 9: one server with bad signatures does not make the zone
// bogus when another serves it correctly.
TEST_F(ValidationTest, BogusDataFromOneServerIsAskedOfAnother) {
    // example. has a second server that serves a tampered copy.
    root_.zone.records.push_back(record("example. 86400 IN NS ns2.example."));
    root_.zone.records.push_back(record("ns2.example. 86400 IN A 127.0.2.2"));
    example_.zone.records.push_back(record("example. 300 IN NS ns2.example."));
    example_.zone.records.push_back(record("ns2.example. 300 IN A 127.0.2.2"));
    publish();
    auto bad = example_.zone;
    tamper(bad, "www.example.", RRType::A);
    upstream_.serve("127.0.2.2", {bad});
    // The good server keeps quiet about www until the bad one was asked, so
    // the bad answer is always seen first.
    upstream_.script(
        example_.address,
        [this, good = example_.zone](const UpstreamQuery& q) -> std::optional<wire::Message> {
            if (q.question.name == name("www.example.") && q.question.type == RRType::A &&
                upstream_.count("127.0.2.2") == 0)
                return std::nullopt;
            return testing::authoritative_answer(good, q.question);
        });
    for (int i = 0; i < 6; ++i) {
        caches_.rrsets.erase(name("www.example."), RRType::A);
        auto a = resolve("www.example.", RRType::A);
        ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
        EXPECT_TRUE(a.authentic_data);
    }
    EXPECT_GE(upstream_.count("127.0.2.2"), 1u) << "the bad server was asked";
    EXPECT_GE(metrics().bogus_retries.load(), 1u);
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// The iterator returns the chain it was given; each link is validated once,
// stored with its verdict, and read from the cache as it is next time.
TEST_F(ValidationTest, EachLinkOfAChainIsValidatedOnceAndStoredWithItsVerdict) {
    example_.zone.records.push_back(record("cn.example. 300 IN CNAME www.example."));
    publish();
    ASSERT_TRUE(resolve("x.ent.example.", RRType::A).authentic_data);  // the keys
    const uint64_t before = metrics().dnssec_verifications.load();
    auto a = resolve("cn.example.", RRType::A);
    ASSERT_EQ(a.rcode, Rcode::NOERROR) << why(a);
    EXPECT_TRUE(a.authentic_data);
    EXPECT_EQ(records_of(a.answer, RRType::A), kWww);
    EXPECT_EQ(metrics().dnssec_verifications.load() - before, 2u) << "the CNAME and the A";
    for (auto [owner, type] :
         {std::pair{"cn.example.", RRType::CNAME}, std::pair{"www.example.", RRType::A}}) {
        auto cached = caches_.rrsets.peek(name(owner), type);
        ASSERT_TRUE(cached) << owner;
        EXPECT_EQ(cached->security, cache::Security::kSecure) << owner;
        EXPECT_EQ(cached->trust, cache::Trust::kValidated) << owner;
    }
    EXPECT_TRUE(resolve("cn.example.", RRType::A).authentic_data);
    EXPECT_EQ(metrics().dnssec_verifications.load() - before, 2u) << "nothing checked again";
}

// A signed root zone with a ZONEMD (RFC 8976 §3: placeholder, sign, digest,
// sign the ZONEMD again): what a local root copy (RFC 8806) is made from.
void give_zonemd(ServedZone& root, int64_t now) {
    const auto inception = static_cast<uint32_t>(now - kDay);
    const auto expiration = static_cast<uint32_t>(now + 30 * kDay);
    root.zone.records.push_back(record(". 86400 IN ZONEMD 1 1 1 " + std::string(96, '0')));
    testing::sign_zone(root.zone, *root.ksk, *root.zsk, inception, expiration);
    root.has_signatures = true;
    std::erase_if(root.zone.records, [](const wire::Record& r) {
        return r.type == RRType::ZONEMD || rrsig_covering(r, RRType::ZONEMD);
    });
    const auto digest = *dnssec::zone_digest(root.zone.records, Name::root(), 1, 1);
    std::vector<uint8_t> rdata = {0, 0, 0, 1, 1, 1};  // serial 1, SIMPLE, SHA-384
    rdata.insert(rdata.end(), digest.begin(), digest.end());
    wire::RRset zonemd{Name::root(), RRType::ZONEMD, wire::RRClass::IN, 86400, {}};
    zonemd.add(wire::RData::from_trusted_bytes(rdata));
    root.zone.records.push_back(zonemd.to_records().front());
    root.zone.records.push_back(root.zsk->rrsig(zonemd, inception, expiration));
}

std::shared_ptr<const policy::RootCopy> accepted_copy(const ServedZone& root,
                                                      const dnssec::TrustAnchors& anchors,
                                                      int64_t now) {
    auto copy = policy::accept_root_zone(root.zone.records, anchors, now);
    EXPECT_TRUE(copy) << copy.error().why;
    return copy ? *copy : nullptr;
}

// With a valid copy, questions for the root servers are answered from it:
// nothing reaches them, and the answers validate as theirs would.
TEST_F(ValidationTest, LocalRootAnswersInsteadOfTheRootServers) {
    give_zonemd(root_, clock_.now());
    publish();
    policy::LocalRoot local;
    local.install(accepted_copy(root_, options_.dnssec.anchors, clock_.now()), clock_.now());
    resolver().use_local_root(local);
    for (const char* qname : {"www.example.", "nx.example."}) {
        auto a = resolve(qname, RRType::A);
        EXPECT_TRUE(a.authentic_data) << qname << ": " << why(a);
    }
    auto nx = resolve("nonexistent-tld.", RRType::A);
    EXPECT_EQ(nx.rcode, Rcode::NXDOMAIN);
    EXPECT_TRUE(nx.authentic_data) << why(nx);
    EXPECT_EQ(upstream_.count("127.0.0.1"), 0u) << "the root server was asked";
    EXPECT_GE(upstream_.count("127.0.2.1"), 1u);
    EXPECT_GE(local.stats(clock_.now()).answers, 3u);  // DNSKEY, DS, referral, NXDOMAIN
    EXPECT_EQ(metrics().dnssec_bogus.load(), 0u);
}

// Past SOA expire without a refresh the copy is not used: the root servers
// are asked, as without one.
TEST_F(ValidationTest, ExpiredLocalRootFallsBackToTheRootServers) {
    give_zonemd(root_, clock_.now());
    publish();
    policy::LocalRoot local;
    local.install(accepted_copy(root_, options_.dnssec.anchors, clock_.now()), clock_.now());
    resolver().use_local_root(local);
    clock_.advance(7 * kDay);  // the root's SOA expire
    auto a = resolve("www.example.", RRType::A);
    EXPECT_TRUE(a.authentic_data) << why(a);
    EXPECT_GE(upstream_.count("127.0.0.1"), 1u);
    EXPECT_EQ(local.stats(clock_.now()).answers, 0u);
    EXPECT_GE(local.stats(clock_.now()).fallbacks, 1u);
}

}  // namespace
}  // namespace cairn::resolve
