#include "server/query_pipeline.h"

#include <spdlog/spdlog.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <random>

#include "server/opt_option_append.h"
#include "server/trace_report.h"
#include "wire/message.h"

namespace cairn::server {

namespace {

using wire::Rcode;
using wire::RRType;

bool formerr_qtype(RRType type) {
    const auto value = static_cast<uint16_t>(type);
    return type == RRType::OPT || type == RRType::TSIG || type == RRType::TKEY ||
           type == RRType::MAILA || type == RRType::MAILB || (value >= 128 && value <= 248);
}

// Only complete positive and negative answers are worth replaying.
bool storable(const ShapedAnswer& shaped, uint32_t ttl) {
    return ttl > 0 && !shaped.truncated &&
           (shaped.rcode == Rcode::NOERROR || shaped.rcode == Rcode::NXDOMAIN);
}

}  // namespace

QueryPipeline::InflightGuard::InflightGuard(QueryPipeline& pipeline,
                                            const net::ClientPrefix& client)
    : pipeline_(&pipeline), client_(client) {
    pipeline_->metrics_.inflight.store(pipeline_->slots_.running(), std::memory_order_relaxed);
}

QueryPipeline::InflightGuard::~InflightGuard() {
    if (!pipeline_) return;
    pipeline_->shares_.give_back(client_);
    pipeline_->slots_.give_back();
    pipeline_->metrics_.inflight.store(pipeline_->slots_.running(), std::memory_order_relaxed);
}

QueryPipeline::QueryPipeline(asio::any_io_executor executor, PipelineSettings settings,
                             resolve::Resolver& resolver, ResponseCache* packet_cache,
                             const cache::Clock& clock, ServerMetrics& metrics,
                             observe::DnstapRecorder* dnstap)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      resolver_(resolver),
      packet_cache_(packet_cache),
      clock_(clock),
      metrics_(metrics),
      errors_(settings_.edns_buffer_size),
      limiter_(settings_.rate_limits, std::random_device{}()),
      shares_(settings_.max_inflight_per_client),
      slots_(settings_.max_inflight),
      cookies_(settings_.cookies),
      observer_(dnstap, settings_.query_log, settings_.client_addresses),
      build_buffer_(65535) {
    resolver_.share_work_slots(slots_);
}

size_t QueryPipeline::max_udp_answer(uint16_t edns_buffer_size) {
    return std::max<size_t>(edns_buffer_size, 512);
}

size_t QueryPipeline::answer_limit(bool tcp, const QueryEdns& edns) const {
    const size_t limit = answer_size_limit(tcp, edns, settings_.edns_buffer_size);
    return edns.cookie.present ? limit - kCookieReplySize : limit;
}

size_t QueryPipeline::handle_query(std::span<const uint8_t> query, const net::Peer& peer,
                                   std::span<uint8_t> response, const net::ReplyOrigin& origin) {
    net::count(metrics_.queries[protocol_index(peer.protocol)]);
    if (peer.received != Instant{}) return answer_query(query, peer, response, origin);
    // The transport does not time its answers (see answered_in_batch): the
    // answer given at once is timed here, a later one when it goes.
    net::Peer timed = peer;
    timed.received = std::chrono::steady_clock::now();
    const size_t n = answer_query(query, timed, response, origin);
    if (n > 0) record_latency(timed);
    return n;
}

void QueryPipeline::answered_in_batch(net::Protocol protocol, size_t answers, Instant received,
                                      Instant sent) {
    metrics_.answer_latency[protocol_index(protocol)].record(sent - received, answers);
}

void QueryPipeline::record_latency(const net::Peer& peer) {
    metrics_.answer_latency[protocol_index(peer.protocol)].record(std::chrono::steady_clock::now() -
                                                                  peer.received);
}

size_t QueryPipeline::answer_query(std::span<const uint8_t> query, const net::Peer& peer,
                                   std::span<uint8_t> response, const net::ReplyOrigin& origin) {
    const bool tcp = peer.transport == net::Transport::kTcp;
    const auto head = wire::parse_query_head(query);
    if (!head || head->header.qr || head->header.qdcount != 1) {
        net::count(metrics_.dropped);
        return 0;
    }
    observer_.query_received(query, peer);
    const wire::Header& header = head->header;
    QueryEdns edns;
    QueryTail tail = inspect_query_tail(query, *head, edns);
    auto error = [&](Rcode rcode, std::optional<wire::ExtendedErrorCode> ede = std::nullopt) {
        const QueryEdns* opt = tail == QueryTail::kOk ? &edns : nullptr;
        return answer_error({header, &head->question, opt, peer}, rcode, ede, response);
    };

    if (header.opcode == wire::Opcode::NOTIFY && rpz_ && tail != QueryTail::kMalformed)
        return answer_notify(
            {header, &head->question, tail == QueryTail::kOk ? &edns : nullptr, peer}, response);
    if (!settings_.allow.allows(peer.address.address)) {
        net::count(metrics_.refused_acl);
        return error(Rcode::REFUSED, wire::ExtendedErrorCode::kProhibited);
    }
    if (header.opcode != wire::Opcode::QUERY) return error(Rcode::NOTIMP);
    if (tail == QueryTail::kNeedsFullParse) {
        // Unusual but possibly valid: the full parse decides (slow path).
        auto message = wire::Message::parse(query);
        if (!message) {
            tail = QueryTail::kMalformed;
            return error(Rcode::FORMERR);
        }
        edns = query_edns_of(*message);
        tail = QueryTail::kOk;
    }
    if (tail == QueryTail::kMalformed) return error(Rcode::FORMERR);
    if (edns.present && edns.version > 0) return error(Rcode::BADVERS);

    const auto& question = head->question;
    if (question.rclass == wire::RRClass::CH) {
        const auto out = response.first(std::min(response.size(), answer_limit(tcp, edns)));
        const size_t n = write_chaos_answer(header, question, edns, settings_.identity,
                                            settings_.edns_buffer_size, out);
        if (n > 0) return release({header, &question, &edns, peer}, 0, response, n);
        return error(Rcode::REFUSED);
    }
    if (question.rclass != wire::RRClass::IN) return error(Rcode::REFUSED);
    if (question.type == RRType::AXFR || question.type == RRType::IXFR)
        return error(Rcode::REFUSED);
    if (formerr_qtype(question.type)) return error(Rcode::FORMERR);
    return answer_question({header, &question, &edns, peer}, response, origin);
}

size_t QueryPipeline::answer_question(const Outgoing& to, std::span<uint8_t> response,
                                      const net::ReplyOrigin& origin) {
    const wire::Header& header = to.query;
    const wire::Question& question = *to.question;
    const QueryEdns& edns = *to.edns;
    const bool tcp = to.peer.transport == net::Transport::kTcp;
    const size_t limit = std::min(response.size(), answer_limit(tcp, edns));
    const bool dnssec_ok = edns.present && edns.dnssec_ok;
    const cache::PacketKeyView key{question.name, question.type, question.rclass, dnssec_ok,
                                   header.cd,     edns.present,  header.rd};
    PolicyStep policy;
    if (rpz_)
        if (auto now = policy_before(to, response, policy)) return *now;
    if (packet_cache_ && !policy.hit) {
        const auto out = response.first(limit);
        const size_t n = packet_cache_->lookup(key, header.id, question.name, clock_.now(), out);
        if (n > 0) {
            net::count(metrics_.packet_cache_hits);
            clear_ad_unless_asked(out.first(n), header.ad, dnssec_ok);
            return release(to, out[3] & 0xF, response, n);
        }
        net::count(metrics_.packet_cache_misses);
    }

    if (rpz_) policy.rpz = rpz_;
    Pending pending{AnswerShape{header, question, edns, tcp ? answer_limit(tcp, edns) : limit},
                    cache::PacketKey{question.name, question.type, question.rclass, dnssec_ok,
                                     header.cd, edns.present, header.rd},
                    to.peer,
                    std::move(policy),
                    std::nullopt,
                    {}};
    if (settings_.local_zones)
        if (auto local = settings_.local_zones->answer(question))
            return answer_locally(to, std::move(pending), std::move(*local), response, origin);
    return start_resolution(to, std::move(pending), response, origin);
}

size_t QueryPipeline::answer_locally(const Outgoing& to, Pending pending, policy::LocalAnswer local,
                                     std::span<uint8_t> response, const net::ReplyOrigin& origin) {
    net::count(metrics_.local_answers);
    if (local.drop) {
        net::count(metrics_.local_dropped);
        observer_.answer_released(to.question, to.peer, std::nullopt, {});
        return 0;
    }
    if (local.continue_at) {
        pending.continue_at = std::move(local.continue_at);
        pending.chain = std::move(local.answer);
        return start_resolution(to, std::move(pending), response, origin);
    }
    AnswerShape shape = std::move(pending.shape);
    shape.max_size = std::min(shape.max_size, response.size());
    resolve::Answer answer;
    answer.rcode = local.rcode;
    answer.answer = std::move(local.answer);
    answer.authority = std::move(local.authority);
    answer.extended_error = std::move(local.extended_error);
    const auto shaped = shape_answer(shape, answer, settings_.edns_buffer_size, response);
    if (shaped.message.empty()) return 0;
    // Local data is the operator's own: authoritative, as Unbound marks it.
    constexpr uint8_t kAaBit = 0x04;  // in the first flags octet
    response[2] |= kAaBit;
    if (shaped.truncated) net::count(metrics_.truncated);
    return release(to, static_cast<unsigned>(shaped.rcode), response, shaped.message.size());
}

size_t QueryPipeline::start_resolution(const Outgoing& to, Pending pending,
                                       std::span<uint8_t> response,
                                       const net::ReplyOrigin& origin) {
    if (!slots_.try_take()) {
        net::count(metrics_.refused_inflight);
        return answer_error(to, Rcode::SERVFAIL, wire::ExtendedErrorCode::kOther, response,
                            "too many resolutions in flight (max-inflight)");
    }
    const auto client = net::ClientPrefix::of(to.peer.address.address, settings_.client_prefix);
    if (!shares_.try_take(client)) {
        slots_.give_back();
        net::count(metrics_.refused_inflight_client);
        return answer_error(to, Rcode::SERVFAIL, wire::ExtendedErrorCode::kOther, response,
                            "too many resolutions in flight for this client "
                            "(max-inflight-per-client)");
    }
    net::count(metrics_.resolutions);
    asio::co_spawn(
        executor_,
        resolve_and_answer(std::move(pending), origin.keep(), InflightGuard(*this, client)),
        asio::detached);
    return 0;
}

size_t QueryPipeline::answer_error(const Outgoing& to, Rcode rcode,
                                   std::optional<wire::ExtendedErrorCode> ede,
                                   std::span<uint8_t> response, std::string_view ede_text) {
    const bool tcp = to.peer.transport == net::Transport::kTcp;
    const size_t limit = to.edns ? answer_limit(tcp, *to.edns) : answer_size_limit(tcp, {}, 512);
    ErrorAnswer answer{to.query, to.question, to.edns, rcode, ede, ede_text};
    const size_t n = errors_.write(answer, response.first(std::min(response.size(), limit)));
    return release(to, static_cast<unsigned>(rcode), response, n);
}

asio::awaitable<resolve::Answer> QueryPipeline::resolve_logged(resolve::ClientQuery query) {
    resolve::Trace trace;
    TraceReport report;
    report.question = query.question;
    const auto started = std::chrono::steady_clock::now();
    report.answer = co_await resolver_.resolve_traced(std::move(query), trace);
    report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    report.steps = trace.steps();
    report.dropped = trace.dropped();
    spdlog::debug("resolution of {} {}:\n{}", report.question.name.to_text(),
                  wire::to_string(report.question.type), trace_text(report));
    co_return std::move(report.answer);
}

asio::awaitable<void> QueryPipeline::resolve_and_answer(Pending pending, net::ReplyHandle reply,
                                                        InflightGuard /*running*/) {
    const auto& shape = pending.shape;
    resolve::ClientQuery query;
    query.question = shape.question;
    if (pending.continue_at) query.question.name = *pending.continue_at;
    query.recursion_desired = shape.query.rd;
    query.dnssec_ok = shape.edns.present && shape.edns.dnssec_ok;
    query.checking_disabled = shape.query.cd;

    resolve::Answer answer;
    PolicyEnd end = PolicyEnd::kAnswer;
    try {
        if (pending.policy.hit && !pending.policy.resolve_first)
            answer = co_await policy_answer(*pending.policy.hit, shape);
        else if (spdlog::should_log(spdlog::level::debug))
            answer = co_await resolve_logged(std::move(query));
        else
            answer = co_await resolver_.resolve(std::move(query));
        if (pending.policy.rpz && (pending.policy.resolve_first || !pending.policy.hit))
            end = co_await policy_after(pending, answer);
    } catch (...) {
        // The resolver promises not to throw; should it, the client still
        // gets an answer.
        answer = resolve::Answer{};
        answer.rcode = Rcode::SERVFAIL;
        answer.extended_error =
            wire::ExtendedErrorOption{wire::ExtendedErrorCode::kOther, "internal error"};
    }
    if (end == PolicyEnd::kDrop) co_return;
    if (end == PolicyEnd::kTruncate) {
        const Outgoing to{shape.query, &shape.question, shape.edns.present ? &shape.edns : nullptr,
                          pending.peer};
        ErrorAnswer slip{shape.query, &shape.question, to.edns, Rcode::NOERROR, std::nullopt, {},
                         true};
        const std::span<uint8_t> out(build_buffer_);
        const size_t length = errors_.write(slip, out.first(shape.max_size));
        const size_t n = release(to, 0, out, length);
        if (n > 0) {
            reply.send(out.first(n));
            record_latency(pending.peer);
        }
        co_return;
    }
    if (!pending.chain.empty()) {
        // The local CNAME chain leads the answer; unsigned local data makes
        // the whole unproven, and it is not replayed from the packet cache.
        answer.answer.insert(answer.answer.begin(), pending.chain.begin(), pending.chain.end());
        answer.authentic_data = false;
        answer.cache_ttl = 0;
    }

    // From here to send() nothing suspends, so the shared build buffer is ours.
    auto shaped = shape_answer(shape, answer, settings_.edns_buffer_size, build_buffer_);
    if (shaped.message.empty()) co_return;
    if (packet_cache_ && pending.policy.storable() && storable(shaped, answer.cache_ttl))
        packet_cache_->insert(pending.key, shaped.message, answer.cache_ttl, clock_.now());
    const std::span<uint8_t> out(build_buffer_);
    const size_t length = shaped.message.size();
    clear_ad_unless_asked(out.first(length), shape.query.ad, pending.key.dnssec_ok);
    if (shaped.truncated) net::count(metrics_.truncated);
    const Outgoing to{shape.query, &shape.question, shape.edns.present ? &shape.edns : nullptr,
                      pending.peer};
    const size_t n = release(to, static_cast<unsigned>(shaped.rcode), out, length);
    if (n > 0) {
        reply.send(out.first(n));
        record_latency(pending.peer);
    }
}

size_t QueryPipeline::release(const Outgoing& to, unsigned rcode, std::span<uint8_t> out,
                              size_t length) {
    if (length == 0) return 0;
    const QueryCookie* cookie = to.edns && to.edns->cookie.present ? &to.edns->cookie : nullptr;
    ServerCookies::Check checked;
    if (cookie) checked = check_cookie(*cookie, to.peer);
    const ResponseClass kind = response_class(rcode);
    if (to.peer.transport == net::Transport::kUdp && !checked.valid && limiter_.limits(kind)) {
        const auto client = net::ClientPrefix::of(to.peer.address.address, settings_.client_prefix);
        const RateVerdict verdict = limiter_.take(client, kind, clock_.now());
        if (verdict != RateVerdict::kSend) {
            count_limited(kind);
            if (verdict == RateVerdict::kDrop) {
                observer_.answer_released(to.question, to.peer, std::nullopt, {});
                return 0;
            }
            // A client that sent a cookie learns ours and comes back with it,
            // exempt (RFC 7873 §5.2.3); any other client is sent to TCP.
            const Rcode slip_rcode = cookie ? Rcode::BADCOOKIE : Rcode::NOERROR;
            net::count(cookie ? metrics_.badcookie_sent : metrics_.rate_limit_slips);
            ErrorAnswer slip{to.query, to.question, to.edns, slip_rcode, std::nullopt, {}, !cookie};
            const size_t limit = to.edns ? answer_limit(false, *to.edns) : 512;
            length = errors_.write(slip, out.first(std::min(out.size(), limit)));
            rcode = static_cast<unsigned>(slip_rcode);
        }
    }
    if (length > 0 && cookie) {
        std::array<uint8_t, 24> option;
        std::copy(cookie->client.begin(), cookie->client.end(), option.begin());
        std::copy(checked.reply.begin(), checked.reply.end(), option.begin() + 8);
        const size_t with_cookie = append_opt_option(
            out, length, static_cast<uint16_t>(wire::EdnsOptionCode::COOKIE), option);
        if (with_cookie > 0) length = with_cookie;
    }
    if (length > 0) {
        net::count(metrics_.answers[protocol_index(to.peer.protocol)]
                                   [static_cast<size_t>(rcode_class(rcode))]);
        observer_.answer_released(to.question, to.peer, static_cast<Rcode>(rcode),
                                  out.first(length));
    }
    return length;
}

ServerCookies::Check QueryPipeline::check_cookie(const QueryCookie& cookie, const net::Peer& peer) {
    const auto checked =
        cookies_.check(cookie.client, cookie.server_cookie(), peer.address.address, clock_.now());
    if (checked.valid)
        net::count(metrics_.cookies_valid);
    else if (cookie.server_length > 0)
        net::count(metrics_.cookies_invalid);
    else
        net::count(metrics_.cookies_new);
    return checked;
}

void QueryPipeline::count_limited(ResponseClass kind) {
    switch (kind) {
        case ResponseClass::kAnswer: net::count(metrics_.rate_limited_answers); break;
        case ResponseClass::kNxdomain: net::count(metrics_.rate_limited_nxdomains); break;
        case ResponseClass::kError: net::count(metrics_.rate_limited_errors); break;
    }
}

}  // namespace cairn::server
