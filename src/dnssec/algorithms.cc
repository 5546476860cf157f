#include "dnssec/algorithms.h"

#include <array>

#include "wire/algorithm_mnemonic.h"

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
    for (const auto& entry : wire::algorithm_mnemonics()) {
        if (entry.number == algorithm) return entry.mnemonic;
    }
    return number_text(algorithm);
}

}  // namespace cairn::dnssec
