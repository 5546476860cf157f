#include "dnssec/key_tag.h"

namespace cairn::dnssec {

namespace {
constexpr uint8_t kRsaMd5 = 1;
}

uint16_t key_tag(const wire::RData& dnskey) {
    const auto data = dnskey.bytes();
    // Appendix B.1: for RSA/MD5 the tag is the third-to-last and second-to-
    // last octets of the modulus, which ends the key.
    if (data.size() >= 4 && data[3] == kRsaMd5) {
        if (data.size() < 4 + 3) return 0;
        return static_cast<uint16_t>(data[data.size() - 3] << 8 | data[data.size() - 2]);
    }
    uint32_t sum = 0;
    for (size_t i = 0; i < data.size(); ++i)
        sum += (i & 1) ? data[i] : uint32_t{data[i]} << 8;
    sum += sum >> 16 & 0xFFFF;
    return static_cast<uint16_t>(sum & 0xFFFF);
}

}  // namespace cairn::dnssec
