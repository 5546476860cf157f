#include "dnssec/ds_digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "dnssec/algorithms.h"
#include "dnssec/key_tag.h"

namespace cairn::dnssec {

namespace {

const EVP_MD* digest_method(uint8_t digest_type) {
    switch (digest_type) {
        case digest::kSha1: return EVP_sha1();
        case digest::kSha256: return EVP_sha256();
        case digest::kSha384: return EVP_sha384();
        default: return nullptr;
    }
}

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::optional<std::vector<uint8_t>> ds_digest(const wire::Name& owner, const wire::RData& dnskey,
                                              uint8_t digest_type) {
    const EVP_MD* md = digest_method(digest_type);
    if (md == nullptr) return std::nullopt;
    const wire::Name canonical_owner = owner.lowercased();
    const auto name = canonical_owner.wire();
    const auto key = dnskey.bytes();  // DNSKEY RDATA holds no names: already canonical
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), name.data(), name.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), key.data(), key.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1)
        return std::nullopt;
    out.resize(length);
    return out;
}

bool ds_matches(const wire::DsData& ds, const wire::Name& owner, const wire::RData& dnskey) {
    const auto key = dnskey.bytes();
    if (key.size() < 4 || key[3] != ds.algorithm || key_tag(dnskey) != ds.key_tag) return false;
    const auto digest = ds_digest(owner, dnskey, ds.digest_type);
    return digest && std::ranges::equal(*digest, ds.digest);
}

}  // namespace cairn::dnssec
