#include "wire/rrset.h"

#include <gtest/gtest.h>

namespace cairn::wire {
namespace {

Name N(std::string_view text) {
    return *Name::from_text(text);
}

RData bytes(std::initializer_list<uint8_t> list) {
    return RData::from_trusted_bytes(list);
}

RData name_rdata(std::string_view text) {
    const Name name = N(text);
    auto wire = name.wire();
    return RData::from_trusted_bytes({wire.begin(), wire.end()});
}

TEST(RRset, GroupsByOwnerTypeClassAndTakesLowestTtl) {
    std::vector<Record> records = {
        {N("a.example."), RRType::A, RRClass::IN, 300, bytes({1, 1, 1, 1})},
        {N("b.example."), RRType::A, RRClass::IN, 300, bytes({2, 2, 2, 2})},
        {N("A.EXAMPLE."), RRType::A, RRClass::IN, 100, bytes({1, 1, 1, 2})},
        {N("a.example."), RRType::AAAA, RRClass::IN, 300,
         RData::from_trusted_bytes(std::vector<uint8_t>(16, 1))},
        {N("a.example."), RRType::A, RRClass::IN, 300, bytes({1, 1, 1, 1})},  // duplicate
    };
    auto sets = group_rrsets(records);
    ASSERT_EQ(sets.size(), 3u);
    EXPECT_EQ(sets[0].owner, N("a.example."));
    EXPECT_EQ(sets[0].type, RRType::A);
    EXPECT_EQ(sets[0].ttl, 100u);
    EXPECT_EQ(sets[0].rdatas.size(), 2u);
    EXPECT_EQ(sets[1].owner, N("b.example."));
    EXPECT_EQ(sets[2].type, RRType::AAAA);
    auto back = sets[0].to_records();
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].ttl, 100u);
}

TEST(RRset, CanonicalOrderIsByCanonicalRdata) {
    RRset set{N("example."), RRType::NS, RRClass::IN, 60, {}};
    set.add(name_rdata("b.example."));
    set.add(name_rdata("A.example."));  // canonical form lower-cases: a < b
    set.add(name_rdata("ab.example."));
    set.sort_canonical();
    // Wire forms: \001a... < \001b... < \002ab...
    EXPECT_EQ(set.rdatas[0], name_rdata("A.example."));
    EXPECT_EQ(set.rdatas[1], name_rdata("b.example."));
    EXPECT_EQ(set.rdatas[2], name_rdata("ab.example."));
}

TEST(RRset, ShorterRdataSortsFirstWhenPrefix) {
    EXPECT_LT(canonical_rdata_compare(RRType::TXT, bytes({1, 'a'}), bytes({1, 'a', 1, 'b'})), 0);
    EXPECT_GT(canonical_rdata_compare(RRType::TXT, bytes({1, 'b'}), bytes({1, 'a', 1, 'b'})), 0);
    EXPECT_EQ(canonical_rdata_compare(RRType::TXT, bytes({1, 'a'}), bytes({1, 'a'})), 0);
}

TEST(RRset, CanonicalFormLowercasesOnlyListedTypes) {
    // RFC 4034 §6.2 (with RFC 6840 §5.1): NS, MX, RRSIG... lower-cased;
    // NSEC's next name is not.
    auto upper = name_rdata("UP.example.");
    EXPECT_EQ(upper.canonical(RRType::NS), name_rdata("up.example."));
    EXPECT_EQ(upper.canonical(RRType::CNAME), name_rdata("up.example."));
    EXPECT_EQ(upper.canonical(RRType::DNAME), name_rdata("up.example."));
    std::vector<uint8_t> nsec(upper.bytes().begin(), upper.bytes().end());
    nsec.insert(nsec.end(), {0, 1, 0x40});
    auto nsec_rdata = RData::from_trusted_bytes(nsec);
    EXPECT_EQ(nsec_rdata.canonical(RRType::NSEC), nsec_rdata);
    // TXT content is data, not a name: untouched.
    auto txt = bytes({2, 'A', 'B'});
    EXPECT_EQ(txt.canonical(RRType::TXT), txt);
}

}  // namespace
}  // namespace cairn::wire
