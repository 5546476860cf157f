#include "net/upstream_transport.h"

#include <algorithm>
#include <utility>

#include "net/qname_case.h"

namespace cairn::net {
namespace {

using resolve::UpstreamQuery;
using resolve::UpstreamReply;
using resolve::UpstreamStatus;
using Clock = std::chrono::steady_clock;

UpstreamReply to_reply(UpstreamAttempt attempt, const UpstreamQuery& query,
                       const ExpectedReply& expected, bool via_tcp) {
    UpstreamReply reply;
    reply.status = attempt.status;
    reply.message = std::move(attempt.message);
    if (reply.status == UpstreamStatus::kOk)
        restore_case(reply.message, expected.question.name, query.question.name);
    reply.rtt = attempt.rtt;
    reply.via_tcp = via_tcp;
    return reply;
}

}  // namespace

struct UpstreamTransport::Plan {
    std::optional<wire::IpAddress> source;
    bool use_0x20 = false;
    bool cookies = false;
    std::optional<cache::ServerCookie> cookie;  // the server's, as last learnt

    CookieOffer offer(const CookieSecret& secret) const {
        return CookieOffer{cookies ? &secret : nullptr, cookie};
    }
};

UpstreamTransport::UpstreamTransport(asio::io_context& io, cache::InfraCache& infra,
                                     UpstreamMetrics& metrics, UpstreamSettings settings,
                                     observe::DnstapRecorder* dnstap)
    : io_(io),
      infra_(infra),
      metrics_(metrics),
      settings_(std::move(settings)),
      dnstap_(dnstap && dnstap->wants_resolver() ? dnstap : nullptr),
      dot_(io, settings_.tls_ca_file, metrics) {}

UpstreamTransport::Plan UpstreamTransport::plan(const UpstreamQuery& query) {
    Plan plan;
    // A source address of the server's family, picked at random.
    std::vector<const wire::IpAddress*> candidates;
    for (const auto& address : settings_.outgoing)
        if (address.is_v4() == query.server.address.is_v4()) candidates.push_back(&address);
    if (!candidates.empty())
        plan.source = *candidates[random_.below(static_cast<uint32_t>(candidates.size()))];
    const auto hygiene = infra_.hygiene(query.server.address, Clock::now());
    plan.use_0x20 = settings_.options.qname_case_randomisation && hygiene.preserves_case;
    plan.cookies = settings_.options.cookies;
    plan.cookie = hygiene.cookie;
    return plan;
}

ExpectedReply UpstreamTransport::expect(const UpstreamQuery& query, const Plan& plan) {
    ExpectedReply expected;
    // RFC 5452 §9.2: an ID an off-path attacker cannot predict.
    expected.id = random_.u16();
    expected.question = query.question;
    if (plan.use_0x20) {
        expected.question.name = randomise_case(query.question.name, random_);
        expected.exact_case = true;
    } else if (settings_.options.qname_case_randomisation) {
        // A server known not to preserve case.
        expected.question.name = query.question.name.lowercased();
    }
    return expected;
}

void UpstreamTransport::learn_cookie(const wire::IpAddress& server, Plan& plan,
                                     const UpstreamAttempt& attempt, bool via_tcp) {
    if (!attempt.client_cookie || attempt.status != UpstreamStatus::kOk) return;
    const auto echo = cookie_echo(attempt.message, *attempt.client_cookie);
    const auto now = Clock::now();
    if (echo.kind == CookieEcho::kValid) {
        cache::ServerCookie learnt;
        if (echo.server.empty() || echo.server.size() > learnt.server.size()) return;
        learnt.client = *attempt.client_cookie;
        std::copy(echo.server.begin(), echo.server.end(), learnt.server.begin());
        learnt.server_length = static_cast<uint8_t>(echo.server.size());
        if (plan.cookie == learnt) return;
        infra_.set_cookie(server, learnt, now);
        plan.cookie = learnt;
        return;
    }
    // Over TCP nobody but the server answers: without our cookie, it has
    // stopped using them (over UDP such a reply never gets here).
    if (via_tcp && plan.cookie) {
        infra_.forget_cookie(server, now);
        plan.cookie.reset();
        count_shared(metrics_.cookies_forgotten);
    }
}

asio::awaitable<std::pair<UpstreamAttempt, ExpectedReply>> UpstreamTransport::over_udp(
    const UpstreamQuery& query, Plan& plan) {
    for (bool retried = false;; retried = true) {
        const auto expected = expect(query, plan);
        const NearMisses near_misses{settings_.options.spoof_nearmiss_max};
        UpstreamAttempt udp = co_await with_timeout(
            udp_attempt(io_, query, expected, plan.source, plan.offer(settings_.cookie_secret),
                        near_misses, metrics_, UpstreamTap(dnstap_)),
            query.timeout);
        if (udp.next != AttemptNext::kDone || udp.status != UpstreamStatus::kOk)
            co_return std::pair{std::move(udp), expected};
        learn_cookie(query.server.address, plan, udp, false);
        if (udp.message.rcode() != wire::Rcode::BADCOOKIE || !udp.client_cookie)
            co_return std::pair{std::move(udp), expected};
        // RFC 7873 §5.3: once more, with the new server cookie it sent; if
        // that is refused too, over TCP.
        if (retried) {
            udp.next = AttemptNext::kTcpUnverified;
            co_return std::pair{std::move(udp), expected};
        }
        count_shared(metrics_.badcookie_retries);
    }
}

asio::awaitable<UpstreamReply> UpstreamTransport::exchange(UpstreamQuery query) {
    if (query.timeout.count() <= 0)
        co_return to_reply(failed(UpstreamStatus::kTimeout), query, {}, false);
    if (!query.tls_name.empty()) co_return co_await over_tls(query);
    Plan p = plan(query);

    std::optional<std::chrono::microseconds> udp_rtt;
    if (!query.force_tcp) {
        auto [udp, expected] = co_await over_udp(query, p);
        switch (udp.next) {
            case AttemptNext::kDone:
                co_return timed(to_reply(std::move(udp), query, expected, false));
            case AttemptNext::kTcpTruncated: udp_rtt = udp.rtt; break;
            case AttemptNext::kTcpSuspicious: count_shared(metrics_.spoof_tcp_retries); break;
            case AttemptNext::kTcpUnverified: break;
        }
    }
    const auto expected = expect(query, p);
    UpstreamAttempt tcp = co_await with_timeout(
        tcp_attempt(io_, query, expected, p.source, p.offer(settings_.cookie_secret), metrics_,
                    UpstreamTap(dnstap_)),
        query.timeout);
    learn_cookie(query.server.address, p, tcp, true);
    if (tcp.case_blind) {
        infra_.mark_case_blind(query.server.address, Clock::now());
        count_shared(metrics_.case_blind_servers);
    }
    // The server's round trip is best measured by the datagram it answered;
    // a TCP exchange adds the handshake.
    if (udp_rtt && tcp.status == UpstreamStatus::kOk) tcp.rtt = *udp_rtt;
    co_return timed(to_reply(std::move(tcp), query, expected, true));
}

asio::awaitable<UpstreamReply> UpstreamTransport::over_tls(const UpstreamQuery& query) {
    const auto expected = expect(query, plan(query));
    auto attempt = co_await with_timeout(dot_.exchange(query, expected), query.timeout);
    co_return timed(to_reply(std::move(attempt), query, expected, true));
}

UpstreamReply UpstreamTransport::timed(UpstreamReply reply) {
    if (reply.status == UpstreamStatus::kOk) rtt_.record(reply.rtt);
    return reply;
}

}  // namespace cairn::net
