#include "wire/name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace cairn::wire {
namespace {

Name N(std::string_view text) {
    auto n = Name::from_text(text);
    EXPECT_TRUE(n.ok()) << text;
    return *n;
}

std::vector<uint8_t> bytes(std::initializer_list<int> list) {
    std::vector<uint8_t> out;
    for (int v : list)
        out.push_back(static_cast<uint8_t>(v));
    return out;
}

TEST(Name, RootByDefault) {
    Name n;
    EXPECT_TRUE(n.is_root());
    EXPECT_EQ(n.to_text(), ".");
    EXPECT_EQ(n.wire_length(), 1u);
    EXPECT_EQ(n.label_count(), 0u);
    EXPECT_EQ(N(".").to_text(), ".");
}

TEST(Name, TextRoundTripPreservesCase) {
    EXPECT_EQ(N("www.Example.COM.").to_text(), "www.Example.COM.");
    EXPECT_EQ(N("www.example.com.").label_count(), 3u);
    EXPECT_EQ(N("www.example.com.").wire_length(), 17u);
}

TEST(Name, RelativeNamesUseOrigin) {
    auto origin = N("example.com.");
    EXPECT_EQ(Name::from_text("www", origin)->to_text(), "www.example.com.");
    EXPECT_EQ(Name::from_text("a.b", origin)->to_text(), "a.b.example.com.");
    EXPECT_EQ(Name::from_text("www.", origin)->to_text(), "www.");
}

TEST(Name, EscapesInAndOut) {
    // RFC 1035 §5.1: \. is a dot inside a label, \DDD a decimal octet.
    auto n = N("a\\.b.c.");
    EXPECT_EQ(n.label_count(), 2u);
    EXPECT_EQ(n.label(0).size(), 3u);
    EXPECT_EQ(n.to_text(), "a\\.b.c.");
    auto spaced = N("a\\032b.");
    EXPECT_EQ(spaced.label(0)[1], ' ');
    EXPECT_EQ(spaced.to_text(), "a\\032b.");
    EXPECT_EQ(N("\\065.").to_text(), "A.");
    EXPECT_EQ(N("\\(x\\).").to_text(), "\\(x\\).");
    EXPECT_EQ(N("a\\255.").to_text(), "a\\255.");
    EXPECT_EQ(N("q\\\"\\;\\@\\$.").to_text(), "q\\\"\\;\\@\\$.");
}

TEST(Name, BadTextIsAnError) {
    EXPECT_FALSE(Name::from_text("").ok());
    EXPECT_FALSE(Name::from_text("a..b.").ok());
    EXPECT_FALSE(Name::from_text(".a.").ok());
    EXPECT_FALSE(Name::from_text("a\\").ok());
    EXPECT_FALSE(Name::from_text("a\\25").ok());
    EXPECT_FALSE(Name::from_text("a\\256.").ok());
    EXPECT_FALSE(Name::from_text(std::string(64, 'a') + ".").ok());
    EXPECT_TRUE(Name::from_text(std::string(63, 'a') + ".").ok());
    // 4 labels of 63 = 4*64 + 1 = 257 octets: too long.
    std::string label(63, 'x');
    EXPECT_FALSE(Name::from_text(label + "." + label + "." + label + "." + label + ".").ok());
    // 253 characters of text is the longest legal name: 255 octets.
    std::string longest = label + "." + label + "." + label + "." + std::string(61, 'y') + ".";
    auto n = Name::from_text(longest);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->wire_length(), 255u);
}

TEST(Name, CaseInsensitiveEqualityAndHash) {
    EXPECT_EQ(N("WWW.example.COM."), N("www.EXAMPLE.com."));
    EXPECT_EQ(N("WWW.example.COM.").hash(), N("www.EXAMPLE.com.").hash());
    EXPECT_NE(N("www.example.com."), N("www.example.org."));
    EXPECT_NE(N("a.b."), N("ab."));
    EXPECT_FALSE(N("A.b.").identical(N("a.b.")));
    EXPECT_TRUE(N("a.b.").identical(N("a.b.")));
}

TEST(Name, Lowercasing) {
    auto n = N("MiXeD.CaSe.");
    EXPECT_EQ(n.lowercased().to_text(), "mixed.case.");
    n.to_lower();
    EXPECT_EQ(n.to_text(), "mixed.case.");
}

