#include "support/zone_signer.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "dnssec/ds_digest.h"
#include "dnssec/key_tag.h"
#include "dnssec/signed_data.h"
#include "wire/typed_rdata.h"

namespace cairn::testing {

namespace {

using dnssec::algorithm::kEcdsaP256Sha256;
using dnssec::algorithm::kEcdsaP384Sha384;
using dnssec::algorithm::kEd25519;
using dnssec::algorithm::kEd448;

bool is_ecdsa(uint8_t algorithm) {
    return algorithm == kEcdsaP256Sha256 || algorithm == kEcdsaP384Sha384;
}

// Octets of r and of s in an RFC 6605 signature.
size_t ecdsa_half(uint8_t algorithm) {
    return algorithm == kEcdsaP256Sha256 ? 32 : 48;
}

EVP_PKEY* generate(uint8_t algorithm) {
    switch (algorithm) {
        case kEcdsaP256Sha256: return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        case kEcdsaP384Sha384: return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        case kEd25519: return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        case kEd448: return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448");
        default:
            throw std::invalid_argument("TestZoneSigner: unsupported algorithm " +
                                        std::to_string(algorithm));
    }
}

// RFC 6605 §4: X | Y, the uncompressed point without its 0x04 prefix;
// RFC 8080 §3: the raw EdDSA public key.
std::vector<uint8_t> public_key(EVP_PKEY* key, uint8_t algorithm) {
    std::vector<uint8_t> out(1 + 2 * 48);
    size_t length = out.size();
    if (is_ecdsa(algorithm)) {
        if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(),
                                            &length) != 1 ||
            out[0] != 0x04)
            throw std::runtime_error("TestZoneSigner: cannot export the EC key");
        out.resize(length);
        out.erase(out.begin());
        return out;
    }
    if (EVP_PKEY_get_raw_public_key(key, out.data(), &length) != 1)
        throw std::runtime_error("TestZoneSigner: cannot export the EdDSA key");
    out.resize(length);
    return out;
}

size_t rrsig_labels(const wire::Name& owner) {
    return owner.label_count() - (owner.is_wildcard() ? 1 : 0);
}

}  // namespace

void TestZoneSigner::KeyFree::operator()(EVP_PKEY* key) const {
    EVP_PKEY_free(key);
}

TestZoneSigner::TestZoneSigner(wire::Name zone, uint8_t algorithm, uint16_t flags)
    : zone_(zone), algorithm_(algorithm), flags_(flags), key_(generate(algorithm)) {
    if (!key_) throw std::runtime_error("TestZoneSigner: key generation failed");
    public_key_ = public_key(key_.get(), algorithm);
}

TestZoneSigner::TestZoneSigner(TestZoneSigner&&) noexcept = default;
TestZoneSigner& TestZoneSigner::operator=(TestZoneSigner&&) noexcept = default;
TestZoneSigner::~TestZoneSigner() = default;

uint16_t TestZoneSigner::key_tag() const {
    return dnssec::key_tag(dnskey_rdata());
}

wire::RData TestZoneSigner::dnskey_rdata() const {
    return wire::DnskeyData{flags_, 3, algorithm_, public_key_}.to_rdata();
}

wire::Record TestZoneSigner::dnskey(uint32_t ttl) const {
    return {zone_, wire::RRType::DNSKEY, wire::RRClass::IN, ttl, dnskey_rdata()};
}

wire::RData TestZoneSigner::ds_rdata(uint8_t digest_type) const {
    const auto digest = dnssec::ds_digest(zone_, dnskey_rdata(), digest_type);
    if (!digest) throw std::invalid_argument("TestZoneSigner: unsupported digest type");
    return wire::DsData{key_tag(), algorithm_, digest_type, *digest}.to_rdata();
}

wire::Record TestZoneSigner::ds(uint32_t ttl, uint8_t digest_type) const {
    return {zone_, wire::RRType::DS, wire::RRClass::IN, ttl, ds_rdata(digest_type)};
}

wire::RData TestZoneSigner::sign(const wire::RRset& rrset, uint32_t inception,
                                 uint32_t expiration) const {
    wire::RrsigData sig;
    sig.type_covered = rrset.type;
    sig.algorithm = algorithm_;
    sig.labels = static_cast<uint8_t>(rrsig_labels(rrset.owner));
    sig.original_ttl = rrset.ttl;
    sig.expiration = expiration;
    sig.inception = inception;
    sig.key_tag = key_tag();
    sig.signer = zone_;
    sig.signature = raw_signature(dnssec::signed_data(sig, rrset));
    return sig.to_rdata();
}

wire::Record TestZoneSigner::rrsig(const wire::RRset& rrset, uint32_t inception,
                                   uint32_t expiration) const {
    return {rrset.owner, wire::RRType::RRSIG, rrset.rclass, rrset.ttl,
            sign(rrset, inception, expiration)};
}

std::vector<wire::Record> TestZoneSigner::nsec_chain(
    const std::map<wire::Name, std::vector<wire::RRType>>& names, uint32_t inception,
    uint32_t expiration, uint32_t ttl) const {
    std::vector<wire::Record> out;
    for (auto it = names.begin(); it != names.end(); ++it) {
        auto next = std::next(it);
        if (next == names.end()) next = names.begin();
        std::vector<wire::RRType> types = it->second;
        types.push_back(wire::RRType::NSEC);
        types.push_back(wire::RRType::RRSIG);
        const wire::NsecData nsec{next->first, wire::TypeBitmap::from_types(types)};
        wire::RRset set{it->first, wire::RRType::NSEC, wire::RRClass::IN, ttl, {nsec.to_rdata()}};
        out.push_back(set.to_records().front());
        out.push_back(rrsig(set, inception, expiration));
    }
    return out;
}

std::vector<uint8_t> TestZoneSigner::raw_signature(std::span<const uint8_t> data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const char* digest = algorithm_ == kEcdsaP256Sha256   ? "SHA256"
                         : algorithm_ == kEcdsaP384Sha384 ? "SHA384"
                                                          : nullptr;
    size_t length = 0;
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key_.get(), nullptr) !=
            1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, data.data(), data.size()) != 1)
        throw std::runtime_error("TestZoneSigner: signing failed");
    std::vector<uint8_t> signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, data.data(), data.size()) != 1)
        throw std::runtime_error("TestZoneSigner: signing failed");
    signature.resize(length);
    if (!is_ecdsa(algorithm_)) return signature;

    // DER ECDSA-Sig-Value → RFC 6605 r | s, each left-padded to full length.
    const unsigned char* p = signature.data();
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())), ECDSA_SIG_free);
    if (!sig) throw std::runtime_error("TestZoneSigner: bad DER signature");
    const size_t half = ecdsa_half(algorithm_);
    std::vector<uint8_t> raw(2 * half);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), static_cast<int>(half));
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + half, static_cast<int>(half));
    return raw;
}

}  // namespace cairn::testing
