// Micro benchmarks of the wire library's packet path: parsing a typical
// response, parsing a query's head, building a response, comparing and
// reading names.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "wire/message.h"

namespace {

using namespace cairn::wire;

Name name(std::string_view text) {
    return *Name::from_text(text);
}

Record a_record(std::string_view owner, uint32_t ttl, std::array<uint8_t, 4> address) {
    return Record{name(owner), RRType::A, RRClass::IN, ttl, *RData::from_wire(RRType::A, address)};
}

Record name_record(std::string_view owner, RRType type, uint32_t ttl, std::string_view target) {
    const Name t = name(target);
    return Record{name(owner), type, RRClass::IN, ttl, *RData::from_wire(type, t.wire())};
}

// www.example.com A: CNAME + 2 A in the answer, 2 NS in the authority, one A
// glue record and an OPT record with a cookie in the additional section.
struct TypicalResponse {
    Header header;
    Question question{name("www.example.com."), RRType::A, RRClass::IN};
    std::vector<Record> cname{
        name_record("www.example.com.", RRType::CNAME, 300, "web.example.com.")};
    std::vector<Record> addresses{a_record("web.example.com.", 300, {192, 0, 2, 10}),
                                  a_record("web.example.com.", 300, {192, 0, 2, 11})};
    std::vector<Record> ns{
        name_record("example.com.", RRType::NS, 86400, "ns1.example.com."),
        name_record("example.com.", RRType::NS, 86400, "ns2.example.com."),
    };
    std::vector<Record> glue{a_record("ns1.example.com.", 86400, {192, 0, 2, 53})};
    Edns edns;

    TypicalResponse() {
        header.id = 0x4242;
        header.qr = true;
        header.rd = true;
        header.ra = true;
        CookieOption cookie;
        cookie.client.fill(0x11);
        cookie.server.assign(16, 0x22);
        edns.options.push_back(cookie);
    }

    std::span<const uint8_t> build(MessageBuilder& builder) const {
        (void)builder.begin(header);
        (void)builder.add_question(question);
        (void)builder.set_edns(edns);
        builder.add_rrset(Section::kAnswer, cname);
        builder.add_rrset(Section::kAnswer, addresses);
        builder.add_rrset(Section::kAuthority, ns);
        builder.add_rrset(Section::kAdditional, glue);
        return builder.finish();
    }

    std::vector<uint8_t> wire() const {
        std::array<uint8_t, 1232> buffer{};
        MessageBuilder builder(buffer, buffer.size());
        const auto out = build(builder);
        return {out.begin(), out.end()};
    }

    Message message() const { return *Message::parse(wire()); }
};

std::vector<uint8_t> query_wire() {
    Message query;
    query.header.id = 0x1234;
    query.header.rd = true;
    query.questions.push_back(Question{name("wWw.ExAmple.com."), RRType::AAAA, RRClass::IN});
    query.edns = Edns{};
    query.edns->dnssec_ok = true;
    return query.to_wire();
}

void BM_ParseResponse(benchmark::State& state) {
    const auto wire = TypicalResponse().wire();
    for (auto _ : state) {
        auto message = Message::parse(wire);
        benchmark::DoNotOptimize(message);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_ParseResponse);

void BM_ParseQueryHead(benchmark::State& state) {
    const auto wire = query_wire();
    for (auto _ : state) {
        auto head = parse_query_head(wire);
        benchmark::DoNotOptimize(head);
    }
}
BENCHMARK(BM_ParseQueryHead);

void BM_BuildResponseBuilder(benchmark::State& state) {
    const TypicalResponse response;
    for (auto _ : state) {
        std::array<uint8_t, 1232> buffer;
        MessageBuilder builder(buffer, buffer.size());
        auto out = response.build(builder);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_BuildResponseBuilder);

void BM_BuildResponseToWire(benchmark::State& state) {
    const Message message = TypicalResponse().message();
    for (auto _ : state) {
        auto out = message.to_wire(1232);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_BuildResponseToWire);

void BM_NameCanonicalCompare(benchmark::State& state) {
    // Equal up to the leftmost label, in different case: the whole of both
    // names is compared.
    const Name a = name("host-17.Mail.Example.COM.");
    const Name b = name("host-18.mail.example.com.");
    for (auto _ : state) {
        int order = Name::canonical_compare(a, b);
        benchmark::DoNotOptimize(order);
    }
}
BENCHMARK(BM_NameCanonicalCompare);

void BM_NameFromText(benchmark::State& state) {
    const std::string_view text = "host-17.mail.example.com.";
    for (auto _ : state) {
        auto n = Name::from_text(text);
        benchmark::DoNotOptimize(n);
    }
}
BENCHMARK(BM_NameFromText);

}  // namespace

BENCHMARK_MAIN();
