// Micro benchmarks of DNSSEC validation: signature verifications per second
// for each algorithm over a typical RRset (two A records), signed data
// included; decoding a DNSKEY; a DS digest. Keys and signatures are made
// here with OpenSSL, so the benchmark needs nothing from the tests.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "dnssec/algorithms.h"
#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "dnssec/rrset_verifier.h"
#include "dnssec/signed_data.h"
#include "wire/typed_rdata.h"

namespace {

using namespace cairn;
namespace alg = dnssec::algorithm;

constexpr int64_t kNow = 1700000000;

struct KeyParams {
    const char* type;  // OpenSSL key type
    const char* curve_or_null;
    const char* digest;  // nullptr for EdDSA
};

KeyParams params_for(uint8_t algorithm) {
    switch (algorithm) {
        case alg::kRsaSha1:
        case alg::kRsaSha1Nsec3Sha1: return {"RSA", nullptr, "SHA1"};
        case alg::kRsaSha256: return {"RSA", nullptr, "SHA256"};
        case alg::kRsaSha512: return {"RSA", nullptr, "SHA512"};
        case alg::kEcdsaP256Sha256: return {"EC", "P-256", "SHA256"};
        case alg::kEcdsaP384Sha384: return {"EC", "P-384", "SHA384"};
        case alg::kEd25519: return {"ED25519", nullptr, nullptr};
        case alg::kEd448: return {"ED448", nullptr, nullptr};
        default: throw std::invalid_argument("algorithm");
    }
}

std::vector<uint8_t> bn_bytes(EVP_PKEY* key, const char* param) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, param, &bn) != 1) throw std::runtime_error(param);
    std::vector<uint8_t> out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    BN_free(bn);
    return out;
}

// The DNSKEY public key field: RFC 3110, RFC 6605 X | Y, RFC 8080 raw.
std::vector<uint8_t> dnskey_material(EVP_PKEY* key, const KeyParams& p) {
    if (std::string_view(p.type) == "RSA") {
        const auto e = bn_bytes(key, OSSL_PKEY_PARAM_RSA_E);
        const auto n = bn_bytes(key, OSSL_PKEY_PARAM_RSA_N);
        std::vector<uint8_t> out{static_cast<uint8_t>(e.size())};
        out.insert(out.end(), e.begin(), e.end());
        out.insert(out.end(), n.begin(), n.end());
        return out;
    }
    std::vector<uint8_t> out(1 + 2 * 66);
    size_t length = out.size();
    if (p.curve_or_null != nullptr) {
        EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(),
                                        &length);
        out.resize(length);
        out.erase(out.begin());  // the 0x04 of an uncompressed point
        return out;
    }
    EVP_PKEY_get_raw_public_key(key, out.data(), &length);
    out.resize(length);
    return out;
}

std::vector<uint8_t> sign(EVP_PKEY* key, const KeyParams& p, std::span<const uint8_t> data,
                          size_t ecdsa_half) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t length = 0;
    EVP_DigestSignInit_ex(ctx, nullptr, p.digest, nullptr, nullptr, key, nullptr);
    EVP_DigestSign(ctx, nullptr, &length, data.data(), data.size());
    std::vector<uint8_t> signature(length);
    EVP_DigestSign(ctx, signature.data(), &length, data.data(), data.size());
    EVP_MD_CTX_free(ctx);
    signature.resize(length);
    if (ecdsa_half == 0) return signature;
    // DER → RFC 6605 r | s.
    const unsigned char* der = signature.data();
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    std::vector<uint8_t> raw(2 * ecdsa_half);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), static_cast<int>(ecdsa_half));
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + ecdsa_half, static_cast<int>(ecdsa_half));
    ECDSA_SIG_free(sig);
    return raw;
}

// www.example. A with two addresses, signed by a fresh key of `algorithm`.
struct SignedRrset {
    wire::Name zone = *wire::Name::from_text("example.");
    wire::RRset rrset;
    wire::DnskeyData dnskey;
    wire::RrsigData rrsig;
};

SignedRrset make_signed(uint8_t algorithm) {
    const KeyParams p = params_for(algorithm);
    EVP_PKEY* key = p.curve_or_null != nullptr
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, p.type, p.curve_or_null)
                    : std::string_view(p.type) == "RSA"
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, p.type, size_t{2048})
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, p.type);
    if (key == nullptr) throw std::runtime_error("keygen");
    SignedRrset s;
    s.rrset = {*wire::Name::from_text("www.example."), wire::RRType::A, wire::RRClass::IN, 300, {}};
    s.rrset.add(wire::RData::from_trusted_bytes({192, 0, 2, 10}));
    s.rrset.add(wire::RData::from_trusted_bytes({192, 0, 2, 11}));
    s.dnskey = {256, 3, algorithm, dnskey_material(key, p)};
    s.rrsig.type_covered = wire::RRType::A;
    s.rrsig.algorithm = algorithm;
    s.rrsig.labels = 2;
    s.rrsig.original_ttl = 300;
    s.rrsig.inception = kNow - 3600;
    s.rrsig.expiration = kNow + 86400;
    s.rrsig.key_tag = dnssec::key_tag(s.dnskey.to_rdata());
    s.rrsig.signer = s.zone;
    const size_t half = algorithm == alg::kEcdsaP256Sha256   ? 32
                        : algorithm == alg::kEcdsaP384Sha384 ? 48
                                                             : 0;
    s.rrsig.signature = sign(key, p, dnssec::signed_data(s.rrsig, s.rrset), half);
    EVP_PKEY_free(key);
    return s;
}

