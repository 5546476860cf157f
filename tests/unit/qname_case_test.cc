// 0x20 spelling of names, restoring the resolver's case in replies, and the
// random pool behind them.
#include "net/qname_case.h"

#include <gtest/gtest.h>

#include <set>

#include "net/random_pool.h"

namespace cairn::net {
namespace {

using wire::RRType;

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

size_t upper_letters(const wire::Name& n) {
    size_t count = 0;
    for (uint8_t c : n.wire())
        count += c >= 'A' && c <= 'Z';
    return count;
}

TEST(QnameCase, EveryLetterEitherCaseOtherOctetsUntouched) {
    RandomPool random;
    // Digits, a hyphen, an underscore, a non-ASCII octet and an escaped dot:
    // none of them has a case.
    const auto original = name("Ab-1_c.\\200x\\.y.EXAMPLE.");
    size_t upper = 0;
    size_t letters = 0;
    std::set<std::string> spellings;
    for (int i = 0; i < 200; ++i) {
        const auto spelt = randomise_case(original, random);
        ASSERT_EQ(spelt, original);
        ASSERT_EQ(spelt.label_count(), original.label_count());
        ASSERT_EQ(spelt.wire().size(), original.wire().size());
        for (size_t k = 0; k < spelt.wire().size(); ++k) {
            const uint8_t a = spelt.wire()[k];
            const uint8_t b = original.wire()[k];
            if (wire::ascii_lower(b) >= 'a' && wire::ascii_lower(b) <= 'z') {
                ++letters;
                EXPECT_EQ(wire::ascii_lower(a), wire::ascii_lower(b));
            } else {
                EXPECT_EQ(a, b) << "octet " << k << " changed";
            }
        }
        upper += upper_letters(spelt);
        spellings.insert(spelt.to_text());
    }
    // 11 letters, 200 draws: about half upper; each spelling seen rarely.
    EXPECT_GT(upper, letters * 4 / 10);
    EXPECT_LT(upper, letters * 6 / 10);
    EXPECT_GT(spellings.size(), 150u);
}

TEST(QnameCase, NeverAllLowerNorAllUpperCase) {
    // A forger's first guesses: with two letters, only the two mixed
    // spellings may go out; with one, only the upper case.
    RandomPool random;
    std::set<std::string> two;
    for (int i = 0; i < 200; ++i) {
        const auto spelt = randomise_case(name("ab."), random);
        EXPECT_EQ(upper_letters(spelt), 1u) << spelt.to_text();
        two.insert(spelt.to_text());
        EXPECT_TRUE(randomise_case(name("7z.1."), random).identical(name("7Z.1.")));
    }
    EXPECT_EQ(two, (std::set<std::string>{"Ab.", "aB."}));
}

TEST(QnameCase, NamesWithoutLetters) {
    RandomPool random;
    EXPECT_TRUE(randomise_case(wire::Name::root(), random).identical(wire::Name::root()));
    const auto digits = name("1.2.3.4.");
    EXPECT_TRUE(randomise_case(digits, random).identical(digits));
}

TEST(QnameCase, RestoreGivesBackTheResolversCase) {
    const auto original = name("www.Example.com.");
    const auto sent = name("WwW.eXAMple.cOm.");
    wire::Message m;
    m.questions.push_back({sent, RRType::A});
    auto record = [](const wire::Name& owner) {
        return wire::Record{owner, RRType::A, wire::RRClass::IN, 300,
                            *wire::RData::from_wire(RRType::A, std::array<uint8_t, 4>{1, 2, 3, 4})};
    };
    m.answers.push_back(record(sent));                         // echoed by compression
    m.answers.push_back(record(name("www.example.com.")));     // the zone's own spelling
    m.authorities.push_back(record(name("eXAMple.cOm.")));     // a suffix of the question
    m.additionals.push_back(record(name("ns.eXAMple.cOm.")));  // not a suffix
    restore_case(m, sent, original);
    EXPECT_TRUE(m.questions[0].name.identical(original));
    EXPECT_TRUE(m.answers[0].owner.identical(original));
    EXPECT_TRUE(m.answers[1].owner.identical(name("www.example.com.")));
    EXPECT_TRUE(m.authorities[0].owner.identical(name("Example.com.")));
    EXPECT_TRUE(m.additionals[0].owner.identical(name("ns.eXAMple.cOm.")));
}

TEST(QnameCase, RestoreWhenTheServerChangedTheCase) {
    // A server known not to preserve case was asked in lower case and
    // answered in upper case: the question still comes back as asked.
    const auto original = name("www.Example.");
    wire::Message m;
    m.questions.push_back({name("WWW.EXAMPLE."), RRType::A});
    restore_case(m, original.lowercased(), original);
    EXPECT_TRUE(m.questions[0].name.identical(original));
}

TEST(RandomPool, ValuesVaryAndStayInRange) {
    RandomPool random;
    std::set<uint16_t> ids;
    std::array<int, 3> seen{};
    // More than one pool's worth, so refills are exercised.
    for (int i = 0; i < 1000; ++i) {
        ids.insert(random.u16());
        const auto k = random.below(3);
        ASSERT_LT(k, 3u);
        ++seen[k];
    }
    EXPECT_GT(ids.size(), 900u);
    for (int n : seen)
        EXPECT_GT(n, 200);
    EXPECT_EQ(random.below(1), 0u);
    EXPECT_NE(random.u64(), random.u64());
}

}  // namespace
}  // namespace cairn::net
