#include "server/rpz_feeds.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

#include "net/zone_transfer.h"
#include "observe/log_limit.h"
#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::server {
namespace {

using policy::RpzOverride;
constexpr auto kNoThrow = asio::experimental::as_tuple(asio::use_awaitable);

observe::LogLimit g_load_log(20);

RpzOverride override_of(const std::string& word) {
    if (word == "disabled") return RpzOverride::kDisabled;
    if (word == "passthru") return RpzOverride::kPassthru;
    if (word == "nxdomain") return RpzOverride::kNxdomain;
    if (word == "nodata") return RpzOverride::kNodata;
    if (word == "drop") return RpzOverride::kDrop;
    if (word == "tcp-only") return RpzOverride::kTcpOnly;
    if (word == "cname") return RpzOverride::kCname;
    return RpzOverride::kGiven;
}

wire::ExtendedErrorCode ede_of(const std::string& word) {
    if (word == "censored") return wire::ExtendedErrorCode::kCensored;
    if (word == "filtered") return wire::ExtendedErrorCode::kFiltered;
    return wire::ExtendedErrorCode::kBlocked;
}

policy::RpzZoneSettings settings_of(const policy::RpzZoneOptions& options) {
    policy::RpzZoneSettings settings;
    settings.name = options.name;
    settings.override = override_of(options.policy);
    settings.override_cname = options.cname;
    settings.ede = ede_of(options.ede);
    settings.log = options.log;
    return settings;
}

void warn_limited(const std::string& message) {
    if (const auto held = g_load_log.admit())
        spdlog::warn("rpz: {}{}", message, observe::held_back(*held));
}

// The wait before the next SOA check: the SOA's refresh (or retry after a
// failure), never shorter than min-refresh; min-refresh until there is one.
std::chrono::seconds next_wait(const policy::RpzZone* zone, bool ok, uint32_t min_refresh) {
    uint32_t wait = min_refresh;
    if (zone) {
        if (const auto soa = wire::SoaData::from(zone->soa().rdata))
            wait = std::max(min_refresh, ok ? soa->refresh : soa->retry);
    }
    return std::chrono::seconds(wait);
}

}  // namespace

struct RpzFeeds::Feed {
    Feed(asio::io_context& io, policy::RpzZoneOptions zone_options)
        : options(std::move(zone_options)), timer(io) {}

    policy::RpzZoneOptions options;
    std::shared_ptr<RpzZoneCounters> counters = std::make_shared<RpzZoneCounters>();
    std::shared_ptr<const policy::RpzZone> zone;
    // The current version's records, for IXFR and for a change of settings.
    std::vector<wire::Record> records;
    asio::steady_timer timer;
    bool notified = false;
    bool stopped = false;
    uint64_t loads = 0;
    uint64_t failures = 0;

    bool transferred() const { return !options.primaries.empty(); }
    bool same_source(const policy::RpzZoneOptions& other) const {
        return options.name == other.name && options.file == other.file &&
               options.primaries == other.primaries;
    }
};

RpzFeeds::RpzFeeds(asio::io_context& io, Publish publish) : io_(io), publish_(std::move(publish)) {}

RpzFeeds::~RpzFeeds() {
    for (auto& feed : feeds_) {
        feed->stopped = true;
        feed->timer.cancel();
    }
}