// Key generation (RSA especially) is slow; do it once per algorithm.
const SignedRrset& signed_rrset(uint8_t algorithm) {
    static std::map<uint8_t, SignedRrset> cache;
    auto it = cache.find(algorithm);
    if (it == cache.end()) it = cache.emplace(algorithm, make_signed(algorithm)).first;
    return it->second;
}

void BM_Verify(benchmark::State& state, uint8_t algorithm) {
    const SignedRrset& s = signed_rrset(algorithm);
    const auto key = dnssec::PublicKey::from_dnskey(s.dnskey);
    if (!key || !key->verify(dnssec::signed_data(s.rrsig, s.rrset), s.rrsig.signature)) {
        state.SkipWithError("signature does not verify");
        return;
    }
    for (auto _ : state) {
        const auto data = dnssec::signed_data(s.rrsig, s.rrset);
        benchmark::DoNotOptimize(key->verify(data, s.rrsig.signature));
    }
    state.counters["verifications/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Verify, RSASHA1_2048, alg::kRsaSha1);
BENCHMARK_CAPTURE(BM_Verify, RSASHA1_NSEC3_SHA1_2048, alg::kRsaSha1Nsec3Sha1);
BENCHMARK_CAPTURE(BM_Verify, RSASHA256_2048, alg::kRsaSha256);
BENCHMARK_CAPTURE(BM_Verify, RSASHA512_2048, alg::kRsaSha512);
BENCHMARK_CAPTURE(BM_Verify, ECDSAP256SHA256, alg::kEcdsaP256Sha256);
BENCHMARK_CAPTURE(BM_Verify, ECDSAP384SHA384, alg::kEcdsaP384Sha384);
BENCHMARK_CAPTURE(BM_Verify, ED25519, alg::kEd25519);
BENCHMARK_CAPTURE(BM_Verify, ED448, alg::kEd448);

// The whole check of one RRset as the validator runs it: RRSIG parsing,
// time checks, key lookup, signed data and verification. VerifyRrset
// decodes the zone's key each time, as with keys seen once; CachedKeys uses
// a KeySet as the key cache keeps it, its key decoded on the first RRset.
void verify_rrsets(benchmark::State& state, const SignedRrset& s, const dnssec::KeySet* cached) {
    const wire::RRset keys{
        s.zone, wire::RRType::DNSKEY, wire::RRClass::IN, 3600, {s.dnskey.to_rdata()}};
    const std::vector<wire::RData> sigs{s.rrsig.to_rdata()};
    for (auto _ : state) {
        dnssec::WorkCounter work;
        const auto v = cached ? dnssec::verify_rrset(s.rrset, sigs, *cached, s.zone, kNow, {}, work)
                              : dnssec::verify_rrset(s.rrset, sigs, keys, s.zone, kNow, {}, work);
        if (v.status != dnssec::RRsetVerdict::Status::kValid) state.SkipWithError("not valid");
    }
    state.counters["rrsets/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_VerifyRrset(benchmark::State& state, uint8_t algorithm) {
    verify_rrsets(state, signed_rrset(algorithm), nullptr);
}
BENCHMARK_CAPTURE(BM_VerifyRrset, RSASHA256_2048, alg::kRsaSha256);
BENCHMARK_CAPTURE(BM_VerifyRrset, ECDSAP256SHA256, alg::kEcdsaP256Sha256);
BENCHMARK_CAPTURE(BM_VerifyRrset, ED25519, alg::kEd25519);

void BM_VerifyRrsetCachedKeys(benchmark::State& state, uint8_t algorithm) {
    const SignedRrset& s = signed_rrset(algorithm);
    const dnssec::KeySet keys(
        {s.zone, wire::RRType::DNSKEY, wire::RRClass::IN, 3600, {s.dnskey.to_rdata()}});
    verify_rrsets(state, s, &keys);
}
BENCHMARK_CAPTURE(BM_VerifyRrsetCachedKeys, RSASHA256_2048, alg::kRsaSha256);
BENCHMARK_CAPTURE(BM_VerifyRrsetCachedKeys, ECDSAP256SHA256, alg::kEcdsaP256Sha256);
BENCHMARK_CAPTURE(BM_VerifyRrsetCachedKeys, ED25519, alg::kEd25519);

void BM_PublicKeyFromDnskey(benchmark::State& state, uint8_t algorithm) {
    const SignedRrset& s = signed_rrset(algorithm);
    for (auto _ : state)
        benchmark::DoNotOptimize(dnssec::PublicKey::from_dnskey(s.dnskey));
}
BENCHMARK_CAPTURE(BM_PublicKeyFromDnskey, RSASHA256_2048, alg::kRsaSha256);
BENCHMARK_CAPTURE(BM_PublicKeyFromDnskey, ECDSAP256SHA256, alg::kEcdsaP256Sha256);
BENCHMARK_CAPTURE(BM_PublicKeyFromDnskey, ECDSAP384SHA384, alg::kEcdsaP384Sha384);
BENCHMARK_CAPTURE(BM_PublicKeyFromDnskey, ED25519, alg::kEd25519);

void BM_DsDigestSha256(benchmark::State& state) {
    const SignedRrset& s = signed_rrset(alg::kRsaSha256);
    const wire::RData key = s.dnskey.to_rdata();
    for (auto _ : state)
        benchmark::DoNotOptimize(dnssec::ds_digest(s.zone, key, dnssec::digest::kSha256));
}
BENCHMARK(BM_DsDigestSha256);

}  // namespace

BENCHMARK_MAIN();
