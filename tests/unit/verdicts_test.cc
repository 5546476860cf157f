// How the results of src/dnssec's checks become verdicts: one row per
// outcome, with the security, the Extended DNS Error, whether it may be
// stored (transient) and how long it may be kept.
#include "resolve/verdicts.h"

#include <gtest/gtest.h>

#include <optional>

namespace cairn::resolve {
namespace {

using cache::Security;
using wire::ExtendedErrorCode;
using RRsetStatus = dnssec::RRsetVerdict::Status;
using DenialStatus = dnssec::DenialResult::Status;

constexpr uint32_t kBogusTtl = 77;

DnssecOptions options() {
    DnssecOptions o;
    o.bogus_ttl = kBogusTtl;
    return o;
}

wire::RRset www() {
    return {*wire::Name::from_text("www.example."), wire::RRType::A, wire::RRClass::IN, 300, {}};
}

struct RRsetCase {
    const char* what;
    RRsetStatus status;
    ExtendedErrorCode reason;  // for kBogus
    bool held;                 // for kLimit
    Security security;
    std::optional<ExtendedErrorCode> ede;
    bool transient;
    uint32_t ttl_cap;
    const char* text;  // in the EDE text
};

const RRsetCase kRRsetCases[] = {
    {"valid: secure for the signature's time", RRsetStatus::kValid, ExtendedErrorCode::kOther,
     false, Security::kSecure, std::nullopt, false, 120, ""},
    {"bogus: its reason, kept for dnssec-bogus-ttl", RRsetStatus::kBogus,
     ExtendedErrorCode::kSignatureExpired, false, Security::kBogus,
     ExtendedErrorCode::kSignatureExpired, false, kBogusTtl, "why it failed"},
    {"unsigned in a signed zone: RRSIGs missing", RRsetStatus::kUnsigned, ExtendedErrorCode::kOther,
     false, Security::kBogus, ExtendedErrorCode::kRrsigsMissing, false, kBogusTtl, "why it failed"},
    {"work limit: this request only", RRsetStatus::kLimit, ExtendedErrorCode::kOther, false,
     Security::kBogus, ExtendedErrorCode::kDnssecBogus, true, kBogusTtl,
     "dnssec-max-verifications-per-rrset (8)"},
    {"held zone: this request only, the hold named", RRsetStatus::kLimit, ExtendedErrorCode::kOther,
     true, Security::kBogus, ExtendedErrorCode::kDnssecBogus, true, kBogusTtl, "dnssec-limit-hold"},
};

TEST(Verdicts, OfAnRRsetCheck) {
    for (const auto& c : kRRsetCases) {
        dnssec::RRsetVerdict v;
        v.status = c.status;
        v.reason = c.reason;
        v.held = c.held;
        v.ttl_cap = 120;
        v.why = "why it failed";
        const auto got = rrset_verdict(v, www(), options());
        EXPECT_EQ(got.security, c.security) << c.what;
        EXPECT_EQ(got.transient, c.transient) << c.what;
        EXPECT_EQ(got.ttl_cap, c.ttl_cap) << c.what;
        ASSERT_EQ(got.error.has_value(), c.ede.has_value()) << c.what;
        if (!c.ede) continue;
        EXPECT_EQ(got.error->code, *c.ede) << c.what;
        EXPECT_NE(got.error->extra_text.find(c.text), std::string::npos)
            << c.what << ": " << got.error->extra_text;
    }
}

TEST(Verdicts, OfAnRRsetCheckWithoutAnExplanationNamesTheRRset) {
    dnssec::RRsetVerdict v;
    v.status = RRsetStatus::kUnsigned;
    const auto got = rrset_verdict(v, www(), options());
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->extra_text, "no valid RRSIG covers www.example./A");
}

struct DenialCase {
    const char* what;
    DenialStatus status;
    bool delegation_found;  // DenialResult::delegation
    Security security;
    bool delegation;
    std::optional<ExtendedErrorCode> ede;
    bool transient;
    uint32_t ttl_cap;
};

const DenialCase kDenialCases[] = {
    {"proven: secure for the proof's time", DenialStatus::kProven, false, Security::kSecure, false,
     std::nullopt, false, 120},
    {"proven at a zone cut: a delegation", DenialStatus::kProven, true, Security::kSecure, true,
     std::nullopt, false, 120},
    {"opt-out: insecure, may hide a delegation", DenialStatus::kOptOut, false, Security::kInsecure,
     true, std::nullopt, false, UINT32_MAX},
    {"unknown NSEC3 hash: insecure", DenialStatus::kUnsupportedHash, false, Security::kInsecure,
     true, std::nullopt, false, UINT32_MAX},
    {"too many NSEC3 iterations: insecure with EDE 27", DenialStatus::kIterationsTooHigh, false,
     Security::kInsecure, true, ExtendedErrorCode::kUnsupportedNsec3Iterations, false, UINT32_MAX},
    {"hash budget spent: this request only", DenialStatus::kLimit, false, Security::kBogus, false,
     ExtendedErrorCode::kDnssecBogus, true, kBogusTtl},
    {"not proven: bogus, NSEC missing", DenialStatus::kNotProven, false, Security::kBogus, false,
     ExtendedErrorCode::kNsecMissing, false, kBogusTtl},
};

TEST(Verdicts, OfADenialProof) {
    for (const auto& c : kDenialCases) {
        dnssec::DenialResult r;
        r.status = c.status;
        r.delegation = c.delegation_found;
        r.why = "the detail";
        const auto got = denial_verdict(r, "x.example./A", 120, options());
        EXPECT_EQ(got.verdict.security, c.security) << c.what;
        EXPECT_EQ(got.delegation, c.delegation) << c.what;
        EXPECT_EQ(got.verdict.transient, c.transient) << c.what;
        EXPECT_EQ(got.verdict.ttl_cap, c.ttl_cap) << c.what;
        ASSERT_EQ(got.verdict.error.has_value(), c.ede.has_value()) << c.what;
        if (c.ede) {
            EXPECT_EQ(got.verdict.error->code, *c.ede) << c.what;
        }
    }
}

TEST(Verdicts, DenialTextsSayWhatAndWhy) {
    dnssec::DenialResult r;
    r.why = "no NSEC covers it";
    EXPECT_EQ(denial_verdict(r, "x.example./A", 0, options()).verdict.error->extra_text,
              "no NSEC/NSEC3 proof for the negative answer to x.example./A: no NSEC covers it");
    r.status = DenialStatus::kLimit;
    EXPECT_NE(denial_verdict(r, "x.example./A", 0, options())
                  .verdict.error->extra_text.find("dnssec-max-nsec3-hashes (128)"),
              std::string::npos);
}

}  // namespace
}  // namespace cairn::resolve
