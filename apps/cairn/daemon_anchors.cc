// The daemon's RFC 5011 tracking of the root trust anchor and RFC 8145
// signalling (see anchor_refresher.h).
#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "daemon.h"

namespace cairn::daemon {

namespace {

// How often the wall clock is compared with the refresh time: the refresh
// time is a wall-clock time (a suspended machine, or a clock set forward,
// makes it come sooner than a monotonic timer would say).
constexpr std::chrono::seconds kAnchorCheckInterval{60};

}  // namespace

bool Daemon::start_anchor_tracking() {
    std::vector<std::string> notes;
    auto refresher = daemon::start_anchor_tracking(config_.anchor_tracking, config_.resolver.dnssec,
                                                   clock_.now(), notes);
    for (const auto& note : notes)
        spdlog::info("{}", note);
    if (!refresher) {
        spdlog::error("{}", refresher.error().message);
        return false;
    }
    anchor_refresher_ = std::move(*refresher);
    if (anchor_refresher_)
        config_.resolver.dnssec.anchors =
            anchor_refresher_->with_tracked(config_.resolver.dnssec.anchors);
    return true;
}

bool Daemon::begin_anchor_refreshes() {
    if (!anchor_refresher_) return true;
    if (!chroot_.empty())
        anchor_refresher_->set_path(path_after_chroot(anchor_refresher_->path(), chroot_));
    if (auto saved = anchor_refresher_->save(); !saved) {
        if (anchor_refresher_->must_save()) {
            spdlog::error("trust-anchor-state: {}", saved.error().message);
            return false;
        }
        spdlog::warn("trust-anchor-state: {}; the tracked anchor is kept in memory only",
                     saved.error().message);
        anchor_refresher_->set_path("");
    }
    anchor_refresher_->log_warnings(clock_.now());
    schedule_anchor_check(std::chrono::seconds(0));
    return true;
}

void Daemon::schedule_anchor_check(std::chrono::seconds delay) {
    anchor_timer_.expires_after(delay);
    anchor_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec) return;
        if (anchor_refresher_->due(clock_.now())) refresh_anchor(std::nullopt);
        schedule_anchor_check(kAnchorCheckInterval);
    });
}

void Daemon::refresh_anchor(std::optional<net::LateReply> reply) {
    anchor_refresher_->asked(clock_.now());
    service_->trace(anchor_refresher_->question(), true,
                    [this, reply = std::move(reply)](server::TraceReport report) mutable {
                        asio::post(io_, [this, answer = std::move(report.answer),
                                         reply = std::move(reply)]() mutable {
                            on_anchor_answer(answer, std::move(reply));
                        });
                    });
}

void Daemon::on_anchor_answer(const resolve::Answer& answer, std::optional<net::LateReply> reply) {
    const int64_t now = clock_.now();
    const bool changed = anchor_refresher_->apply(answer, now);
    if (auto saved = anchor_refresher_->save(); !saved)
        spdlog::error("trust-anchor-state: {}", saved.error().message);
    anchor_refresher_->log_warnings(now);
    if (changed) apply_tracked_anchors();
    if (config_.anchor_tracking.signaling) signal_trusted_keys();
    if (reply) (*reply)(anchor_refresher_->status_text(now));
}

void Daemon::signal_trusted_keys() {
    ++anchor_signals_;
    spdlog::debug("trust anchor signal (RFC 8145): {}", anchor_refresher_->signal_name().to_text());
    service_->trace(anchor_refresher_->signal_question(), true, [](server::TraceReport) {});
}

void Daemon::apply_tracked_anchors() {
    config::Config config = config_;
    config.resolver.dnssec.anchors =
        anchor_refresher_->with_tracked(config_.resolver.dnssec.anchors);
    auto dnstap = open_dnstap(config, server::service_settings(config.server, 0).threads);
    if (!dnstap) {
        spdlog::error("trust anchor change not applied: {}", dnstap.error().message);
        return;
    }
    auto service = make_service(config, hints_, caches_, *dnstap);
    if (auto started = service->start(); !started) {
        spdlog::error("trust anchor change not applied: {}", started.error().message);
        return;
    }
    service_->stop();
    server::add_figures(retired_, server::counters_of(service_->figures()));
    service_ = std::move(service);
    dnstap_ = std::move(*dnstap);
    config_ = std::move(config);
    spdlog::warn("trust anchor {} changed: validating from key tags {} (workers rebuilt)",
                 anchor_refresher_->tracker().zone().to_text(),
                 fmt::join(anchor_refresher_->tracker().trusted_tags(), " "));
}

net::ControlReply Daemon::trust_anchors_command(std::span<const std::string_view> args) {
    if (!anchor_refresher_)
        return {"error: the root trust anchor is not tracked (trust-anchor-tracking)", {}, {}};
    if (args.empty()) return {anchor_refresher_->status_text(clock_.now()), {}, {}};
    if (args.size() != 1 || args[0] != "refresh")
        return {"error: usage: trust-anchors [refresh]", {}, {}};
    net::ControlReply late;
    late.later = [this](net::LateReply answer) { refresh_anchor(std::move(answer)); };
    return late;
}

}  // namespace cairn::daemon
