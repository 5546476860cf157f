#include "dnssec/anchor_tracker.h"

#include <algorithm>
#include <ctime>

#include "dnssec/ds_digest.h"
#include "dnssec/key_set.h"
#include "dnssec/key_tag.h"
#include "dnssec/public_key.h"
#include "dnssec/rrset_verifier.h"
#include "dnssec/signed_data.h"
#include "wire/encoding.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {

namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

std::optional<wire::DnskeyData> dnskey_of(const wire::RData& rdata) {
    auto key = wire::DnskeyData::from(rdata);
    if (!key) return std::nullopt;
    return *key;
}

// The same key whether or not its REVOKE bit is set (RFC 5011 §2.1: the
// revoked key is the old key with one flag changed).
bool same_key(const wire::RData& a, const wire::RData& b) {
    auto ka = dnskey_of(a);
    auto kb = dnskey_of(b);
    if (!ka || !kb) return false;
    constexpr uint16_t mask = static_cast<uint16_t>(~wire::DnskeyData::kRevokeFlag);
    return (ka->flags & mask) == (kb->flags & mask) && ka->protocol == kb->protocol &&
           ka->algorithm == kb->algorithm && ka->public_key == kb->public_key;
}

// A key RFC 5011 tracks: a zone key with the SEP bit (a KSK).
bool trackable(const wire::DnskeyData& key) {
    return key.zone_key() && key.secure_entry_point() && key.protocol == 3;
}

bool within_validity(const wire::RrsigData& sig, int64_t now) {
    const auto now32 = static_cast<uint32_t>(now);
    return static_cast<int32_t>(now32 - sig.inception) >= 0 &&
           static_cast<int32_t>(sig.expiration - now32) >= 0;
}

// `dnskeys` carries an RRSIG made by `revoked` itself (§2.1: only the key's
// own signature may revoke it).
bool self_signed(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs,
                 const wire::RData& revoked, const wire::Name& zone, int64_t now) {
    auto key = dnskey_of(revoked);
    if (!key) return false;
    const uint16_t tag = key_tag(revoked);
    auto decoded = PublicKey::from_dnskey(*key);
    if (!decoded) return false;
    for (const auto& rdata : rrsigs) {
        auto sig = wire::RrsigData::from(rdata);
        if (!sig || sig->type_covered != wire::RRType::DNSKEY || sig->signer != zone ||
            sig->key_tag != tag || sig->algorithm != key->algorithm || !within_validity(*sig, now))
            continue;
        if (decoded->verify(signed_data(*sig, dnskeys), sig->signature)) return true;
    }
    return false;
}

// The DNSKEY RRset's TTL as the zone signed it (a cache may have counted it
// down or capped it).
uint32_t signed_ttl(std::span<const wire::RData> rrsigs, const wire::Name& zone,
                    uint32_t fallback) {
    for (const auto& rdata : rrsigs) {
        auto sig = wire::RrsigData::from(rdata);
        if (sig && sig->type_covered == wire::RRType::DNSKEY && sig->signer == zone)
            return std::max(fallback, sig->original_ttl);
    }
    return fallback;
}

std::string utc(int64_t when) {
    const auto t = static_cast<time_t>(when);
    struct tm parts {};
    gmtime_r(&t, &parts);
    char text[32];
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

std::string days(int64_t seconds) {
    if (seconds % kDay == 0) return std::to_string(seconds / kDay) + "d";
    if (seconds % kHour == 0) return std::to_string(seconds / kHour) + "h";
    return std::to_string(seconds) + "s";
}

}  // namespace

std::string_view to_string(KeyState state) {
    switch (state) {
        case KeyState::kStart: return "start";
        case KeyState::kAddPend: return "addpend";
        case KeyState::kValid: return "valid";
        case KeyState::kMissing: return "missing";
        case KeyState::kRevoked: return "revoked";
        case KeyState::kRemoved: return "removed";
    }
    return "?";
}

