#include "anchor_refresher.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "wire/typed_rdata.h"

namespace cairn::daemon {

namespace {

// RFC 8145 §5.1: a label of at most 63 octets holds "_ta" and 11 tags.
constexpr size_t kMaxSignalledTags = 11;

Result<std::optional<std::string>, TextError> read_if_present(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return text_error(path + ": cannot open: " + std::strerror(errno));
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    return std::optional<std::string>{contents.str()};
}

Status<TextError> write_all(int fd, const std::string& text, const std::string& path) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return text_error(path + ": write failed: " + std::strerror(errno));
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return text_error(path + ": fsync failed: " + std::strerror(errno));
    return {};
}

}  // namespace

AnchorRefresher::AnchorRefresher(std::string path, bool must_save, dnssec::AnchorTracker tracker)
    : path_(std::move(path)), must_save_(must_save), tracker_(std::move(tracker)) {}

resolve::ClientQuery AnchorRefresher::question() const {
    return {{tracker_.zone(), wire::RRType::DNSKEY, wire::RRClass::IN}, true, true, true};
}

bool AnchorRefresher::due(int64_t now) const {
    // Longer than any resolution may take (resolution-timeout).
    constexpr int64_t kGiveUp = 300;
    return (asked_at_ == 0 || now - asked_at_ > kGiveUp) && now >= tracker_.next_refresh();
}

bool AnchorRefresher::apply(const resolve::Answer& answer, int64_t now) {
    asked_at_ = 0;
    ++refreshes_;
    wire::RRset dnskeys{tracker_.zone(), wire::RRType::DNSKEY, wire::RRClass::IN, 0, {}};
    std::vector<wire::RData> rrsigs;
    for (const auto& record : answer.answer) {
        if (record.owner != tracker_.zone()) continue;
        if (record.type == wire::RRType::DNSKEY) {
            dnskeys.ttl = record.ttl;
            dnskeys.add(record.rdata);
        } else if (record.type == wire::RRType::RRSIG) {
            auto sig = wire::RrsigData::from(record.rdata);
            if (sig && sig->type_covered == wire::RRType::DNSKEY) rrsigs.push_back(record.rdata);
        }
    }
    const std::string zone = tracker_.zone().to_text();
    if (dnskeys.rdatas.empty()) {
        ++failures_;
        tracker_.refresh_failed(now);
        const std::string why =
            answer.extended_error ? ": " + answer.extended_error->extra_text : "";
        spdlog::warn("trust anchor {}: no DNSKEY RRset in the answer ({}{}); retrying at {}s", zone,
                     wire::to_string(answer.rcode), why, tracker_.next_refresh() - now);
        return false;
    }
    auto outcome = tracker_.refresh(dnskeys, rrsigs, now);
    if (!outcome) {
        ++failures_;
        spdlog::warn("trust anchor {}: refresh failed: {}; retrying in {}s", zone, outcome.error(),
                     tracker_.next_refresh() - now);
        return false;
    }
    for (const auto& event : outcome->events)
        spdlog::warn("{}", event);
    if (outcome->trusted_changed) ++changes_;
    spdlog::info("trust anchor {} refreshed: trusted key tags {}; next refresh in {}s", zone,
                 fmt::join(tracker_.trusted_tags(), " "), tracker_.next_refresh() - now);
    return outcome->trusted_changed;
}

Status<TextError> AnchorRefresher::save() {
    if (path_.empty()) return {};
    const std::string temporary = path_ + ".new";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ++write_failures_;
        return text_error(temporary + ": cannot create: " + std::strerror(errno));
    }
    auto written = write_all(fd, tracker_.to_text(), temporary);
    ::close(fd);
    if (written && std::rename(temporary.c_str(), path_.c_str()) != 0)
        written = text_error(path_ + ": cannot replace: " + std::strerror(errno));
    if (!written) {
        ++write_failures_;
        ::unlink(temporary.c_str());
    }
    return written;
}

dnssec::TrustAnchors AnchorRefresher::with_tracked(const dnssec::TrustAnchors& configured) const {
    dnssec::TrustAnchors out;
    for (const auto& anchor : configured.all()) {
        if (anchor.zone == tracker_.zone()) continue;
        for (const auto& record : anchor.ds.to_records())
            out.add(record);
        for (const auto& record : anchor.dnskeys.to_records())
            out.add(record);
    }
    const dnssec::TrustAnchor tracked = tracker_.trusted();
    for (const auto& record : tracked.ds.to_records())
        out.add(record);
    for (const auto& record : tracked.dnskeys.to_records())
        out.add(record);
    return out;
}

wire::Name AnchorRefresher::signal_name() const {
    auto tags = tracker_.trusted_tags();
    tags.resize(std::min(tags.size(), kMaxSignalledTags));
    std::string label = "_ta";
    for (uint16_t tag : tags)
        label += fmt::format("-{:04x}", tag);
    // At most 63 octets and a zone name that is already a name: only a zone
    // too long for one more label fails, and then the zone itself is asked.
    auto name = wire::Name::from_text(label, tracker_.zone());
    return name ? *name : tracker_.zone();
}

