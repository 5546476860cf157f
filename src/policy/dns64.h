// DNS64 (RFC 6147): AAAA records synthesised from A records for IPv6-only
// clients behind a NAT64, with addresses embedded as RFC 6052 says. Pure
// decisions on records; the server's Dns64Resolver asks the questions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "policy/dns64_options.h"
#include "policy/zone_map.h"
#include "wire/edns.h"
#include "wire/ip_address.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/types.h"

namespace cairn::policy {

// RFC 6052 §2.2: 32, 40, 48, 56, 64 or 96.
bool is_dns64_prefix_length(uint8_t length);
// Why `prefix` cannot hold embedded IPv4 addresses, or nullopt when it can:
// IPv6, an allowed length, and bits 64 to 71 zero (RFC 6052 §2.2).
std::optional<std::string> dns64_prefix_problem(const wire::IpPrefix& prefix);
// `v4` embedded in `prefix` (RFC 6052 §2.2): its 32 bits follow the prefix,
// skipping bits 64 to 71, and the suffix is zero. `prefix` must pass
// dns64_prefix_problem.
wire::IpAddress embed_ipv4(const wire::IpPrefix& prefix, const wire::IpAddress& v4);
// The IPv4 address embedded in `v6`, when `v6` lies in `prefix` and its
// bits 64 to 71 are zero.
std::optional<wire::IpAddress> extract_ipv4(const wire::IpPrefix& prefix,
                                            const wire::IpAddress& v6);
// 64:ff9b::/96 (RFC 6052 §2.1).
bool is_well_known_prefix(const wire::IpPrefix& prefix);
// False for the special-purpose IPv4 blocks that are not global (RFC 6890),
// which RFC 6052 §3.1 forbids embedding in the Well-Known Prefix.
bool is_global_ipv4(const wire::IpAddress& v4);

// What came back for the client's AAAA question.
struct AaaaOutcome {
    wire::Rcode rcode = wire::Rcode::NOERROR;
    std::optional<wire::ExtendedErrorCode> error;
    std::span<const wire::Record> answer;
};

class Dns64 {
public:
    explicit Dns64(Dns64Options options);

    const Dns64Options& options() const { return options_; }

    // Whether the answer to an AAAA question for `qname` is replaced by one
    // made from A records (RFC 6147 §5.1.1-5.1.4, §5.5).
    bool wants_a(const wire::Name& qname, bool dnssec_ok, bool checking_disabled,
                 const AaaaOutcome& outcome) const;
    // An AAAA record that counts as an IPv6 address of the name (§5.1.4).
    bool usable_aaaa(const wire::Record& record) const;
    // An IPv4 address that may be mapped (dns64-exclude-ipv4, RFC 6052 §3.1).
    bool maps(const wire::IpAddress& v4) const;

    // The answer section for the AAAA question made from the answer section
    // of the A question: the CNAME/DNAME chain kept with its signatures
    // (§5.1.6), each mappable A record turned into an AAAA record whose TTL is
    // at most `ttl_cap` (§5.1.7), signatures over A dropped. Nullopt when no
    // A record maps: the AAAA answer then stands.
    std::optional<std::vector<wire::Record>> synthesise(std::span<const wire::Record> a_answer,
                                                        uint32_t ttl_cap) const;
    // §5.1.7: the negative TTL of the AAAA answer's SOA bounds the TTL of a
    // synthesised record; 600 seconds when there is no SOA.
    static uint32_t ttl_cap(std::span<const wire::Record> aaaa_authority);

    // §5.3.1: for the ip6.arpa name of an address inside the prefix, the
    // in-addr.arpa name of the IPv4 address it embeds.
    std::optional<wire::Name> ptr_target(const wire::Name& qname) const;

    // The ip6.arpa zone of `prefix` (one label per nibble of its length):
    // PTR questions below it are synthesised, so the built-in local zones
    // (RFC 6303 covers 2001:db8::/32 and fd00::/8) must let them through.
    static wire::Name reverse_zone(const wire::IpPrefix& prefix);

private:
    Dns64Options options_;
    ZoneMap<bool> ignore_aaaa_;
};

}  // namespace cairn::policy
