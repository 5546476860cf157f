#include "dnssec/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>

#include "dnssec/algorithms.h"

namespace cairn::dnssec {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

}  // namespace

struct PublicKey::Impl {
    PkeyPtr key;
    const char* digest = nullptr;  // nullptr for EdDSA, which hashes internally
    size_t ecdsa_half = 0;         // octets of r (and of s) for ECDSA, else 0
};

namespace {

// RFC 3110 §2 allows moduli of 512 to 4096 bits; RFC 5702 §2.2 raises the
// floor to 1024 for RSA/SHA-512.
constexpr int kMinModulusBits = 512;
constexpr int kMinModulusBitsSha512 = 1024;
constexpr int kMaxModulusBits = 4096;
// A large exponent makes every verification as slow as a private-key
// operation, which an attacker could publish to burn our CPU. 64 bits is the
// limit OpenSSL itself applies to large moduli; real keys use 3 or 65537.
constexpr int kMaxExponentBits = 64;

EVP_PKEY* key_from_params(const char* type, OSSL_PARAM* params) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        return nullptr;
    return key;
}

// RFC 3110 §2: exponent length in one octet, or in the two after a zero
// octet; then the exponent; then the modulus.
EVP_PKEY* rsa_key(std::span<const uint8_t> data, int min_modulus_bits) {
    size_t exponent_length = 0;
    size_t pos = 0;
    if (data.empty()) return nullptr;
    if (data[0] != 0) {
        exponent_length = data[0];
        pos = 1;
    } else {
        if (data.size() < 3) return nullptr;
        exponent_length = size_t{data[1]} << 8 | data[2];
        pos = 3;
    }
    if (exponent_length == 0 || data.size() - pos <= exponent_length) return nullptr;
    const auto exponent = data.subspan(pos, exponent_length);
    const auto modulus = data.subspan(pos + exponent_length);

    BignumPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    BignumPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    if (!e || !n) return nullptr;
    const int e_bits = BN_num_bits(e.get());
    const int n_bits = BN_num_bits(n.get());
    // Both are odd in any real RSA key; OpenSSL's Montgomery arithmetic
    // fails on an even modulus anyway.
    if (e_bits < 2 || e_bits > kMaxExponentBits || !BN_is_odd(e.get()) ||
        n_bits < min_modulus_bits || n_bits > kMaxModulusBits || !BN_is_odd(n.get()))
        return nullptr;

    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return nullptr;
    ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    if (!params) return nullptr;
    return key_from_params("RSA", params.get());
}

// RFC 6605 §4: the key is X | Y; OpenSSL wants the uncompressed point
// 0x04 | X | Y, and checks that it lies on the curve.
EVP_PKEY* ecdsa_key(std::span<const uint8_t> data, const char* group, size_t half) {
    if (data.size() != 2 * half) return nullptr;
    std::array<uint8_t, 1 + 2 * 48> point{};
    point[0] = 0x04;
    std::memcpy(point.data() + 1, data.data(), data.size());
    OSSL_PARAM params[] = {
        // The parameter type is not const, but import only reads it.
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), 1 + data.size()),
        OSSL_PARAM_construct_end(),
    };
    return key_from_params("EC", params);
}

EVP_PKEY* eddsa_key(std::span<const uint8_t> data, int type, size_t length) {
    if (data.size() != length) return nullptr;
    return EVP_PKEY_new_raw_public_key(type, nullptr, data.data(), data.size());
}

// Longest DER ECDSA-Sig-Value we build: P-384, each INTEGER at most 1 + 48
// octets after a 2-octet header, inside a 2-octet SEQUENCE header.
constexpr size_t kMaxDerSignature = 2 + 2 * (2 + 1 + 48);

// Appends `value` (big-endian, unsigned) as a minimal DER INTEGER.
size_t put_der_integer(uint8_t* out, std::span<const uint8_t> value) {
    size_t skip = 0;
    while (skip + 1 < value.size() && value[skip] == 0)
        ++skip;
    value = value.subspan(skip);
    const bool pad = value[0] & 0x80;  // keep the INTEGER positive
    size_t pos = 0;
    out[pos++] = 0x02;
    out[pos++] = static_cast<uint8_t>(value.size() + pad);
    if (pad) out[pos++] = 0;
    std::memcpy(out + pos, value.data(), value.size());
    return pos + value.size();
}

// RFC 6605 §4 signatures are r | s; EVP_DigestVerify wants DER. Every
// length fits in one octet, so short-form lengths suffice.
std::span<const uint8_t> ecdsa_der(std::span<const uint8_t> raw, size_t half,
                                   std::array<uint8_t, kMaxDerSignature>& buffer) {
    size_t length = 2;
    length += put_der_integer(buffer.data() + length, raw.first(half));
    length += put_der_integer(buffer.data() + length, raw.subspan(half));
    buffer[0] = 0x30;
    buffer[1] = static_cast<uint8_t>(length - 2);
    return {buffer.data(), length};
}

}  // namespace

PublicKey::PublicKey(uint8_t algorithm, std::unique_ptr<Impl> impl)
    : algorithm_(algorithm), impl_(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

std::optional<PublicKey> PublicKey::from_dnskey(const wire::DnskeyData& dnskey) {
    const std::span<const uint8_t> data = dnskey.public_key;
    EVP_PKEY* key = nullptr;
    const char* digest = nullptr;
    size_t half = 0;
    switch (dnskey.algorithm) {
        case algorithm::kRsaSha1:
        case algorithm::kRsaSha1Nsec3Sha1:
            key = rsa_key(data, kMinModulusBits);
            digest = "SHA1";
            break;
        case algorithm::kRsaSha256:
            key = rsa_key(data, kMinModulusBits);
            digest = "SHA256";
            break;
        case algorithm::kRsaSha512:
            key = rsa_key(data, kMinModulusBitsSha512);
            digest = "SHA512";
            break;
        case algorithm::kEcdsaP256Sha256:
            half = 32;
            key = ecdsa_key(data, "P-256", half);
            digest = "SHA256";
            break;
        case algorithm::kEcdsaP384Sha384:
            half = 48;
            key = ecdsa_key(data, "P-384", half);
            digest = "SHA384";
            break;
        case algorithm::kEd25519: key = eddsa_key(data, EVP_PKEY_ED25519, 32); break;
        case algorithm::kEd448: key = eddsa_key(data, EVP_PKEY_ED448, 57); break;
        default: return std::nullopt;
    }
    if (key == nullptr) {
        ERR_clear_error();  // leave no stale errors for the next OpenSSL user
        return std::nullopt;
    }
    return PublicKey(dnskey.algorithm, std::make_unique<Impl>(Impl{PkeyPtr(key), digest, half}));
}

bool PublicKey::verify(std::span<const uint8_t> data, std::span<const uint8_t> signature) const {
    if (!impl_) return false;
    std::array<uint8_t, kMaxDerSignature> der;
    if (impl_->ecdsa_half != 0) {
        if (signature.size() != 2 * impl_->ecdsa_half) return false;
        signature = ecdsa_der(signature, impl_->ecdsa_half, der);
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = ctx &&
                    EVP_DigestVerifyInit_ex(ctx.get(), nullptr, impl_->digest, nullptr, nullptr,
                                            impl_->key.get(), nullptr) == 1 &&
                    EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(),
                                     data.size()) == 1;
    if (!ok) ERR_clear_error();
    return ok;
}

}  // namespace cairn::dnssec