void RpzFeeds::configure(const policy::RpzOptions& options) {
    break_dnssec_ = options.break_dnssec;
    // One policy at the end, not one per zone loaded on the way.
    configuring_ = true;
    std::vector<std::shared_ptr<Feed>> next;
    for (const auto& zone_options : options.zones) {
        std::shared_ptr<Feed> feed;
        for (auto& old : feeds_)
            if (old && !feed && old->same_source(zone_options)) feed = std::exchange(old, nullptr);
        const bool fresh = !feed;
        if (fresh) feed = std::make_shared<Feed>(io_, zone_options);
        // Counters stay with the zone's name even when its source changes.
        for (const auto& old : feeds_)
            if (old && fresh && old->options.name == zone_options.name)
                feed->counters = old->counters;
        const bool settings_changed = !(feed->options == zone_options);
        feed->options = zone_options;
        if (!feed->transferred())
            load_file(*feed);
        else if (fresh)
            asio::co_spawn(io_, follow(feed), asio::detached);
        else if (settings_changed && feed->zone)
            install(*feed, feed->records, "new settings");
        next.push_back(std::move(feed));
    }
    for (auto& old : feeds_) {
        if (!old) continue;
        old->stopped = true;
        old->timer.cancel();
    }
    feeds_ = std::move(next);
    configuring_ = false;
    publish();
}

bool RpzFeeds::load_file(Feed& feed) {
    auto records = wire::read_zone_file(feed.options.file, feed.options.name);
    if (!records) {
        ++feed.failures;
        warn_limited("policy zone " + feed.options.name.to_text() + ": " + records.error().message +
                     (feed.zone ? "; keeping serial " + std::to_string(feed.zone->serial())
                                : "; not in force"));
        return false;
    }
    return install(feed, std::move(*records), feed.options.file);
}

bool RpzFeeds::install(Feed& feed, std::vector<wire::Record> records, const std::string& source) {
    const std::string name = feed.options.name.to_text();
    auto built = policy::RpzZone::build(settings_of(feed.options), records);
    if (!built) {
        ++feed.failures;
        warn_limited(built.error().message + " (from " + source + ")" +
                     (feed.zone ? "; keeping serial " + std::to_string(feed.zone->serial())
                                : "; not in force"));
        return false;
    }
    for (const auto& problem : built->problems)
        warn_limited("policy zone " + name + ": rule ignored: " + problem);
    ++feed.loads;
    feed.zone = std::move(built->zone);
    if (feed.transferred()) feed.records = std::move(records);
    spdlog::info("rpz: policy zone {} serial {} loaded from {}: {} rules", name,
                 feed.zone->serial(), source, feed.zone->rule_count());
    if (!configuring_) publish();
    return true;
}

void RpzFeeds::refresh(const wire::Name& zone) {
    for (auto& feed : feeds_) {
        if (!(feed->options.name == zone) || !feed->transferred()) continue;
        feed->notified = true;
        feed->timer.cancel();
    }
}

asio::awaitable<void> RpzFeeds::follow(std::shared_ptr<Feed> feed) {
    while (!feed->stopped) {
        const bool ok = co_await update(*feed);
        if (feed->stopped) co_return;
        if (!feed->notified) {
            feed->timer.expires_after(next_wait(feed->zone.get(), ok, feed->options.min_refresh));
            co_await feed->timer.async_wait(kNoThrow);
        }
        feed->notified = false;
    }
}

asio::awaitable<bool> RpzFeeds::update(Feed& feed) {
    for (const auto& primary : feed.options.primaries) {
        if (co_await update_from(feed, primary)) co_return true;
        if (feed.stopped) co_return false;
    }
    ++feed.failures;
    co_return false;
}

