// The resolver driven by whatever the authoritative servers send: every
// upstream query is answered with the next reply the input holds (or a
// timeout), while the resolver walks from the root to an answer for a
// question the input chooses. It must finish, with an answer or SERVFAIL,
// without a crash, a leak or undefined behaviour, within its work limits.
//
// Input: two bytes of question and options, then replies, each
//   [mode][length: 2 bytes, big-endian][length bytes of DNS message]
// mode & 3: 0 the message as it is (kMalformed if it does not parse),
//           1 a timeout, 2 a network error,
//           3 the message with the question asked and QR set (what the
//             transport would have let through), so the fuzzer need not
//             guess the question to reach the sections;
// mode & 4: it came over TCP; mode >> 4: the clock moves on that many
// half-minutes first (TTLs expire, signatures age). The input running out
// is a timeout from then on.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <cstddef>
#include <cstdint>
#include <span>

#include "cache/caches.h"
#include "dnssec/trust_anchors.h"
#include "fuzz_check.h"
#include "resolve/recursive_resolver.h"

namespace {

using namespace cairn;

constexpr const char* kNames[] = {
    "www.example.",   "example.",        ".",    "a.b.c.example.",
    "alias.example.", "nx.sub.example.", "com.", "x.y.example.com.",
};
constexpr wire::RRType kTypes[] = {
    wire::RRType::A,      wire::RRType::AAAA, wire::RRType::NS,    wire::RRType::CNAME,
    wire::RRType::SOA,    wire::RRType::MX,   wire::RRType::TXT,   wire::RRType::DS,
    wire::RRType::DNSKEY, wire::RRType::ANY,  wire::RRType::NSEC,  wire::RRType::RRSIG,
    wire::RRType::PTR,    wire::RRType::SVCB, wire::RRType::HTTPS, wire::RRType::DNAME,
};
// More exchanges than any client request may cost (max_upstream_queries per
// request, two requests): past it every query times out.
constexpr size_t kMaxExchanges = 256;

class ReplayUpstream final : public resolve::Upstream {
public:
    ReplayUpstream(std::span<const uint8_t> replies, cache::FakeClock& clock)
        : rest_(replies), clock_(clock) {}

    asio::awaitable<resolve::UpstreamReply> exchange(resolve::UpstreamQuery query) override {
        co_return next(query);
    }

private:
    resolve::UpstreamReply next(const resolve::UpstreamQuery& query) {
        resolve::UpstreamReply reply;
        reply.status = resolve::UpstreamStatus::kTimeout;
        if (++exchanges_ > kMaxExchanges || rest_.size() < 3) return reply;
        const uint8_t mode = rest_[0];
        const size_t length = std::min<size_t>(size_t{rest_[1]} << 8 | rest_[2], rest_.size() - 3);
        const auto bytes = rest_.subspan(3, length);
        rest_ = rest_.subspan(3 + length);
        clock_.advance(int64_t{mode >> 4} * 30);
        reply.rtt = std::chrono::milliseconds(1 + length % 100);
        reply.via_tcp = (mode & 4) != 0;
        switch (mode & 3) {
            case 1: return reply;
            case 2: reply.status = resolve::UpstreamStatus::kNetworkError; return reply;
            default: break;
        }
        auto message = wire::Message::parse(bytes);
        if (!message) {
            reply.status = resolve::UpstreamStatus::kMalformed;
            return reply;
        }
        reply.status = resolve::UpstreamStatus::kOk;
        reply.message = std::move(*message);
        if ((mode & 3) == 3) {
            reply.message.header.qr = true;
            reply.message.questions = {query.question};
            reply.message.header.qdcount = 1;
        }
        return reply;
    }

    std::span<const uint8_t> rest_;
    cache::FakeClock& clock_;
    size_t exchanges_ = 0;
};

resolve::Answer resolve_once(resolve::RecursiveResolver& resolver,
                             const resolve::ClientQuery& query) {
    asio::io_context io;
    auto future = asio::co_spawn(io, resolver.resolve(query), asio::use_future);
    io.run();
    return future.get();
}

void check(const resolve::Answer& answer) {
    // SERVFAIL says why (RFC 8914); other answers carry records that print.
    if (answer.rcode == wire::Rcode::SERVFAIL) FUZZ_CHECK(answer.extended_error.has_value());
    for (const auto* section : {&answer.answer, &answer.authority, &answer.additional})
        for (const auto& record : *section)
            (void)record.to_text();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const uint8_t question = data[0];
    const uint8_t options_byte = data[1];

    resolve::ResolverOptions options;
    options.qname_minimisation = (options_byte & 1) != 0;
    options.dnssec.enabled = (options_byte & 2) != 0;
    static const dnssec::TrustAnchors anchors = dnssec::TrustAnchors::builtin();
    static const resolve::RootHints hints = resolve::RootHints::builtin();
    if (options.dnssec.enabled) options.dnssec.anchors = anchors;
    options.aggressive_nsec = (options_byte & 16) != 0;
    // Nothing may wait on the wall clock: stale answers are given at once.
    options.serve_stale.client_timeout = std::chrono::milliseconds(0);

    cache::FakeClock clock;
    cache::CacheOptions cache_options;
    cache_options.max_bytes = 1 << 20;
    cache::Caches caches(cache_options, clock);
    ReplayUpstream upstream(std::span<const uint8_t>(data + 2, size - 2), clock);
    resolve::RecursiveResolver resolver(options, hints, caches, upstream, clock);

    resolve::ClientQuery query;
    query.question = {*wire::Name::from_text(kNames[question & 7]), kTypes[(question >> 3) & 15],
                      wire::RRClass::IN};
    query.dnssec_ok = (question & 0x80) != 0;
    query.checking_disabled = (options_byte & 4) != 0;
    check(resolve_once(resolver, query));
    // Again, from what the first walk cached (or not), some time later.
    if (options_byte & 8) {
        clock.advance(options_byte >> 5);
        check(resolve_once(resolver, query));
    }
    return 0;
}