uint16_t TrackedKey::tag() const {
    return key_tag(dnskey);
}

int64_t active_refresh_time(int64_t ttl, int64_t expiration) {
    return std::max(kHour, std::min({15 * kDay, ttl / 2, expiration / 2}));
}

int64_t active_retry_time(int64_t ttl, int64_t expiration) {
    return std::max(kHour, std::min({kDay, ttl / 10, expiration / 10}));
}

AnchorTracker AnchorTracker::from_anchor(const TrustAnchor& anchor, int64_t now,
                                         TrackerTimes times) {
    AnchorTracker tracker;
    tracker.zone_ = anchor.zone;
    tracker.times_ = times;
    tracker.started_ = now;
    for (const auto& rdata : anchor.dnskeys.rdatas)
        tracker.keys_.push_back({rdata, KeyState::kValid, now});
    tracker.ds_ = anchor.ds.rdatas;
    return tracker;
}

size_t AnchorTracker::count(KeyState state) const {
    return std::count_if(keys_.begin(), keys_.end(),
                         [state](const TrackedKey& key) { return key.state == state; });
}

int64_t AnchorTracker::hold_down_end(const TrackedKey& key) const {
    return key.since + std::max<int64_t>(times_.add_hold_down, key.ttl);
}

size_t AnchorTracker::trusted_count() const {
    return count(KeyState::kValid) + count(KeyState::kMissing) + ds_.size();
}

TrustAnchor AnchorTracker::trusted() const {
    TrustAnchor anchor;
    anchor.zone = zone_;
    anchor.ds = {zone_, wire::RRType::DS, wire::RRClass::IN, 0, {}};
    anchor.dnskeys = {zone_, wire::RRType::DNSKEY, wire::RRClass::IN, 0, {}};
    for (const auto& key : keys_)
        if (key.trusted()) anchor.dnskeys.add(key.dnskey);
    for (const auto& ds : ds_)
        anchor.ds.add(ds);
    anchor.dnskeys.sort_canonical();
    anchor.ds.sort_canonical();
    return anchor;
}

std::vector<uint16_t> AnchorTracker::trusted_tags() const {
    std::vector<uint16_t> tags;
    for (const auto& key : keys_)
        if (key.trusted()) tags.push_back(key.tag());
    for (const auto& rdata : ds_)
        if (auto ds = wire::DsData::from(rdata)) tags.push_back(ds->key_tag);
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
}

TrackedKey* AnchorTracker::find_key(const wire::RData& dnskey) {
    for (auto& key : keys_)
        if (same_key(key.dnskey, dnskey)) return &key;
    return nullptr;
}

std::optional<size_t> AnchorTracker::matching_ds(const wire::RData& dnskey) const {
    for (size_t i = 0; i < ds_.size(); ++i) {
        auto ds = wire::DsData::from(ds_[i]);
        if (ds && ds_matches(*ds, zone_, dnskey)) return i;
    }
    return std::nullopt;
}

// §2.1: the set counts only when a key trusted now signed it.
bool AnchorTracker::validated(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs,
                              int64_t now, std::string& why, uint32_t& ttl_cap) const {
    wire::RRset trusted_keys{zone_, wire::RRType::DNSKEY, wire::RRClass::IN, dnskeys.ttl, {}};
    for (const auto& rdata : dnskeys.rdatas) {
        bool trusted = matching_ds(rdata).has_value();
        for (const auto& key : keys_)
            trusted = trusted || (key.trusted() && key.dnskey == rdata);
        if (trusted) trusted_keys.add(rdata);
    }
    if (trusted_keys.rdatas.empty()) {
        why = "no trusted key of " + zone_.to_text() + " is in its DNSKEY RRset";
        return false;
    }
    WorkCounter work;
    const RRsetVerdict verdict =
        verify_rrset(dnskeys, rrsigs, trusted_keys, zone_, now, ValidationLimits{}, work);
    if (verdict.status != RRsetVerdict::Status::kValid) {
        why = "the DNSKEY RRset of " + zone_.to_text() + " is not signed by a trusted key" +
              (verdict.why.empty() ? std::string() : ": " + verdict.why);
        return false;
    }
    ttl_cap = verdict.ttl_cap;
    return true;
}