asio::awaitable<bool> RpzFeeds::update_from(Feed& feed, const wire::SocketAddress& primary) {
    const std::string name = feed.options.name.to_text();
    const std::string keeping =
        feed.zone ? "; keeping serial " + std::to_string(feed.zone->serial()) : "; not in force";
    if (feed.zone) {
        auto soa = co_await net::query_soa(feed.options.name, primary);
        if (!soa) {
            warn_limited(soa.error().message + keeping);
            co_return false;
        }
        const auto serial = net::soa_serial(*soa);
        if (!serial || !net::serial_newer(*serial, feed.zone->serial())) co_return true;
    }
    net::TransferRequest request{feed.options.name, primary, std::nullopt, std::nullopt, {}};
    if (feed.zone) request.have_soa = feed.zone->soa();
    auto transfer = co_await net::transfer_zone(request);
    if (feed.stopped) co_return false;
    if (!transfer) {
        warn_limited(transfer.error().message + keeping);
        co_return false;
    }
    const std::string source = primary.to_string();
    switch (transfer->kind) {
        case net::ZoneTransfer::Kind::kUpToDate: co_return true;
        case net::ZoneTransfer::Kind::kFull: {
            // An IXFR may be answered with the whole zone (RFC 1995 §4).
            const bool asked_ixfr = request.have_soa && !transfer->fell_back_to_axfr;
            co_return install(feed, std::move(transfer->records),
                              (asked_ixfr ? "IXFR (whole zone) from " : "AXFR from ") + source);
        }
        case net::ZoneTransfer::Kind::kIncremental: break;
    }
    auto applied = net::apply_diffs(feed.records, transfer->diffs);
    if (applied) co_return install(feed, std::move(*applied), "IXFR from " + source);
    warn_limited("IXFR of " + name + " from " + source + ": " + applied.error().message +
                 "; asking for the whole zone");
    request.have_soa.reset();
    auto full = co_await net::transfer_zone(request);
    if (feed.stopped) co_return false;
    if (!full) {
        warn_limited(full.error().message + keeping);
        co_return false;
    }
    co_return install(feed, std::move(full->records), "AXFR from " + source);
}

void RpzFeeds::publish() {
    std::vector<std::shared_ptr<const policy::RpzZone>> zones;
    auto policy = std::make_shared<RpzPolicy>();
    for (const auto& feed : feeds_) {
        if (feed->transferred()) {
            auto allowed = feed->options.allow_notify;
            if (allowed.empty())
                for (const auto& primary : feed->options.primaries)
                    allowed.push_back(wire::IpPrefix(primary.address, 128));
            policy->notifiable.push_back({feed->options.name, std::move(allowed)});
        }
        if (!feed->zone) continue;
        zones.push_back(feed->zone);
        policy->counters.push_back(feed->counters);
    }
    if (feeds_.empty()) {
        current_ = nullptr;
        publish_(nullptr);
        return;
    }
    policy->set = policy::RpzSet(std::move(zones));
    policy->break_dnssec = break_dnssec_;
    policy->refresh = [this, &io = io_](const wire::Name& zone) {
        asio::post(io, [this, zone] { refresh(zone); });
    };
    current_ = policy;
    publish_(current_);
}

void RpzFeeds::append_stats(Stats& out) const {
    for (const auto& feed : feeds_) {
        const std::string zone = feed->options.name.to_text();
        for (size_t t = 0; t < policy::kRpzTriggerCount; ++t)
            for (size_t a = 0; a < policy::kRpzActionCount; ++a) {
                const uint64_t hits = feed->counters->hits[t][a].load(std::memory_order_relaxed);
                if (hits == 0) continue;
                out.push_back({"rpz.hits." +
                                   std::string(to_string(static_cast<policy::RpzTrigger>(t))) +
                                   "." + std::string(to_string(static_cast<policy::RpzAction>(a))) +
                                   "." + zone,
                               hits, false, "Queries a policy zone's rule applied to."});
            }
        out.push_back({"rpz.disabled_hits." + zone,
                       feed->counters->disabled_hits.load(std::memory_order_relaxed), false,
                       "Hits in a policy zone whose policy is disabled (logged, not applied)."});
        out.push_back({"rpz.serial." + zone, feed->zone ? feed->zone->serial() : 0, true,
                       "The serial of the policy zone in force (0: none loaded)."});
        out.push_back({"rpz.rules." + zone, feed->zone ? feed->zone->rule_count() : 0, true,
                       "Rules in the policy zone in force."});
        out.push_back({"rpz.loads." + zone, feed->loads, false,
                       "Versions of the policy zone loaded (file, AXFR or IXFR)."});
        out.push_back({"rpz.load_failures." + zone, feed->failures, false,
                       "Failed loads or transfers of the policy zone (the previous version "
                       "stays)."});
    }
}

}  // namespace cairn::server
