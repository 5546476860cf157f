// Where the policy zones come from and how they stay current: a zone file,
// read at start and on every reload, or primaries, transferred from at start
// (AXFR) and then kept current by the SOA timers (RFC 1034 §4.3.5: an SOA
// query every `refresh`, every `retry` after a failure, IXFR or AXFR when the
// serial is newer) and by NOTIFY (RFC 1996). Everything here runs on the
// daemon's main event loop, never on a worker.
//
// A zone that fails to load (a bad file, a failed transfer, a zone without
// SOA) keeps its previous version, with a warning (rate-limited) and a
// count; a primary that stays away past the SOA's expire keeps it too: a
// policy that vanished silently would unblock what the operator blocked.
// Each new version of any zone makes a new RpzPolicy for the workers.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "policy/rpz_options.h"
#include "server/rpz_policy.h"
#include "server/stats.h"

namespace cairn::server {

class RpzFeeds {
public:
    // `publish` gets each new policy (on the main loop); null policy: none.
    using Publish = std::function<void(std::shared_ptr<const RpzPolicy>)>;

    RpzFeeds(asio::io_context& io, Publish publish);
    ~RpzFeeds();
    RpzFeeds(const RpzFeeds&) = delete;
    RpzFeeds& operator=(const RpzFeeds&) = delete;

    // Takes the (new) configuration: zone files are read (again), zones new
    // to it start transferring, zones whose primaries are unchanged keep
    // their version and timers, zones no longer listed go. Publishes.
    void configure(const policy::RpzOptions& options);

    // A NOTIFY for `zone` was accepted: check its primaries now.
    void refresh(const wire::Name& zone);

    // The policy now in force (null without policy zones).
    std::shared_ptr<const RpzPolicy> current() const { return current_; }

    // rpz.hits.<trigger>.<action>.<zone>, rpz.disabled_hits.<zone>, and
    // per zone its serial, rules, loads and failed loads.
    void append_stats(Stats& out) const;

private:
    struct Feed;
    asio::awaitable<void> follow(std::shared_ptr<Feed> feed);
    asio::awaitable<bool> update(Feed& feed);
    asio::awaitable<bool> update_from(Feed& feed, const wire::SocketAddress& primary);
    bool load_file(Feed& feed);
    // Builds the zone from `records` and makes it the feed's version.
    bool install(Feed& feed, std::vector<wire::Record> records, const std::string& source);
    void publish();

    asio::io_context& io_;
    Publish publish_;
    bool break_dnssec_ = false;
    bool configuring_ = false;
    std::vector<std::shared_ptr<Feed>> feeds_;
    std::shared_ptr<const RpzPolicy> current_;
};

}  // namespace cairn::server
