#include "cache/packed_rrset.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "cache/stored_name.h"

namespace cairn::cache {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

wire::RData address(uint8_t last) {
    const std::array<uint8_t, 4> a = {192, 0, 2, last};
    return *wire::RData::from_wire(RRType::A, a);
}

wire::RData opaque(size_t length, uint8_t fill) {
    return wire::RData::from_trusted_bytes(std::vector<uint8_t>(length, fill));
}

wire::Record nsec(std::string_view owner, std::string_view next) {
    const wire::Name next_name = name(next);
    std::vector<uint8_t> rdata(next_name.wire().begin(), next_name.wire().end());
    rdata.insert(rdata.end(), {0, 1, 0x40});  // window 0: A
    return {name(owner), RRType::NSEC, wire::RRClass::IN, 3600,
            wire::RData::from_trusted_bytes(std::move(rdata))};
}

TEST(PackedRRset, GivesBackWhatItWasGiven) {
    const std::vector<wire::RData> rdatas = {address(1), address(2), address(3)};
    const std::vector<wire::RData> signatures = {opaque(90, 0xAB), opaque(300, 0xCD)};
    const std::vector<wire::Record> proof = {
        nsec("Wild.Example.", "z.wild.example."),
        {name("wild.example."), RRType::RRSIG, wire::RRClass::IN, 60, opaque(120, 7)}};
    const PackedRRset packed(rdatas, signatures, proof);
    EXPECT_EQ(packed.rdatas(), rdatas);
    EXPECT_EQ(packed.signatures(), signatures);
    const auto back = packed.records();
    ASSERT_EQ(back.size(), proof.size());
    for (size_t i = 0; i < back.size(); ++i) {
        EXPECT_TRUE(back[i].owner.identical(proof[i].owner));  // spelling kept
        EXPECT_EQ(back[i], proof[i]);
    }
    EXPECT_TRUE(packed.has_records());
    const PackedRRset copy = packed;
    EXPECT_EQ(copy.rdatas(), rdatas);
    EXPECT_EQ(copy.records(), proof);
}

TEST(PackedRRset, HoldsOnlyTheSameDataAndSignatures) {
    const std::vector<wire::RData> rdatas = {address(1), address(2)};
    const std::vector<wire::RData> signatures = {opaque(64, 1)};
    const PackedRRset packed(rdatas, signatures, {});
    EXPECT_FALSE(packed.has_records());
    EXPECT_TRUE(packed.holds(rdatas, signatures));
    EXPECT_FALSE(packed.holds(rdatas, {}));
    EXPECT_FALSE(packed.holds(std::vector{address(1)}, signatures));
    EXPECT_FALSE(packed.holds(std::vector{address(2), address(1)}, signatures));
    EXPECT_FALSE(packed.holds(rdatas, std::vector{opaque(64, 2)}));
    EXPECT_FALSE(packed.holds(rdatas, std::vector{opaque(63, 1)}));
}

// The point of packing: one block about the size of the data, where the
// vectors cost a block per RDATA and 255 octets of name per proof record.
TEST(PackedRRset, OneBlockAboutTheSizeOfTheData) {
    const std::vector<wire::RData> rdatas = {address(1)};
    const std::vector<wire::RData> signatures = {opaque(100, 1)};
    const std::vector<wire::Record> proof = {nsec("a.example.", "b.example.")};
    const PackedRRset packed(rdatas, signatures, proof);
    const size_t data = 4 + 100 + proof[0].owner.wire_length() + proof[0].rdata.size();
    EXPECT_LE(packed.heap_size(), data + 32);
}

TEST(StoredName, MatchesTheNameInAnyCaseAndHashesAlike) {
    const StoredName stored(name("WWW.Example.COM."));
    EXPECT_TRUE(stored == name("www.example.com."));
    EXPECT_FALSE(stored == name("www.example.org."));
    EXPECT_TRUE(stored == StoredName(name("www.EXAMPLE.com.")));
    EXPECT_EQ(stored.hash(), name("www.example.com.").hash());
    EXPECT_TRUE(stored.name().identical(name("WWW.Example.COM.")));
    EXPECT_EQ(stored.heap_size(), name("www.example.com.").wire_length() + 1);
    StoredName copy = stored;
    copy = StoredName(name("other.example."));
    EXPECT_TRUE(copy == name("other.example."));
    EXPECT_TRUE(stored == name("www.example.com."));
}

}  // namespace
}  // namespace cairn::cache