TEST(Name, ParentSuffixAndSubdomain) {
    auto n = N("a.b.example.com.");
    EXPECT_EQ(n.parent(), N("b.example.com."));
    EXPECT_EQ(n.suffix(2), N("example.com."));
    EXPECT_EQ(n.suffix(0), Name::root());
    EXPECT_EQ(n.suffix(10), n);
    EXPECT_EQ(Name::root().parent(), Name::root());
    EXPECT_TRUE(n.is_subdomain_of(N("EXAMPLE.com.")));
    EXPECT_TRUE(n.is_subdomain_of(n));
    EXPECT_TRUE(n.is_subdomain_of(Name::root()));
    EXPECT_FALSE(n.is_subdomain_of(N("ample.com.")));
    EXPECT_FALSE(N("example.com.").is_subdomain_of(n));
    EXPECT_EQ(n.common_labels(N("x.example.com.")), 2u);
    EXPECT_EQ(n.common_labels(N("org.")), 0u);
    const uint8_t star = '*';
    auto wild = N("example.com.").prepend({&star, 1});
    ASSERT_TRUE(wild.ok());
    EXPECT_TRUE(wild->is_wildcard());
    EXPECT_EQ(wild->to_text(), "*.example.com.");
    EXPECT_FALSE(n.is_wildcard());
    EXPECT_EQ(n.label(1).size(), 1u);
    EXPECT_EQ(n.label(1)[0], 'b');
}

TEST(Name, CanonicalOrderRfc4034Section61) {
    // The example list of RFC 4034 §6.1, in canonical order.
    std::vector<Name> expected = {
        N("example."),         N("a.example."),      N("yljkjljk.a.example."),
        N("Z.a.example."),     N("zABC.a.EXAMPLE."), N("z.example."),
        N("\\001.z.example."), N("*.z.example."),    N("\\200.z.example."),
    };
    auto shuffled = expected;
    std::reverse(shuffled.begin(), shuffled.end());
    std::swap(shuffled[1], shuffled[5]);
    std::sort(shuffled.begin(), shuffled.end());
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(shuffled[i].identical(expected[i])) << i << " " << shuffled[i].to_text();
    EXPECT_EQ(Name::canonical_compare(N("A.example."), N("a.EXAMPLE.")), 0);
    EXPECT_LT(Name::canonical_compare(Name::root(), N("a.")), 0);
}

TEST(Name, ParseUncompressed) {
    auto wire = bytes({3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0xAA});
    Reader r(wire);
    auto n = Name::parse(r);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->to_text(), "www.example.");
    EXPECT_EQ(r.offset(), 13u);
}

TEST(Name, ParseFollowsBackwardPointers) {
    // "example." at 0, then "www" + pointer to 0 at 9.
    auto wire = bytes({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 3, 'w', 'w', 'w', 0xC0, 0, 0xEE});
    Reader r(wire, 9);
    auto n = Name::parse(r);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->to_text(), "www.example.");
    EXPECT_EQ(r.offset(), 15u);  // just past the pointer, not where it led
}

TEST(Name, RejectsPointerLoopsAndForwardPointers) {
    auto self = bytes({0xC0, 0});
    Reader r1(self);
    EXPECT_EQ(Name::parse(r1).error(), WireError::kBadPointer);

    auto forward = bytes({0xC0, 2, 1, 'a', 0});
    Reader r2(forward);
    EXPECT_EQ(Name::parse(r2).error(), WireError::kBadPointer);

    // Two pointers pointing at each other: 2 -> 0 -> 2.
    auto loop = bytes({0xC0, 2, 0xC0, 0});
    Reader r3(loop, 2);
    EXPECT_EQ(Name::parse(r3).error(), WireError::kBadPointer);

    auto cut_pointer = bytes({1, 'a', 0xC0});
    Reader r4(cut_pointer);
    EXPECT_EQ(Name::parse(r4).error(), WireError::kTruncated);
}

// A root label at 0, then `count` pointers, each to the one 2 octets
// before it (the first to the root label). Returns where the last one is.
size_t pointer_chain(std::vector<uint8_t>& wire, size_t count) {
    wire.assign({0});
    size_t target = 0;
    for (size_t i = 0; i < count; ++i) {
        const size_t here = wire.size();
        wire.push_back(static_cast<uint8_t>(0xC0 | target >> 8));
        wire.push_back(static_cast<uint8_t>(target));
        target = here;
    }
    return target;
}