Result<RefreshOutcome, std::string> AnchorTracker::refresh(const wire::RRset& dnskeys,
                                                           std::span<const wire::RData> rrsigs,
                                                           int64_t now) {
    std::string why;
    uint32_t ttl_cap = 0;
    if (dnskeys.owner != zone_ || dnskeys.type != wire::RRType::DNSKEY) {
        refresh_failed(now);
        return Unexpected{std::string("not the DNSKEY RRset of ") + zone_.to_text()};
    }
    if (!validated(dnskeys, rrsigs, now, why, ttl_cap)) {
        refresh_failed(now);
        return Unexpected{why};
    }
    const auto before = trusted_tags();
    RefreshOutcome out;
    apply_revocations(dnskeys, rrsigs, now, out);
    apply_present(dnskeys, rrsigs, now, out);
    apply_absent(dnskeys, now, out);
    // By key tag: a DS anchor turning into the key it names changes nothing
    // worth rebuilding the workers for.
    out.trusted_changed = before != trusted_tags();
    last_success_ = now;
    failures_ = 0;
    refresh_interval_ = active_refresh_time(ttl_cap, ttl_cap);
    retry_interval_ = active_retry_time(ttl_cap, ttl_cap);
    next_refresh_ = now + refresh_interval_;
    return out;
}

void AnchorTracker::refresh_failed(int64_t now) {
    ++failures_;
    next_refresh_ = now + retry_interval_;
}

void AnchorTracker::change(TrackedKey& key, KeyState state, int64_t now, RefreshOutcome& out) {
    out.events.push_back("trust anchor " + zone_.to_text() + " key " + std::to_string(key.tag()) +
                         ": " + std::string(to_string(key.state)) + " -> " +
                         std::string(to_string(state)));
    key.state = state;
    key.since = now;
}

// Never leave the zone without a trust anchor: a resolver with none cannot
// validate anything below it, and an operator must decide what comes next.
bool AnchorTracker::may_drop_trusted(const TrackedKey& key, RefreshOutcome& out) const {
    if (trusted_count() > 1) return true;
    out.events.push_back("trust anchor " + zone_.to_text() + " key " + std::to_string(key.tag()) +
                         " stays trusted although " + std::string(to_string(key.state)) +
                         ": it is the last trusted key; replace the anchor by hand");
    return false;
}

void AnchorTracker::apply_revocations(const wire::RRset& dnskeys,
                                      std::span<const wire::RData> rrsigs, int64_t now,
                                      RefreshOutcome& out) {
    for (const auto& rdata : dnskeys.rdatas) {
        auto key = dnskey_of(rdata);
        if (!key || !key->revoked() || !trackable(*key)) continue;
        TrackedKey* tracked = find_key(rdata);
        if (tracked == nullptr) {
            // A configured DS anchor for the key's unrevoked form.
            wire::DnskeyData plain = *key;
            plain.flags &= static_cast<uint16_t>(~wire::DnskeyData::kRevokeFlag);
            auto ds = matching_ds(plain.to_rdata());
            if (!ds) continue;
            tracked = &keys_.emplace_back(TrackedKey{plain.to_rdata(), KeyState::kValid, now});
            ds_.erase(ds_.begin() + static_cast<ptrdiff_t>(*ds));
        }
        if (tracked->state == KeyState::kRevoked || tracked->state == KeyState::kRemoved) continue;
        if (!self_signed(dnskeys, rrsigs, rdata, zone_, now)) continue;
        if (tracked->trusted() && !may_drop_trusted(*tracked, out)) continue;
        tracked->dnskey = rdata;
        change(*tracked, KeyState::kRevoked, now, out);
    }
}

