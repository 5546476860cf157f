// Response policy zones (draft-vixie-dnsop-dns-rpz, as BIND and Unbound read
// it): a zone whose owner names are triggers and whose records are actions.
//
//   bad.example.rpz.                    QNAME bad.example
//   *.bad.example.rpz.                  QNAME below bad.example
//   32.1.2.0.192.rpz-ip.rpz.            an A 192.0.2.1 in the answer
//   128.1.zz.db8.2001.rpz-ip.rpz.       an AAAA 2001:db8::1 (zz: "::")
//   ns.example.rpz-nsdname.rpz.         the zone's name server ns.example
//   24.0.2.0.192.rpz-nsip.rpz.          a name server address in 192.0.2.0/24
//   32.1.0.0.127.rpz-client-ip.rpz.     a query from 127.0.0.1
//
//   CNAME .               NXDOMAIN
//   CNAME *.              NODATA
//   CNAME rpz-passthru.   answer as if there were no policy (a "whitelist")
//   CNAME rpz-drop.       no answer at all
//   CNAME rpz-tcp-only.   over UDP an empty answer with TC=1; over TCP as usual
//   CNAME target          the answer is the CNAME and the target's records
//   other records         the answer is these records (local data)
//
// Pure: the zone's records in, trigger tables out; built off the data path
// and immutable after, so workers read it without locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/prefix_table.h"
#include "policy/zone_map.h"
#include "wire/edns.h"
#include "wire/ip_address.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::policy {

enum class RpzTrigger : uint8_t { kClientIp, kQname, kResponseIp, kNsdname, kNsip };
inline constexpr size_t kRpzTriggerCount = 5;

enum class RpzAction : uint8_t { kNxdomain, kNodata, kPassthru, kDrop, kTcpOnly, kLocalData };
inline constexpr size_t kRpzActionCount = 6;

// What the configuration says for every rule of a zone (BIND's `policy`):
// the zone's own actions (kGiven), or one action for all; kDisabled checks
// and logs the rules but applies none.
enum class RpzOverride : uint8_t {
    kGiven,
    kDisabled,
    kPassthru,
    kNxdomain,
    kNodata,
    kDrop,
    kTcpOnly,
    kCname,
};

// "client-ip", "qname", "response-ip", "nsdname", "nsip".
std::string_view to_string(RpzTrigger trigger);
// "nxdomain", "nodata", "passthru", "drop", "tcp-only", "local-data".
std::string_view to_string(RpzAction action);

struct RpzRule {
    RpzAction action = RpzAction::kNxdomain;
    // The trigger's owner name in the policy zone, for logs.
    wire::Name owner;
    // kLocalData: the records to answer with (owners are the trigger's; the
    // query name takes their place). A CNAME here is the only record.
    std::vector<wire::Record> data;
};

// The part of a policy zone's configuration the rules need.
struct RpzZoneSettings {
    wire::Name name;
    RpzOverride override = RpzOverride::kGiven;
    // kCname: where every hit is sent.
    wire::Name override_cname;
    wire::ExtendedErrorCode ede = wire::ExtendedErrorCode::kBlocked;
    bool log = false;
};

// A local-data answer for one query (RFC 8914 EDE aside).
struct RpzRewrite {
    // Records owned by the query name: of its type, or the CNAME.
    std::vector<wire::Record> answer;
    // The CNAME's target, to resolve and append.
    std::optional<wire::Name> cname_target;
};

class RpzZone {
public:
    struct Built {
        std::shared_ptr<const RpzZone> zone;
        // Rules that could not be read (a bad IP encoding, a CNAME with
        // other data): left out, the rest of the zone is used.
        std::vector<std::string> problems;
    };

    // `records` must hold the zone's SOA at its apex (`settings.name`).
    static Result<Built, TextError> build(RpzZoneSettings settings,
                                          std::span<const wire::Record> records);

    const RpzZoneSettings& settings() const { return settings_; }
    const wire::Record& soa() const { return soa_; }
    uint32_t serial() const { return serial_; }
    size_t rule_count() const;
    // Whether rules need the answer: response-IP, NSDNAME or NSIP triggers.
    bool has_response_triggers() const {
        return !response_ip_.empty() || !nsdname_.empty() || !nsdname_wild_.empty() ||
               !nsip_.empty();
    }
    bool has_nameserver_triggers() const {
        return !nsdname_.empty() || !nsdname_wild_.empty() || !nsip_.empty();
    }

    // The most specific rule for each trigger, or null. QNAME and NSDNAME:
    // the exact name first, then the closest enclosing wildcard (which does
    // not match the name it is the wildcard of); IPs: the longest prefix.
    // None allocates.
    const RpzRule* match_qname(const wire::Name& qname) const;
    const RpzRule* match_nsdname(const wire::Name& ns) const;
    const RpzRule* match_client_ip(const wire::IpAddress& client) const;
    const RpzRule* match_response_ip(const wire::IpAddress& address) const;
    const RpzRule* match_nsip(const wire::IpAddress& address) const;
    // The length of the prefix match_response_ip() found, to pick the most
    // specific among several addresses.
    std::optional<uint8_t> response_ip_length(const wire::IpAddress& address) const;

    // The rule's action after the zone's override.
    RpzAction action_of(const RpzRule& rule) const;
    // The local-data answer of `rule` (after the override) to `question`.
    RpzRewrite rewrite(const RpzRule& rule, const wire::Question& question) const;

private:
    explicit RpzZone(RpzZoneSettings settings) : settings_(std::move(settings)) {}
    // Files one owner's records as a rule; a problem's text, if any.
    std::optional<std::string> add_rule(const wire::Name& relative, std::vector<wire::Record> rrs);
    static Result<RpzRule, TextError> rule_of(const wire::Name& owner,
                                              std::vector<wire::Record> rrs);

    RpzZoneSettings settings_;
    wire::Record soa_;
    uint32_t serial_ = 0;
    ZoneMap<RpzRule> qname_;
    ZoneMap<RpzRule> qname_wild_;  // keyed by the name below the "*"
    ZoneMap<RpzRule> nsdname_;
    ZoneMap<RpzRule> nsdname_wild_;
    PrefixTable<RpzRule> client_ip_;
    PrefixTable<RpzRule> response_ip_;
    PrefixTable<RpzRule> nsip_;
};

// The prefix an IP trigger's labels encode ("32.1.2.0.192" for
// 192.0.2.1/32, "48.zz.db8.2001" for 2001:db8::/48); nullopt when they do
// not encode one, or the address has bits beyond the prefix length.
std::optional<wire::IpPrefix> rpz_prefix(const wire::Name& labels);

}  // namespace cairn::policy