TEST(Name, PointerHopsPerNameAreCapped) {
    std::vector<uint8_t> wire;
    // Exactly the cap: still a name (the root).
    size_t start = pointer_chain(wire, Name::kMaxPointerHops);
    Reader at_cap(wire, start);
    auto root = Name::parse(at_cap);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(*root, Name::root());
    EXPECT_EQ(at_cap.pointer_hops(), Name::kMaxPointerHops);
    EXPECT_EQ(at_cap.offset(), start + 2);

    // One more is an error, found after the cap's worth of hops.
    start = pointer_chain(wire, Name::kMaxPointerHops + 1);
    Reader over(wire, start);
    auto too_many = Name::parse(over);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.error(), WireError::kBadPointer);
    EXPECT_EQ(over.pointer_hops(), Name::kMaxPointerHops);

    // The longest chain 14-bit offsets allow costs no more, name after name.
    start = pointer_chain(wire, 8000);
    Reader longest(wire, start);
    for (int i = 0; i < 100; ++i) {
        longest.seek(start);
        auto parsed = Name::parse(longest);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.error(), WireError::kBadPointer);
    }
    EXPECT_EQ(longest.pointer_hops(), 100 * Name::kMaxPointerHops);

    // A pointer loop stops at its first backward step that is not.
    auto loop = bytes({0xC0, 2, 0xC0, 0});
    Reader looped(loop, 2);
    EXPECT_EQ(Name::parse(looped).error(), WireError::kBadPointer);
    EXPECT_EQ(looped.pointer_hops(), 1u);
}

// The most pointers a real encoder can use: 127 one-octet labels (a
// 255-octet name), each reached through its own pointer, then a pointer to
// the root label.
TEST(Name, LongestNameWithAPointerPerLabelParses) {
    std::vector<uint8_t> wire = {0};
    size_t previous = 0;
    for (int i = 0; i < 127; ++i) {
        const size_t here = wire.size();
        wire.insert(wire.end(), {1, 'a', static_cast<uint8_t>(0xC0 | previous >> 8),
                                 static_cast<uint8_t>(previous)});
        previous = here;
    }
    const size_t start = wire.size();
    wire.insert(wire.end(),
                {static_cast<uint8_t>(0xC0 | previous >> 8), static_cast<uint8_t>(previous)});
    Reader r(wire, start);
    auto name = Name::parse(r);
    ASSERT_TRUE(name.ok()) << to_string(name.error());
    EXPECT_EQ(name->label_count(), 127u);
    EXPECT_EQ(name->wire_length(), Name::kMaxWireLength);
    EXPECT_EQ(r.pointer_hops(), Name::kMaxPointerHops);
}

TEST(Name, RejectsBadLabels) {
    auto reserved = bytes({0x40, 0});
    Reader r1(reserved);
    EXPECT_EQ(Name::parse(r1).error(), WireError::kLabelTooLong);
    auto short_label = bytes({5, 'a', 'b'});
    Reader r2(short_label);
    EXPECT_EQ(Name::parse(r2).error(), WireError::kTruncated);
    auto no_end = bytes({1, 'a'});
    Reader r3(no_end);
    EXPECT_EQ(Name::parse(r3).error(), WireError::kTruncated);
    Reader r4(std::span<const uint8_t>{});
    EXPECT_EQ(Name::parse(r4).error(), WireError::kTruncated);
}

TEST(Name, RejectsNamesOver255Octets) {
    // Five 63-octet labels via pointers: each pointer-built name grows.
    std::vector<uint8_t> wire;
    for (int i = 0; i < 4; ++i) {
        wire.push_back(63);
        wire.insert(wire.end(), 63, 'a');
    }
    wire.push_back(0);
    Reader r(wire);
    EXPECT_EQ(Name::parse(r).error(), WireError::kNameTooLong);

    // Compression cannot be used to exceed the limit either.
    std::vector<uint8_t> chained;
    chained.push_back(63);
    chained.insert(chained.end(), 63, 'b');
    chained.push_back(0);  // name at 0: 65 octets
    size_t prev = 0;
    for (int i = 0; i < 4; ++i) {
        size_t here = chained.size();
        chained.push_back(63);
        chained.insert(chained.end(), 63, 'c');
        chained.push_back(0xC0);
        chained.push_back(static_cast<uint8_t>(prev));
        prev = here;
        if (prev > 255) break;
    }
    Reader rc(chained, prev);
    auto n = Name::parse(rc);
    EXPECT_FALSE(n.ok());
}

TEST(Name, FromWireValidates) {
    auto good = bytes({1, 'a', 0});
    EXPECT_TRUE(Name::from_wire(good).ok());
    auto trailing = bytes({1, 'a', 0, 0});
    EXPECT_EQ(Name::from_wire(trailing).error(), WireError::kTrailingData);
    auto pointer = bytes({0xC0, 0});
    EXPECT_FALSE(Name::from_wire(pointer).ok());
}

TEST(Name, ConcatenateRespectsLimit) {
    std::string label(63, 'x');
    auto left = Name::from_text(label + "." + label, Name::root());
    ASSERT_TRUE(left.ok());
    auto right = N((label + "." + label + ".").c_str());
    EXPECT_FALSE(Name::from_text(label + "." + label, right).ok());
}

}  // namespace
}  // namespace cairn::wire