void AnchorTracker::apply_present(const wire::RRset& dnskeys, std::span<const wire::RData> rrsigs,
                                  int64_t now, RefreshOutcome& out) {
    const uint32_t original_ttl = signed_ttl(rrsigs, zone_, dnskeys.ttl);
    for (const auto& rdata : dnskeys.rdatas) {
        auto key = dnskey_of(rdata);
        if (!key || key->revoked() || !trackable(*key)) continue;
        TrackedKey* tracked = find_key(rdata);
        if (tracked == nullptr) {
            // A key a configured DS names is trusted at once; any other new
            // key waits out the add hold-down (§2.4.1).
            const auto ds = matching_ds(rdata);
            auto& added =
                keys_.emplace_back(TrackedKey{rdata, KeyState::kStart, now, original_ttl});
            change(added, ds ? KeyState::kValid : KeyState::kAddPend, now, out);
            if (ds) ds_.erase(ds_.begin() + static_cast<ptrdiff_t>(*ds));
            continue;
        }
        switch (tracked->state) {
            case KeyState::kAddPend:
                if (now >= hold_down_end(*tracked)) change(*tracked, KeyState::kValid, now, out);
                break;
            case KeyState::kMissing: change(*tracked, KeyState::kValid, now, out); break;
            case KeyState::kRemoved:
                tracked->dnskey = rdata;
                change(*tracked, KeyState::kAddPend, now, out);
                break;
            default: break;
        }
    }
}

void AnchorTracker::apply_absent(const wire::RRset& dnskeys, int64_t now, RefreshOutcome& out) {
    for (auto it = keys_.begin(); it != keys_.end();) {
        TrackedKey& key = *it;
        // A revoked form without the key's own signature does not count:
        // only the published form the key is tracked in does.
        const bool present = std::find(dnskeys.rdatas.begin(), dnskeys.rdatas.end(), key.dnskey) !=
                             dnskeys.rdatas.end();
        if (key.state == KeyState::kAddPend && !present) {
            // §4 "Start": a pending key that goes away starts over if it comes back.
            change(key, KeyState::kStart, now, out);
            it = keys_.erase(it);
            continue;
        }
        if (key.state == KeyState::kValid && !present && may_drop_trusted(key, out))
            change(key, KeyState::kMissing, now, out);
        else if (key.state == KeyState::kMissing && now - key.since >= times_.keep_missing &&
                 may_drop_trusted(key, out))
            change(key, KeyState::kRemoved, now, out);
        else if (key.state == KeyState::kRevoked && now - key.since >= times_.remove_hold_down)
            change(key, KeyState::kRemoved, now, out);
        ++it;
    }
}

std::vector<std::string> AnchorTracker::warnings(int64_t now) const {
    std::vector<std::string> out;
    const std::string zone = zone_.to_text();
    const int64_t since = last_success_ != 0 ? last_success_ : started_;
    if (now - since > 2 * std::max(refresh_interval_, kHour))
        out.push_back("trust anchor " + zone + ": no successful DNSKEY refresh " +
                      (last_success_ != 0 ? "since " + utc(last_success_) : "yet") + " (" +
                      std::to_string(failures_) + " failed attempts); the anchor may be stale");
    for (const auto& key : keys_) {
        const std::string head = "trust anchor " + zone + " key " + std::to_string(key.tag());
        switch (key.state) {
            case KeyState::kAddPend:
                out.push_back(head + " is new; trusted from " + utc(hold_down_end(key)) +
                              " if the zone keeps publishing it");
                break;
            case KeyState::kMissing:
                out.push_back(head + " is trusted but missing from the zone since " +
                              utc(key.since));
                break;
            case KeyState::kRevoked:
                out.push_back(head + " was revoked at " + utc(key.since));
                break;
            default: break;
        }
    }
    return out;
}

// ---- the state file ----

