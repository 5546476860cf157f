#include "dnssec/algorithms.h"

#include <array>

namespace cairn::dnssec {

bool algorithm_supported(uint8_t algorithm) {
    switch (algorithm) {
        case algorithm::kRsaSha1:
        case algorithm::kRsaSha1Nsec3Sha1:
        case algorithm::kRsaSha256:
        case algorithm::kRsaSha512:
        case algorithm::kEcdsaP256Sha256:
        case algorithm::kEcdsaP384Sha384:
        case algorithm::kEd25519:
        case algorithm::kEd448: return true;
        default: return false;
    }
}

bool digest_supported(uint8_t digest_type) {
    return digest_type == digest::kSha1 || digest_type == digest::kSha256 ||
           digest_type == digest::kSha384;
}

namespace {

// "0" to "255", built once, so that the mnemonic of an unnamed algorithm can
// be returned as a plain C string like the named ones.
const char* number_text(uint8_t n) {
    static const auto table = [] {
        std::array<std::array<char, 4>, 256> t{};
        for (unsigned i = 0; i < t.size(); ++i) {
            char* p = t[i].data();
            if (i >= 100) *p++ = static_cast<char>('0' + i / 100);
            if (i >= 10) *p++ = static_cast<char>('0' + i / 10 % 10);
            *p = static_cast<char>('0' + i % 10);
        }
        return t;
    }();
    return table[n].data();
}

}  // namespace

const char* algorithm_mnemonic(uint8_t algorithm) {
    switch (algorithm) {
        case 1: return "RSAMD5";
        case 2: return "DH";
        case 3: return "DSA";
        case algorithm::kRsaSha1: return "RSASHA1";
        case 6: return "DSA-NSEC3-SHA1";
        case algorithm::kRsaSha1Nsec3Sha1: return "RSASHA1-NSEC3-SHA1";
        case algorithm::kRsaSha256: return "RSASHA256";
        case algorithm::kRsaSha512: return "RSASHA512";
        case 12: return "ECC-GOST";
        case algorithm::kEcdsaP256Sha256: return "ECDSAP256SHA256";
        case algorithm::kEcdsaP384Sha384: return "ECDSAP384SHA384";
        case algorithm::kEd25519: return "ED25519";
        case algorithm::kEd448: return "ED448";
        case 252: return "INDIRECT";
        case 253: return "PRIVATEDNS";
        case 254: return "PRIVATEOID";
        default: return number_text(algorithm);
    }
}

}  // namespace cairn::dnssec
