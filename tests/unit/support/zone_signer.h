// Signs test data in-process, so that validator tests get real signatures
// without external tools: a fresh key per signer (ECDSA P-256 or P-384,
// Ed25519 or Ed448, made with OpenSSL), its DNSKEY and DS records, RRSIGs
// over RRsets and signed NSEC chains.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "dnssec/algorithms.h"
#include "wire/rrset.h"

namespace cairn::testing {

class TestZoneSigner {
public:
    static constexpr uint16_t kKskFlags = 257;  // zone key + SEP
    static constexpr uint16_t kZskFlags = 256;  // zone key

    // A new key for `zone`. Throws std::invalid_argument for an algorithm
    // other than 13, 14, 15 or 16.
    explicit TestZoneSigner(wire::Name zone,
                            uint8_t algorithm = dnssec::algorithm::kEcdsaP256Sha256,
                            uint16_t flags = kKskFlags);
    TestZoneSigner(TestZoneSigner&&) noexcept;
    TestZoneSigner& operator=(TestZoneSigner&&) noexcept;
    ~TestZoneSigner();

    const wire::Name& zone() const { return zone_; }
    uint8_t algorithm() const { return algorithm_; }
    uint16_t flags() const { return flags_; }
    uint16_t key_tag() const;
    // The same key with other flags, e.g. with the REVOKE bit (RFC 5011).
    void set_flags(uint16_t flags) { flags_ = flags; }

    wire::RData dnskey_rdata() const;
    wire::Record dnskey(uint32_t ttl = 3600) const;
    wire::RData ds_rdata(uint8_t digest_type = dnssec::digest::kSha256) const;
    wire::Record ds(uint32_t ttl = 3600, uint8_t digest_type = dnssec::digest::kSha256) const;

    // RRSIG RDATA over `rrset` by this key, with the RRset's TTL as original
    // TTL. The labels field counts the owner without a leading "*", so a
    // signature over "*.example." also fits an expansion of the wildcard
    // (give the expanded records the RRSIG unchanged).
    wire::RData sign(const wire::RRset& rrset, uint32_t inception, uint32_t expiration) const;
    // The same as an RRSIG record with the RRset's owner, class and TTL.
    wire::Record rrsig(const wire::RRset& rrset, uint32_t inception, uint32_t expiration) const;

    // The zone's NSEC chain over `names` (each with the types it holds;
    // NSEC and RRSIG are added), in canonical order, the last wrapping to
    // the first; each NSEC record is followed by its RRSIG record. Include
    // the apex in `names`.
    std::vector<wire::Record> nsec_chain(
        const std::map<wire::Name, std::vector<wire::RRType>>& names, uint32_t inception,
        uint32_t expiration, uint32_t ttl = 3600) const;

private:
    std::vector<uint8_t> raw_signature(std::span<const uint8_t> data) const;

    wire::Name zone_;
    uint8_t algorithm_;
    uint16_t flags_;
    struct KeyFree {
        void operator()(EVP_PKEY* key) const;
    };
    std::unique_ptr<EVP_PKEY, KeyFree> key_;
    std::vector<uint8_t> public_key_;  // DNSKEY wire form
};

}  // namespace cairn::testing