namespace {

constexpr std::string_view kHeaderTag = ";;tracker";
constexpr std::string_view kStateTag = ";;state=";

std::optional<KeyState> state_from(std::string_view text) {
    for (auto state : {KeyState::kAddPend, KeyState::kValid, KeyState::kMissing, KeyState::kRevoked,
                       KeyState::kRemoved})
        if (to_string(state) == text) return state;
    return std::nullopt;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        const size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t')
            ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

// The value of "key=value" among `fields`; tokens in parentheses are for
// people and skipped.
std::optional<int64_t> field(const std::vector<std::string_view>& fields, std::string_view key) {
    for (auto word : fields) {
        if (!word.starts_with(key) || word.size() <= key.size() || word[key.size()] != '=')
            continue;
        auto value = wire::parse_unsigned(word.substr(key.size() + 1), INT64_MAX);
        if (!value) return std::nullopt;
        return static_cast<int64_t>(*value);
    }
    return std::nullopt;
}

}  // namespace

std::string AnchorTracker::to_text() const {
    std::string out = "; Trust anchor state of " + zone_.to_text() +
                      " (RFC 5011), kept by cairn; edit only while cairn is stopped.\n"
                      "; The records not commented out are the trusted anchors.\n";
    out += std::string(kHeaderTag) + " zone=" + zone_.to_text() +
           " started=" + std::to_string(started_) +
           " last-success=" + std::to_string(last_success_) +
           " next-refresh=" + std::to_string(next_refresh_) +
           " refresh-interval=" + std::to_string(refresh_interval_) +
           " retry-interval=" + std::to_string(retry_interval_) +
           " failures=" + std::to_string(failures_) + "\n";
    for (const auto& key : keys_) {
        const wire::Record record{zone_, wire::RRType::DNSKEY, wire::RRClass::IN, key.ttl,
                                  key.dnskey};
        out += (key.trusted() ? "" : ";;") + record.to_text() + " " + std::string(kStateTag) +
               std::string(to_string(key.state)) + " since=" + std::to_string(key.since) + " (" +
               utc(key.since) + ") tag=" + std::to_string(key.tag());
        if (key.state == KeyState::kAddPend)
            out += " (trusted from " + utc(hold_down_end(key)) + ", after " +
                   days(hold_down_end(key) - key.since) + ")";
        out += "\n";
    }
    for (const auto& ds : ds_) {
        const wire::Record record{zone_, wire::RRType::DS, wire::RRClass::IN, 0, ds};
        out += record.to_text() + " " + std::string(kStateTag) + "ds\n";
    }
    return out;
}

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

struct Header {
    wire::Name zone;
    int64_t started = 0, last_success = 0, next_refresh = 0;
    int64_t refresh_interval = 0, retry_interval = 0, failures = 0;
};

Result<Header, std::string> parse_header(std::string_view line) {
    const auto fields = words(line.substr(kHeaderTag.size()));
    Header header;
    std::optional<wire::Name> zone;
    for (auto word : fields)
        if (word.starts_with("zone=")) {
            auto name = wire::Name::from_text(word.substr(5));
            if (!name) return Unexpected{"bad zone: " + name.error().message};
            zone = *name;
        }
    if (!zone) return Unexpected{std::string("no zone= in the ;;tracker line")};
    header.zone = *zone;
    const std::pair<std::string_view, int64_t*> numbers[] = {
        {"started", &header.started},
        {"last-success", &header.last_success},
        {"next-refresh", &header.next_refresh},
        {"refresh-interval", &header.refresh_interval},
        {"retry-interval", &header.retry_interval},
        {"failures", &header.failures},
    };
    for (auto [key, value] : numbers) {
        auto number = field(fields, key);
        if (!number) return Unexpected{"no number " + std::string(key) + "= in the ;;tracker line"};
        *value = *number;
    }
    return header;
}

struct Entry {
    wire::Record record;
    bool commented = false;
    std::string_view state;
    std::optional<int64_t> since;
};

// "[;;]record ;;state=S [since=N] ..."
Result<Entry, std::string> parse_entry(std::string_view line) {
    Entry entry;
    if (line.starts_with(";;")) {
        entry.commented = true;
        line.remove_prefix(2);
    }
    const size_t at = line.find(kStateTag);
    if (at == std::string_view::npos)
        return Unexpected{std::string("a record without ;;state= after it")};
    auto record = wire::parse_record(line.substr(0, at), wire::Name::root());
    if (!record) return Unexpected{record.error().message};
    entry.record = *record;
    const auto fields = words(line.substr(at + kStateTag.size()));
    if (fields.empty()) return Unexpected{std::string("an empty ;;state=")};
    entry.state = fields[0];
    entry.since = field(fields, "since");
    return entry;
}

}  // namespace

