// The root key trust anchor sentinel (RFC 8509): a client learns whether
// this resolver trusts a root key by asking, under any signed zone, for a
// name whose leftmost label is root-key-sentinel-is-ta-<key tag> or
// root-key-sentinel-not-ta-<key tag>. Pure logic; the resolver applies it
// to each finished answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnssec/trust_anchors.h"
#include "wire/record.h"

namespace cairn::resolve {

struct SentinelLabel {
    bool is_ta = true;  // is-ta; false: not-ta
    // Five decimal digits (§3), so up to 99999: above 65535 no key has it.
    uint32_t key_tag = 0;
};

// The sentinel in `qname`'s leftmost label (letters in any case): exactly
// "root-key-sentinel-is-ta-" or "root-key-sentinel-not-ta-" and five digits.
std::optional<SentinelLabel> sentinel_label(const wire::Name& qname);

// Key tags of the root's trust anchors: the DS anchors' key tag fields and
// the DNSKEY anchors' computed tags, leaving out revoked keys (RFC 8509
// §3.2 counts only keys that can be used for validation now).
std::vector<uint16_t> root_anchor_key_tags(const dnssec::TrustAnchors& anchors);

// RFC 8509 §3: why the answer to `question` must be replaced by SERVFAIL,
// or nullopt to leave it alone. `validated`: validation applied to this
// query (DNSSEC on and CD clear); `secure`: the answer validated Secure.
// Only A and AAAA questions (§3.1) with a sentinel label are affected: is-ta
// fails unless a root anchor has the key tag, not-ta fails if one has.
std::optional<std::string> key_sentinel_failure(const wire::Question& question, bool validated,
                                                bool secure, const dnssec::TrustAnchors& anchors);

}  // namespace cairn::resolve
