// The daemon's side of RFC 5011 tracking of the root trust anchor: whether
// to track (trust-anchor-tracking), the state file it is kept in, turning
// the answer to ". DNSKEY" into a refresh of the tracker, the figures and
// the warnings. The daemon asks the question on its event loop and rebuilds
// the workers when the trusted keys change.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnssec/anchor_tracker.h"
#include "dnssec/trust_anchors.h"
#include "policy/anchor_tracking_options.h"
#include "resolve/resolver.h"
#include "resolve/resolver_options.h"
#include "server/stats.h"
#include "wire/name.h"
#include "wire/result.h"

namespace cairn::daemon {

class AnchorRefresher {
public:
    // `path` empty: nothing is written.
    AnchorRefresher(std::string path, bool must_save, dnssec::AnchorTracker tracker);

    const dnssec::AnchorTracker& tracker() const { return tracker_; }
    const std::string& path() const { return path_; }
    // After a chroot, or "" to keep the state in memory only.
    void set_path(std::string path) { path_ = std::move(path); }
    // Whether a failed write is fatal at start (trust-anchor-tracking: on).
    bool must_save() const { return must_save_; }

    // Time to ask: the refresh time has come and no question is out (one
    // the workers dropped, as a reload does, is given up after a while).
    bool due(int64_t now) const;
    void asked(int64_t now) { asked_at_ = now; }

    // The question to ask: the root's DNSKEY RRset with its signatures,
    // fetched afresh and left to the tracker to validate (CD).
    resolve::ClientQuery question() const;
    // Feeds the answer to question() to the tracker and logs what changed;
    // true when the trusted keys changed.
    bool apply(const resolve::Answer& answer, int64_t now);
    // Writes the state file: a temporary file in the same directory, then
    // renamed over it, so a crash leaves the old or the new state, never half.
    Status<TextError> save();

    // The tracked anchor in place of the configured one for its zone.
    dnssec::TrustAnchors with_tracked(const dnssec::TrustAnchors& configured) const;

    // RFC 8145 §5.1: "_ta-XXXX[-YYYY...]." with the trusted key tags.
    wire::Name signal_name() const;
    resolve::ClientQuery signal_question() const;

    void log_warnings(int64_t now) const;
    void append_stats(server::Stats& out, int64_t now) const;
    // `cairnctl trust-anchors`: one line per key, then the refresh times.
    std::string status_text(int64_t now) const;

private:
    std::string path_;
    bool must_save_ = false;
    dnssec::AnchorTracker tracker_;
    int64_t asked_at_ = 0;  // 0: no question out
    uint64_t refreshes_ = 0;
    uint64_t failures_ = 0;
    uint64_t changes_ = 0;
    uint64_t write_failures_ = 0;
};

// Starts tracking as `options` say from the configured `anchors` (or the
// state file when it exists); null when tracking is off (`notes` says why).
// A state file that cannot be read is an error naming it and the line.
Result<std::unique_ptr<AnchorRefresher>, TextError> start_anchor_tracking(
    const policy::AnchorTrackingOptions& options, const resolve::DnssecOptions& dnssec, int64_t now,
    std::vector<std::string>& notes);

}  // namespace cairn::daemon
