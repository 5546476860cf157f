#include "server/local_root_updater.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cstdio>
#include <fstream>

#include "net/zone_transfer.h"
#include "observe/log_limit.h"
#include "wire/zone_reader.h"

namespace cairn::server {

namespace {

using policy::RootFailure;

// Without a copy's SOA to say how long: how soon a failed first transfer
// is tried again.
constexpr int64_t kFirstRetry = 60;
constexpr std::chrono::milliseconds kSoaTimeout{5'000};

observe::LogLimit failure_log(10);

}  // namespace

struct LocalRootUpdater::State {
    State(asio::io_context& io, std::shared_ptr<policy::LocalRoot> r, policy::LocalRootOptions o,
          dnssec::TrustAnchors a, const cache::Clock& c)
        : root(std::move(r)), options(std::move(o)), anchors(std::move(a)), clock(c), timer(io) {}

    std::shared_ptr<policy::LocalRoot> root;
    const policy::LocalRootOptions options;
    const dnssec::TrustAnchors anchors;
    const cache::Clock& clock;
    asio::steady_timer timer;
    bool stopped = false;
    // The serial of the copy that was last in use, to say when it is lost.
    std::optional<uint32_t> in_use;

    asio::awaitable<void> run(std::shared_ptr<State> self);
    void load_file();
    void save_file(const std::vector<wire::Record>& records) const;
    void drop_if_expired();
    // One round; the seconds until the next.
    asio::awaitable<int64_t> update();
    // A newer serial than `serial` at some source, or none answered.
    asio::awaitable<bool> newer_at_sources(uint32_t serial);
    asio::awaitable<bool> transfer();
    void refused(RootFailure kind, const std::string& source, const std::string& why);
    std::string fallback_text() const;
};

LocalRootUpdater::LocalRootUpdater(asio::io_context& io, std::shared_ptr<policy::LocalRoot> root,
                                   policy::LocalRootOptions options, dnssec::TrustAnchors anchors,
                                   const cache::Clock& clock)
    : state_(std::make_shared<State>(io, std::move(root), std::move(options), std::move(anchors),
                                     clock)) {}

LocalRootUpdater::~LocalRootUpdater() {
    state_->stopped = true;
    state_->timer.cancel();
}

void LocalRootUpdater::start() {
    asio::co_spawn(state_->timer.get_executor(), state_->run(state_), asio::detached);
}

asio::awaitable<void> LocalRootUpdater::State::run(std::shared_ptr<State> self) {
    if (!options.file.empty()) load_file();
    if (!root->current(clock.now()))
        spdlog::info("local root: no copy yet; asking the root servers until one is in");
    while (!stopped) {
        const int64_t wait = co_await update();
        if (stopped) break;
        drop_if_expired();
        const int64_t now = clock.now();
        int64_t next = now + std::max<int64_t>(1, wait);
        if (const auto copy = root->current(now)) {
            const auto stats = root->stats(now);
            const int64_t expires =
                std::min<int64_t>(now - stats.age + copy->expire, copy->signatures_expire);
            next = std::min(next, expires);
        }
        timer.expires_after(std::chrono::seconds(std::max<int64_t>(1, next - now)));
        asio::error_code ignored;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        drop_if_expired();
    }
    (void)self;  // kept alive until the loop ends
}

asio::awaitable<int64_t> LocalRootUpdater::State::update() {
    const auto copy = root->current(clock.now());
    if (copy && !co_await newer_at_sources(copy->serial)) co_return copy->refresh;
    if (stopped) co_return 0;
    if (co_await transfer()) co_return root->current(clock.now())->refresh;
    const auto held = root->current(clock.now());
    co_return held ? held->retry : kFirstRetry;
}

asio::awaitable<bool> LocalRootUpdater::State::newer_at_sources(uint32_t serial) {
    for (const auto& source : options.sources) {
        auto soa = co_await net::query_soa(wire::Name::root(), source, std::nullopt, kSoaTimeout);
        if (stopped) co_return false;
        if (!soa) {
            spdlog::debug("local root: SOA from {}: {}", source.to_string(), soa.error().message);
            continue;
        }
        const auto theirs = net::soa_serial(*soa);
        if (theirs && net::serial_newer(*theirs, serial)) co_return true;
        root->refreshed(clock.now());
        co_return false;
    }
    co_return true;  // no source answered: try a transfer, which says why
}

asio::awaitable<bool> LocalRootUpdater::State::transfer() {
    for (const auto& source : options.sources) {
        net::TransferRequest request{wire::Name::root(), source, std::nullopt, std::nullopt, {}};
        auto zone = co_await net::transfer_zone(std::move(request));
        if (stopped) co_return false;
        if (!zone) {
            refused(RootFailure::kTransfer, source.to_string(), zone.error().message);
            continue;
        }
        const int64_t now = clock.now();
        auto accepted = policy::accept_root_zone(zone->records, anchors, now);
        if (!accepted) {
            refused(accepted.error().kind, source.to_string(), accepted.error().why);
            continue;
        }
        const uint32_t serial = (*accepted)->serial;
        const size_t records = (*accepted)->records;
        root->install(std::move(*accepted), now);
        in_use = serial;
        spdlog::info(
            "local root: serial {} from {} ({} records; keys, ZONEMD signature and digest "
            "verified)",
            serial, source.to_string(), records);
        if (!options.file.empty()) save_file(zone->records);
        co_return true;
    }
    co_return false;
}

void LocalRootUpdater::State::refused(RootFailure kind, const std::string& source,
                                      const std::string& why) {
    root->count_failure(kind);
    if (auto held = failure_log.admit())
        spdlog::warn("local root: {} from {}: {}; {}{}",
                     kind == RootFailure::kTransfer ? "transfer failed" : "copy refused", source,
                     why, fallback_text(), observe::held_back(*held));
}

std::string LocalRootUpdater::State::fallback_text() const {
    if (const auto copy = root->current(clock.now()))
        return "keeping serial " + std::to_string(copy->serial);
    return "asking the root servers";
}

void LocalRootUpdater::State::drop_if_expired() {
    if (!in_use || root->current(clock.now())) return;
    root->drop();
    root->count_failure(RootFailure::kExpired);
    spdlog::warn(
        "local root: serial {} expired (not refreshed within SOA expire, or signatures "
        "expired); asking the root servers",
        *in_use);
    in_use.reset();
}

void LocalRootUpdater::State::load_file() {
    struct stat st {};
    if (::stat(options.file.c_str(), &st) != 0) return;  // none kept yet
    auto records = wire::read_zone_file(options.file, wire::Name::root());
    if (!records) {
        spdlog::warn("local root: {}: {}", options.file, records.error().message);
        return;
    }
    auto accepted = policy::accept_root_zone(*records, anchors, clock.now());
    if (!accepted) {
        refused(accepted.error().kind, options.file, accepted.error().why);
        return;
    }
    const uint32_t serial = (*accepted)->serial;
    root->install(std::move(*accepted), st.st_mtime);
    if (!root->current(clock.now())) {
        spdlog::info("local root: {} holds serial {}, past its SOA expire", options.file, serial);
        root->drop();
        return;
    }
    in_use = serial;
    spdlog::info("local root: serial {} from {}", serial, options.file);
}

void LocalRootUpdater::State::save_file(const std::vector<wire::Record>& records) const {
    const std::string temporary = options.file + ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        for (const auto& r : records)
            out << r.to_text() << '\n';
        if (!out.flush()) {
            spdlog::warn("local root: cannot write {}", temporary);
            return;
        }
    }
    if (std::rename(temporary.c_str(), options.file.c_str()) != 0)
        spdlog::warn("local root: cannot replace {}", options.file);
}

void append_local_root_stats(Stats& out, const policy::LocalRoot& root, int64_t now) {
    static constexpr std::array<std::string_view, policy::kRootFailureKinds> kFailureHelp = {
        "Root zone transfers that failed (no zone from a source).",
        "Root zone copies refused: not a root zone (no single SOA, no DNSKEY).",
        "Root zone copies refused: DNSKEY RRset not proven by the root trust anchor.",
        "Root zone copies refused: no valid RRSIG over the ZONEMD RRset.",
        "Root zone copies refused: ZONEMD absent, unusable or not matching the zone.",
        "Root zone copies dropped past SOA expire or signature expiry.",
    };
    const auto s = root.stats(now);
    out.push_back({"local_root.loaded", s.loaded ? 1u : 0u, true,
                   "1 while a verified copy of the root zone is in use (RFC 8806)."});
    out.push_back(
        {"local_root.serial", s.serial, true, "SOA serial of the root zone copy in use."});
    out.push_back({"local_root.age_seconds", static_cast<uint64_t>(std::max<int64_t>(0, s.age)),
                   true, "Seconds since the root zone copy was transferred or last refreshed."});
    out.push_back({"local_root.answers", s.answers, false,
                   "Questions for the root servers answered from the local root copy."});
    out.push_back({"local_root.fallbacks", s.fallbacks, false,
                   "Questions for the root servers asked of them: no valid local copy."});
    for (size_t i = 0; i < policy::kRootFailureKinds; ++i)
        out.push_back(
            {"local_root.failures." + std::string(policy::to_string(static_cast<RootFailure>(i))),
             s.failures[i], false, kFailureHelp[i]});
}

}  // namespace cairn::server
