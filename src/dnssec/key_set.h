// A zone's DNSKEY RRset with what verification needs of each key: its tag
// and flags read once, its OpenSSL key decoded the first time a signature
// names it. Kept with the zone's validated keys, so a key is decoded once
// per DNSKEY TTL rather than once per RRset checked.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "dnssec/public_key.h"
#include "wire/rrset.h"

namespace cairn::dnssec {

struct KeyFacts {
    uint16_t tag = 0;
    uint16_t flags = 0;
    uint8_t protocol = 0;
    uint8_t algorithm = 0;
    // A zone key (RFC 4034 §2.1.1), not revoked (RFC 5011 §7).
    bool usable() const;
};

// Thread-safe once built: the lazy decoding is guarded per key, and a
// decoded key is only read (OpenSSL 3 keys may verify in several threads).
class KeySet {
public:
    explicit KeySet(wire::RRset dnskeys);
    KeySet(const KeySet&) = delete;
    KeySet& operator=(const KeySet&) = delete;

    static std::shared_ptr<const KeySet> shared(wire::RRset dnskeys);

    const wire::RRset& rrset() const { return rrset_; }
    size_t size() const { return facts_.size(); }
    const KeyFacts& facts(size_t i) const { return facts_[i]; }
    // nullptr for key material OpenSSL does not take (malformed, or an
    // algorithm Cairn does not validate).
    const PublicKey* key(size_t i) const;
    // Accounted bytes, decoded keys included (an estimate: OpenSSL's own).
    size_t memory_estimate() const;
    // Key `i` has verified a signature. When several keys share a tag (a
    // KeyTrap sign), a held zone's signatures are checked against the proven
    // one only (ValidationLimits::held).
    void mark_proven(size_t i) const { proven_[i].store(true, std::memory_order_relaxed); }
    bool proven(size_t i) const { return proven_[i].load(std::memory_order_relaxed); }

private:
    wire::RRset rrset_;
    std::vector<KeyFacts> facts_;
    mutable std::vector<std::optional<PublicKey>> decoded_;
    mutable std::unique_ptr<std::once_flag[]> decode_once_;
    mutable std::unique_ptr<std::atomic<bool>[]> proven_;
};

}  // namespace cairn::dnssec