Result<AnchorTracker, TextError> AnchorTracker::from_text(std::string_view text,
                                                          const std::string& source,
                                                          TrackerTimes times) {
    AnchorTracker tracker;
    tracker.times_ = times;
    bool have_header = false;
    size_t number = 0;
    auto fail = [&](const std::string& message) {
        return text_error(source + ":" + std::to_string(number) + ": " + message);
    };
    while (!text.empty()) {
        ++number;
        const size_t end = std::min(text.find('\n'), text.size());
        const std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(std::min(end + 1, text.size()));
        if (line.empty() || (line.starts_with(';') && !line.starts_with(";;"))) continue;
        if (line.starts_with(kHeaderTag)) {
            auto header = parse_header(line);
            if (!header) return fail(header.error());
            if (have_header) return fail("a second ;;tracker line");
            have_header = true;
            tracker.zone_ = header->zone;
            tracker.started_ = header->started;
            tracker.last_success_ = header->last_success;
            tracker.next_refresh_ = header->next_refresh;
            tracker.refresh_interval_ = std::max<int64_t>(header->refresh_interval, kHour);
            tracker.retry_interval_ = std::max<int64_t>(header->retry_interval, kHour);
            tracker.failures_ =
                static_cast<uint32_t>(std::min<int64_t>(header->failures, UINT32_MAX));
            continue;
        }
        if (!have_header) return fail("a record before the ;;tracker line");
        auto entry = parse_entry(line);
        if (!entry) return fail(entry.error());
        if (auto problem =
                tracker.add_entry(entry->record, entry->commented, entry->state, entry->since))
            return fail(*problem);
    }
    if (!have_header)
        return text_error(source + ": no ;;tracker line: not a trust anchor state file");
    if (tracker.trusted_count() == 0) return text_error(source + ": no trusted key");
    return tracker;
}

std::optional<std::string> AnchorTracker::add_entry(const wire::Record& record, bool commented,
                                                    std::string_view state,
                                                    std::optional<int64_t> since) {
    if (record.owner != zone_)
        return "a record of " + record.owner.to_text() + " in the state of " + zone_.to_text();
    if (record.type == wire::RRType::DS) {
        if (state != "ds" || commented) return std::string("a DS record must read ;;state=ds");
        if (!wire::DsData::from(record.rdata)) return std::string("a malformed DS record");
        ds_.push_back(record.rdata);
        return std::nullopt;
    }
    if (record.type != wire::RRType::DNSKEY)
        return wire::to_string(record.type) + " record (only DNSKEY and DS)";
    if (!dnskey_of(record.rdata)) return std::string("a malformed DNSKEY record");
    const auto parsed = state_from(state);
    if (!parsed)
        return "unknown state '" + std::string(state) +
               "' (addpend, valid, missing, revoked, removed)";
    if (!since) return std::string("no since= time");
    TrackedKey key{record.rdata, *parsed, *since, record.ttl};
    if (key.trusted() == commented)
        return "a " + std::string(state) + " key must " + (commented ? "not " : "") +
               "be commented out";
    if (find_key(record.rdata)) return std::string("the same key twice");
    keys_.push_back(std::move(key));
    return std::nullopt;
}

}  // namespace cairn::dnssec
