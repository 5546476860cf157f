// Automated updates of one zone's trust anchor (RFC 5011): each key the
// zone publishes with the SEP bit goes through the states of §4; a new key
// is trusted only once it has been seen in validated DNSKEY RRsets for the
// add hold-down time, a key that revokes itself is dropped at once and
// forgotten after the remove hold-down time. Pure: the caller fetches the
// DNSKEY RRset, passes the wall-clock time, and stores the text form.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dnssec/trust_anchors.h"
#include "wire/rdata.h"
#include "wire/record.h"
#include "wire/result.h"
#include "wire/rrset.h"

namespace cairn::dnssec {

// RFC 5011 §4. kStart keys are not kept: a key is tracked from AddPend on.
enum class KeyState : uint8_t { kStart, kAddPend, kValid, kMissing, kRevoked, kRemoved };
std::string_view to_string(KeyState state);

struct TrackedKey {
    wire::RData dnskey;  // as last published (with the REVOKE bit once revoked)
    KeyState state = KeyState::kAddPend;
    int64_t since = 0;  // wall-clock second it entered `state`
    // The original TTL of the DNSKEY RRset the key was first seen in: the
    // add hold-down is at least that long (§2.4.1).
    uint32_t ttl = 0;
    uint16_t tag() const;
    // Valid and Missing keys are trust anchors (§4: Missing is still trusted).
    bool trusted() const { return state == KeyState::kValid || state == KeyState::kMissing; }
};

struct TrackerTimes {
    int64_t add_hold_down = 30 * 86400;     // §2.4.1
    int64_t remove_hold_down = 30 * 86400;  // §2.4.2
    // A trusted key missing from the zone this long is forgotten, as
    // Unbound's keep-missing does (RFC 5011 leaves it to the operator).
    int64_t keep_missing = 366 * 86400;
};

// What one refresh did, for the log.
struct RefreshOutcome {
    bool trusted_changed = false;     // the key tags of trusted() changed
    std::vector<std::string> events;  // one line per state change or refusal
};

class AnchorTracker {
public:
    // Starts tracking from a configured anchor: its DNSKEYs are Valid, its
    // DS records trusted until a key they name is seen.
    static AnchorTracker from_anchor(const TrustAnchor& anchor, int64_t now,
                                     TrackerTimes times = {});
    // Reads the text form (to_text); errors name `source` and the line.
    static Result<AnchorTracker, TextError> from_text(std::string_view text,
                                                      const std::string& source,
                                                      TrackerTimes times = {});
    // The state file: one record per line in zone-file syntax, state and
    // times in ";;" comments. Trusted keys and DS anchors are plain records
    // (a `trust-anchors` file may read it), other keys commented out.
    std::string to_text() const;

    // §2.1-§2.3: applies a fetched DNSKEY RRset of the zone and the RRSIG
    // RDATA covering it. Only a set signed by a trusted key counts; an error
    // (and the retry time) otherwise, as for refresh_failed.
    Result<RefreshOutcome, std::string> refresh(const wire::RRset& dnskeys,
                                                std::span<const wire::RData> rrsigs, int64_t now);
    // The fetch failed: the next one after the retry time (§2.3).
    void refresh_failed(int64_t now);

    const wire::Name& zone() const { return zone_; }
    // The anchor to validate from: Valid and Missing keys, DS anchors.
    TrustAnchor trusted() const;
    // Key tags of the trusted keys, sorted, without duplicates (RFC 8145).
    std::vector<uint16_t> trusted_tags() const;
    const std::vector<TrackedKey>& keys() const { return keys_; }
    const std::vector<wire::RData>& ds_anchors() const { return ds_; }
    size_t count(KeyState state) const;

    int64_t next_refresh() const { return next_refresh_; }
    int64_t last_success() const { return last_success_; }  // 0: never
    uint32_t failures() const { return failures_; }         // since the last success
    // The active refresh interval of the last success (§2.3), 1 hour before.
    int64_t refresh_interval() const { return refresh_interval_; }
    // What an operator should hear about now: no successful refresh for
    // more than twice the refresh interval, keys pending, missing, revoked.
    std::vector<std::string> warnings(int64_t now) const;

private:
    size_t trusted_count() const;
    // When an AddPend key's add hold-down ends.
    int64_t hold_down_end(const TrackedKey& key) const;
    // One record of the state file; what is wrong with it, if anything.
    std::optional<std::string> add_entry(const wire::Record& record, bool commented,
                                         std::string_view state, std::optional<int64_t> since);
    TrackedKey* find_key(const wire::RData& dnskey);
    std::optional<size_t> matching_ds(const wire::RData& dnskey) const;
    bool validated(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs, int64_t now,
                   std::string& why, uint32_t& ttl_cap) const;
    void apply_revocations(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs,
                           int64_t now, RefreshOutcome& out);
    void apply_present(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs, int64_t now,
                       RefreshOutcome& out);
    void apply_absent(const wire::RRset& dnskeys, int64_t now, RefreshOutcome& out);
    bool may_drop_trusted(const TrackedKey& key, RefreshOutcome& out) const;
    void change(TrackedKey& key, KeyState state, int64_t now, RefreshOutcome& out);

    wire::Name zone_;
    TrackerTimes times_;
    std::vector<TrackedKey> keys_;
    std::vector<wire::RData> ds_;  // configured DS anchors no key has matched yet
    int64_t started_ = 0;          // when tracking began (staleness before any success)
    int64_t last_success_ = 0;
    int64_t next_refresh_ = 0;
    int64_t refresh_interval_ = 3600;
    int64_t retry_interval_ = 3600;
    uint32_t failures_ = 0;
};

// §2.3: max(1 hour, min(15 days, ttl/2, expiration/2)) and the retry time
// max(1 hour, min(1 day, ttl/10, expiration/10)), with `ttl` the original
// TTL and `expiration` the seconds to the signature's expiration.
int64_t active_refresh_time(int64_t ttl, int64_t expiration);
int64_t active_retry_time(int64_t ttl, int64_t expiration);

}  // namespace cairn::dnssec