resolve::ClientQuery AnchorRefresher::signal_question() const {
    return {{signal_name(), wire::RRType::NULL_, wire::RRClass::IN}, true, false, false};
}

void AnchorRefresher::log_warnings(int64_t now) const {
    for (const auto& warning : tracker_.warnings(now))
        spdlog::warn("{}", warning);
}

void AnchorRefresher::append_stats(server::Stats& out, int64_t now) const {
    using dnssec::KeyState;
    out.push_back({"trust_anchor.refreshes", refreshes_, false,
                   "Answers to the root DNSKEY question fed to RFC 5011 tracking."});
    out.push_back({"trust_anchor.failures", failures_, false,
                   "Refreshes of the tracked trust anchor that failed (no validated DNSKEY)."});
    out.push_back({"trust_anchor.changes", changes_, false,
                   "Refreshes that changed the trusted keys (the workers were rebuilt)."});
    out.push_back({"trust_anchor.write_failures", write_failures_, false,
                   "Writes of trust-anchor-state that failed."});
    for (auto [state, name] :
         {std::pair{KeyState::kValid, "valid"}, std::pair{KeyState::kAddPend, "addpend"},
          std::pair{KeyState::kMissing, "missing"}, std::pair{KeyState::kRevoked, "revoked"}})
        out.push_back({std::string("trust_anchor.keys_") + name, tracker_.count(state), true,
                       "Keys of the tracked trust anchor in this RFC 5011 state."});
    const int64_t last = tracker_.last_success();
    out.push_back({"trust_anchor.last_success_age_seconds",
                   last == 0 ? 0 : static_cast<uint64_t>(std::max<int64_t>(0, now - last)), true,
                   "Seconds since the tracked trust anchor was last refreshed (0: not yet)."});
}

std::string AnchorRefresher::status_text(int64_t now) const {
    std::string out = "zone " + tracker_.zone().to_text() + "\n";
    out += "state-file " + (path_.empty() ? std::string("(none: kept in memory)") : path_) + "\n";
    for (const auto& key : tracker_.keys())
        out +=
            fmt::format("key {} {} since {}\n", key.tag(), dnssec::to_string(key.state), key.since);
    for (const auto& ds : tracker_.ds_anchors())
        if (auto data = wire::DsData::from(ds))
            out += fmt::format("ds {} (no key seen yet)\n", data->key_tag);
    const int64_t last = tracker_.last_success();
    out += last == 0 ? std::string("last-success never\n")
                     : fmt::format("last-success {} ({}s ago)\n", last, now - last);
    out += fmt::format("next-refresh {} (in {}s)\n", tracker_.next_refresh(),
                       tracker_.next_refresh() - now);
    for (const auto& warning : tracker_.warnings(now))
        out += "warning " + warning + "\n";
    return out;
}

Result<std::unique_ptr<AnchorRefresher>, TextError> start_anchor_tracking(
    const policy::AnchorTrackingOptions& options, const resolve::DnssecOptions& dnssec, int64_t now,
    std::vector<std::string>& notes) {
    using Tracker = std::unique_ptr<AnchorRefresher>;
    if (options.tracking == "off" || !dnssec.enabled) return Tracker{};
    const bool on = options.tracking == "on";
    if (!on && !dnssec.trust_anchor_files.empty()) {
        notes.push_back(
            "trust anchors from trust-anchors files are not tracked (RFC 5011) "
            "unless trust-anchor-tracking is on");
        return Tracker{};
    }
    const dnssec::TrustAnchor* root = dnssec.anchors.find(wire::Name::root());
    if (root == nullptr) {
        notes.push_back("no root trust anchor: nothing to track (RFC 5011)");
        return Tracker{};
    }
    const auto directory = std::filesystem::path(options.state_file).parent_path();
    std::error_code ec;
    if (!on && !std::filesystem::is_directory(directory, ec)) {
        notes.push_back("root trust anchor not tracked (RFC 5011): " + directory.string() +
                        " does not exist (set trust-anchor-tracking: on and trust-anchor-state)");
        return Tracker{};
    }
    auto text = read_if_present(options.state_file);
    if (!text) return Unexpected{text.error()};
    if (!*text) {
        notes.push_back(
            "tracking the root trust anchor (RFC 5011) from the configured "
            "anchors; state in " +
            options.state_file);
        return std::make_unique<AnchorRefresher>(options.state_file, on,
                                                 dnssec::AnchorTracker::from_anchor(*root, now));
    }
    auto tracker = dnssec::AnchorTracker::from_text(**text, options.state_file);
    if (!tracker) return Unexpected{tracker.error()};
    if (tracker->zone() != wire::Name::root())
        return text_error(options.state_file + ": tracks " + tracker->zone().to_text() +
                          ", not the root");
    notes.push_back("root trust anchor from " + options.state_file + " (RFC 5011 tracking)");
    return std::make_unique<AnchorRefresher>(options.state_file, on, std::move(*tracker));
}

}  // namespace cairn::daemon
