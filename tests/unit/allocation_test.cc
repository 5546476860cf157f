// The packet path must not touch the heap: parsing a query's header and
// question, and building a response into caller memory. Global operator
// new/delete are replaced by counting versions; counting is enabled only on
// the current thread and only around the measured call, so the other tests
// in this binary (and GoogleTest itself) are unaffected.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <new>
#include <vector>

#include "cache/packet_cache.h"
#include "wire/message.h"

namespace {

thread_local bool t_counting = false;
thread_local size_t t_allocations = 0;

void* counted_alloc(std::size_t size, std::size_t alignment) {
    if (t_counting) ++t_allocations;
    if (size == 0) size = 1;
    void* p = nullptr;
    if (alignment <= alignof(std::max_align_t)) {
        p = std::malloc(size);
    } else {
        // aligned_alloc needs a size that is a multiple of the alignment.
        p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
    }
    return p;
}

void* counted_alloc_or_throw(std::size_t size, std::size_t alignment) {
    if (void* p = counted_alloc(size, alignment)) return p;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
    return counted_alloc_or_throw(size, 0);
}
void* operator new[](std::size_t size) {
    return counted_alloc_or_throw(size, 0);
}
void* operator new(std::size_t size, std::align_val_t a) {
    return counted_alloc_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
    return counted_alloc_or_throw(size, static_cast<std::size_t>(a));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_alloc(size, 0);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_alloc(size, 0);
}
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(size, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace cairn::wire {
namespace {

// Number of heap allocations `f` makes on this thread.
template <class F>
size_t allocations_in(F&& f) {
    t_allocations = 0;
    t_counting = true;
    f();
    t_counting = false;
    return t_allocations;
}

Name name(std::string_view text) {
    return *Name::from_text(text);
}

Record a_record(std::string_view owner, std::array<uint8_t, 4> address) {
    return Record{name(owner), RRType::A, RRClass::IN, 300, *RData::from_wire(RRType::A, address)};
}

Record name_record(std::string_view owner, RRType type, std::string_view target) {
    return Record{name(owner), type, RRClass::IN, 3600,
                  *RData::from_wire(type, name(target).wire())};
}

std::vector<uint8_t> query_wire(bool with_edns) {
    Message query;
    query.header.id = 0xabcd;
    query.header.rd = true;
    query.questions.push_back(
        Question{name("a-rather-long-label-for-this-test.wWw.ExAmple.com."), RRType::AAAA});
    if (with_edns) {
        query.edns = Edns{};
        query.edns->dnssec_ok = true;
        CookieOption cookie;
        cookie.client.fill(7);
        query.edns->options.push_back(cookie);
    }
    return query.to_wire();
}

TEST(Allocation, CounterSeesAllocations) {
    // The counting operator new is really the one in use.
    std::vector<int>* v = nullptr;
    const size_t n = allocations_in([&] { v = new std::vector<int>(100); });
    delete v;
    EXPECT_GE(n, 1u);
}

TEST(Allocation, HeaderParseAllocatesNothing) {
    const auto wire = query_wire(true);
    bool ok = false;
    const size_t n = allocations_in([&] {
        Reader reader(wire);
        ok = Header::parse(reader).ok();
    });
    EXPECT_TRUE(ok);
    EXPECT_EQ(n, 0u);
}

TEST(Allocation, ParseQueryHeadAllocatesNothing) {
    for (bool with_edns : {false, true}) {
        const auto wire = query_wire(with_edns);
        bool ok = false;
        const size_t n = allocations_in([&] { ok = parse_query_head(wire).ok(); });
        EXPECT_TRUE(ok);
        EXPECT_EQ(n, 0u) << "with_edns=" << with_edns;
    }
}

TEST(Allocation, ParseQueryHeadRejectsWithoutAllocating) {
    auto wire = query_wire(false);
    wire.resize(20);  // cut inside the question name
    bool ok = true;
    const size_t n = allocations_in([&] { ok = parse_query_head(wire).ok(); });
    EXPECT_FALSE(ok);
    EXPECT_EQ(n, 0u);
}

struct Response {
    Header header;
    Question question{name("www.example.com."), RRType::A};
    std::vector<Record> cname{name_record("www.example.com.", RRType::CNAME, "web.example.com.")};
    std::vector<Record> addresses{a_record("web.example.com.", {192, 0, 2, 1}),
                                  a_record("web.example.com.", {192, 0, 2, 2})};
    std::vector<Record> ns{name_record("example.com.", RRType::NS, "ns1.example.com."),
                           name_record("example.com.", RRType::NS, "ns2.example.com.")};
    std::vector<Record> glue{a_record("ns1.example.com.", {192, 0, 2, 53})};

    Response() {
        header.id = 7;
        header.qr = true;
        header.rd = true;
        header.ra = true;
    }

    // Builds into `buffer`; returns the message size, or 0 on failure.
    size_t build(std::span<uint8_t> buffer, size_t max_size, const Edns* edns) const {
        MessageBuilder builder(buffer, max_size);
        if (!builder.begin(header)) return 0;
        if (!builder.add_question(question)) return 0;
        if (edns && !builder.set_edns(*edns)) return 0;
        builder.add_rrset(Section::kAnswer, cname);
        builder.add_rrset(Section::kAnswer, addresses);
        builder.add_rrset(Section::kAuthority, ns);
        builder.add_rrset(Section::kAdditional, glue);
        return builder.finish().size();
    }
};

TEST(Allocation, MessageBuilderWithoutEdnsAllocatesNothing) {
    const Response response;
    std::array<uint8_t, 512> buffer{};
    size_t size = 0;
    const size_t n = allocations_in([&] { size = response.build(buffer, buffer.size(), nullptr); });
    EXPECT_GT(size, 0u);
    EXPECT_EQ(n, 0u);
    EXPECT_TRUE(Message::parse(std::span<const uint8_t>(buffer).first(size)).ok());
}

TEST(Allocation, MessageBuilderWithPlainEdnsAllocatesNothing) {
    const Response response;
    Edns edns;
    edns.dnssec_ok = true;
    std::array<uint8_t, 1232> buffer{};
    size_t size = 0;
    const size_t n = allocations_in([&] { size = response.build(buffer, buffer.size(), &edns); });
    EXPECT_GT(size, 0u);
    EXPECT_EQ(n, 0u);
}

TEST(Allocation, MessageBuilderWithEdnsOptionsAllocatesNothing) {
    // A response carries the client's cookie and maybe an Extended DNS Error:
    // building it must not allocate either.
    const Response response;
    Edns edns;
    CookieOption cookie;
    cookie.client.fill(1);
    cookie.server.assign(16, 2);
    edns.options.push_back(cookie);
    edns.options.push_back(ExtendedErrorOption{ExtendedErrorCode::kStaleAnswer, "stale"});
    std::array<uint8_t, 1232> buffer{};
    size_t size = 0;
    const size_t n = allocations_in([&] { size = response.build(buffer, buffer.size(), &edns); });
    EXPECT_GT(size, 0u);
    EXPECT_EQ(n, 0u);
}

TEST(Allocation, TruncatingMessageBuilderAllocatesNothing) {
    const Response response;
    Edns edns;
    std::array<uint8_t, 1232> buffer{};
    size_t size = 0;
    // Room for the question and the OPT record, not for all answers.
    const size_t n = allocations_in([&] { size = response.build(buffer, 80, &edns); });
    EXPECT_GT(size, 0u);
    EXPECT_LE(size, 80u);
    EXPECT_EQ(n, 0u);
    auto parsed = Message::parse(std::span<const uint8_t>(buffer).first(size));
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->header.tc);
    EXPECT_TRUE(parsed->edns.has_value());
}

}  // namespace
}  // namespace cairn::wire

// The server's fast path: a packet cache hit (src/cache/packet_cache.h)
// copies and patches a stored answer without touching the heap.
namespace cairn::cache {
namespace {

TEST(Allocation, PacketCacheHitAndMissAllocateNothing) {
    wire::Message m;
    m.header.id = 1;
    m.header.qr = true;
    m.questions.push_back({*wire::Name::from_text("www.example.com."), wire::RRType::A});
    m.answers.push_back(wire::a_record("www.example.com.", {192, 0, 2, 1}));
    m.authorities.push_back(
        wire::name_record("example.com.", wire::RRType::NS, "ns1.example.com."));
    m.edns = wire::Edns{};
    const auto answer = m.to_wire();

    PacketCache cache(1 << 20);
    PacketKey key;
    key.qname = m.questions[0].name;
    key.has_edns = true;
    cache.insert(key, answer, 300, 1000);

    PacketKey client_key = key;
    client_key.qname = *wire::Name::from_text("WwW.ExAmPlE.cOm.");
    std::array<uint8_t, 1232> out{};
    size_t size = 0;
    size_t n = wire::allocations_in(
        [&] { size = cache.lookup(client_key, 0x4242, client_key.qname, 1100, out); });
    EXPECT_EQ(size, answer.size());
    EXPECT_EQ(n, 0u);

    client_key.qtype = wire::RRType::AAAA;
    n = wire::allocations_in(
        [&] { size = cache.lookup(client_key, 0x4242, client_key.qname, 1100, out); });
    EXPECT_EQ(size, 0u);
    EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace cairn::cache
