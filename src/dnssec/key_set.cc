#include "dnssec/key_set.h"

#include "dnssec/key_tag.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

namespace {

// What an OpenSSL public key costs beyond its DNSKEY RDATA, roughly.
constexpr size_t kDecodedKeyBytes = 1024;

KeyFacts key_facts(const wire::RData& rdata) {
    const auto b = rdata.bytes();
    if (b.size() < 4) return {};  // protocol 0: never usable
    return {key_tag(rdata), static_cast<uint16_t>(b[0] << 8 | b[1]), b[2], b[3]};
}

}  // namespace

bool KeyFacts::usable() const {
    return protocol == 3 && (flags & wire::DnskeyData::kZoneKeyFlag) &&
           !(flags & wire::DnskeyData::kRevokeFlag);
}

KeySet::KeySet(wire::RRset dnskeys)
    : rrset_(std::move(dnskeys)),
      decoded_(rrset_.rdatas.size()),
      decode_once_(std::make_unique<std::once_flag[]>(rrset_.rdatas.size())),
      proven_(std::make_unique<std::atomic<bool>[]>(rrset_.rdatas.size())) {
    facts_.reserve(rrset_.rdatas.size());
    for (const auto& rdata : rrset_.rdatas)
        facts_.push_back(key_facts(rdata));
}

std::shared_ptr<const KeySet> KeySet::shared(wire::RRset dnskeys) {
    return std::make_shared<const KeySet>(std::move(dnskeys));
}

const PublicKey* KeySet::key(size_t i) const {
    std::call_once(decode_once_[i], [&] {
        if (auto dnskey = wire::DnskeyData::from(rrset_.rdatas[i]))
            decoded_[i] = PublicKey::from_dnskey(*dnskey);
    });
    return decoded_[i] ? &*decoded_[i] : nullptr;
}

size_t KeySet::memory_estimate() const {
    size_t bytes =
        sizeof(KeySet) + facts_.capacity() * sizeof(KeyFacts) +
        decoded_.capacity() * (sizeof(std::optional<PublicKey>) + sizeof(std::once_flag));
    for (const auto& rdata : rrset_.rdatas)
        bytes += sizeof(wire::RData) + rdata.size() + kDecodedKeyBytes;
    return bytes;
}

}  // namespace cairn::dnssec
