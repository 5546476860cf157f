// RpzFeeds against a scripted primary: AXFR at start, then on a NOTIFY
// (refresh()) an SOA query and IXFR applied to the version held, or AXFR
// when the differences do not apply; a primary that fails keeps the policy.
#include "server/rpz_feeds.h"

#include <gtest/gtest.h>

#include <chrono>

#include "support/scripted_primary.h"
#include "wire/zone_reader.h"

namespace cairn::server {
namespace {

using test::answer_message;
using wire::Record;
using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

const wire::Name kZone = name("rpz.test.");

Record soa(uint32_t serial) {
    return *wire::parse_record(
        "@ 60 IN SOA ns.rpz.test. admin.rpz.test. " + std::to_string(serial) + " 3600 600 86400 30",
        kZone);
}

Record rr(std::string_view text) {
    return *wire::parse_record(text, kZone, 60);
}

struct Feeds {
    asio::io_context io;
    std::vector<std::shared_ptr<const RpzPolicy>> published;
    RpzFeeds feeds{io, [this](std::shared_ptr<const RpzPolicy> p) { published.push_back(p); }};

    // Runs the loop until `done` (or a generous bound of idle turns).
    template <class Done>
    bool run_until(Done done) {
        for (int i = 0; i < 3000 && !done(); ++i)
            io.run_one_for(std::chrono::milliseconds(10));
        return done();
    }
    const policy::RpzSet* set() const {
        return published.empty() || !published.back() ? nullptr : &published.back()->set;
    }
    uint32_t serial() const {
        const auto* s = set();
        return s && !s->empty() ? s->zone(0).serial() : 0;
    }
};

policy::RpzOptions options_for(const wire::SocketAddress& primary) {
    policy::RpzOptions options;
    policy::RpzZoneOptions zone;
    zone.name = kZone;
    zone.primaries = {primary};
    options.zones.push_back(zone);
    return options;
}

std::vector<Record> version_one() {
    return {soa(1), rr("@ NS ns.rpz.test."), rr("bad.example CNAME ."), soa(1)};
}

TEST(RpzFeeds, AxfrAtStartThenIxfrAfterNotify) {
    Feeds f;
    uint32_t serial = 1;
    std::vector<RRType> asked;
    test::ScriptedPrimary primary(
        f.io,
        [&](const wire::Message& q) {
            asked.push_back(q.questions.at(0).type);
            if (q.questions[0].type == RRType::AXFR)
                return std::vector<wire::Message>{answer_message(q, version_one())};
            return std::vector<wire::Message>{
                answer_message(q, {soa(2), soa(1), rr("bad.example CNAME ."), soa(2),
                                   rr("worse.example CNAME *."), soa(2)})};
        },
        [&](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(serial)})};
        });
    f.feeds.configure(options_for(primary.address()));
    ASSERT_TRUE(f.run_until([&] { return f.serial() == 1; }));
    EXPECT_NE(f.set()->zone(0).match_qname(name("bad.example.")), nullptr);
    ASSERT_EQ(f.published.back()->notifiable.size(), 1u);
    EXPECT_TRUE(f.published.back()->may_notify(kZone, primary.address().address));
    EXPECT_FALSE(f.published.back()->may_notify(kZone, *wire::IpAddress::parse("127.0.0.2")));

    serial = 2;
    f.feeds.refresh(kZone);
    ASSERT_TRUE(f.run_until([&] { return f.serial() == 2; }));
    EXPECT_EQ(asked, (std::vector<RRType>{RRType::AXFR, RRType::IXFR}));
    EXPECT_EQ(f.set()->zone(0).match_qname(name("bad.example.")), nullptr);
    ASSERT_NE(f.set()->zone(0).match_qname(name("worse.example.")), nullptr);
    Stats stats;
    f.feeds.append_stats(stats);
    const auto loads = std::find_if(stats.begin(), stats.end(),
                                    [](const Stat& s) { return s.name == "rpz.loads.rpz.test."; });
    ASSERT_NE(loads, stats.end());
    EXPECT_EQ(loads->value, 2u);
    primary.stop();
}

TEST(RpzFeeds, DiffsThatDoNotApplyAreFollowedByAxfr) {
    Feeds f;
    uint32_t serial = 1;
    std::vector<RRType> asked;
    test::ScriptedPrimary primary(
        f.io,
        [&](const wire::Message& q) {
            asked.push_back(q.questions.at(0).type);
            if (q.questions[0].type == RRType::IXFR)
                return std::vector<wire::Message>{answer_message(
                    q, {soa(2), soa(1), rr("absent.example CNAME ."), soa(2), soa(2)})};
            if (serial == 1) return std::vector<wire::Message>{answer_message(q, version_one())};
            return std::vector<wire::Message>{
                answer_message(q, {soa(2), rr("other.example CNAME rpz-drop."), soa(2)})};
        },
        [&](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, {soa(serial)})};
        });
    f.feeds.configure(options_for(primary.address()));
    ASSERT_TRUE(f.run_until([&] { return f.serial() == 1; }));
    serial = 2;
    f.feeds.refresh(kZone);
    ASSERT_TRUE(f.run_until([&] { return f.serial() == 2; }));
    EXPECT_EQ(asked, (std::vector<RRType>{RRType::AXFR, RRType::IXFR, RRType::AXFR}));
    EXPECT_NE(f.set()->zone(0).match_qname(name("other.example.")), nullptr);
    primary.stop();
}

TEST(RpzFeeds, AFailedRefreshKeepsThePolicy) {
    Feeds f;
    bool up = true;
    test::ScriptedPrimary primary(
        f.io,
        [&](const wire::Message& q) {
            return std::vector<wire::Message>{answer_message(q, version_one())};
        },
        [&](const wire::Message& q) {
            if (!up) {
                auto refused = answer_message(q, {});
                refused.set_rcode(wire::Rcode::REFUSED);
                return std::vector<wire::Message>{refused};
            }
            return std::vector<wire::Message>{answer_message(q, {soa(1)})};
        });
    f.feeds.configure(options_for(primary.address()));
    ASSERT_TRUE(f.run_until([&] { return f.serial() == 1; }));
    const size_t versions = f.published.size();
    up = false;
    f.feeds.refresh(kZone);
    auto failures = [&] {
        Stats stats;
        f.feeds.append_stats(stats);
        for (const auto& s : stats)
            if (s.name == "rpz.load_failures.rpz.test.") return s.value;
        return uint64_t{0};
    };
    ASSERT_TRUE(f.run_until([&] { return failures() == 1; }));
    EXPECT_EQ(f.published.size(), versions);
    EXPECT_EQ(f.feeds.current()->set.zone(0).serial(), 1u);
    primary.stop();
}

}  // namespace
}  // namespace cairn::server
