// A DNSKEY's public key, decoded once into an OpenSSL key so that several
// signatures can be checked with it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "wire/typed_rdata.h"

namespace cairn::dnssec {

class PublicKey {
public:
    // nullopt when the algorithm is unsupported or the key material is
    // malformed (wrong length, bad RSA exponent encoding, point not on the
    // curve...).
    static std::optional<PublicKey> from_dnskey(const wire::DnskeyData& dnskey);

    PublicKey(PublicKey&&) noexcept;
    PublicKey& operator=(PublicKey&&) noexcept;
    ~PublicKey();

    uint8_t algorithm() const { return algorithm_; }

    // Whether `signature` (in its DNSSEC wire form: RFC 3110, RFC 5702,
    // RFC 6605 r|s, RFC 8080) signs `data` under this key.
    bool verify(std::span<const uint8_t> data, std::span<const uint8_t> signature) const;

private:
    struct Impl;
    PublicKey(uint8_t algorithm, std::unique_ptr<Impl> impl);
    uint8_t algorithm_ = 0;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::dnssec
