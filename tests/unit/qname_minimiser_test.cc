// QNAME minimisation (RFC 9156): what each zone's servers are asked on the
// way to a question, one case per row.
#include "resolve/qname_minimiser.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::resolve {
namespace {

using wire::RRClass;
using wire::RRType;

struct Case {
    const char* what;
    const char* target;
    RRType type;
    const char* zone;
    size_t labels_beyond;
    const char* asked;  // the name sent
    RRType asked_type;
};

const Case kCases[] = {
    {"root's servers see the TLD", "www.example.com.", RRType::AAAA, ".", 1, "com.", RRType::A},
    {"a TLD's servers see one label more", "www.example.com.", RRType::MX, "com.", 1,
     "example.com.", RRType::A},
    {"the last zone gets the real question", "www.example.com.", RRType::MX, "example.com.", 1,
     "www.example.com.", RRType::MX},
    {"a question at the zone's own name is asked as it is", "example.com.", RRType::NS,
     "example.com.", 1, "example.com.", RRType::NS},
    {"two labels beyond, on a deep name", "a.b.c.d.example.", RRType::TXT, "example.", 2,
     "c.d.example.", RRType::A},
    {"more labels beyond than the name has: the real question", "b.example.", RRType::SRV,
     "example.", 3, "b.example.", RRType::SRV},
    {"a zone below the target (never asked for) gives the real question", "example.", RRType::DS,
     "sub.example.", 1, "example.", RRType::DS},
    {"DS questions too are minimised on the way", "x.y.example.", RRType::DS, ".", 1, "example.",
     RRType::A},
};

TEST(QnameMinimiser, EachZoneSeesOneLabelMoreThanItself) {
    for (const auto& c : kCases) {
        const wire::Question target{*wire::Name::from_text(c.target), c.type, RRClass::IN};
        const auto asked =
            minimised_question(target, *wire::Name::from_text(c.zone), c.labels_beyond);
        EXPECT_EQ(asked.name, *wire::Name::from_text(c.asked)) << c.what;
        EXPECT_EQ(asked.type, c.asked_type) << c.what;
        EXPECT_EQ(asked.rclass, RRClass::IN) << c.what;
    }
}

TEST(QnameMinimiser, TheClassIsKeptAndTheSpellingOfTheTarget) {
    const wire::Question target{*wire::Name::from_text("WwW.Example.COM."), RRType::TXT,
                                RRClass::CH};
    const auto asked = minimised_question(target, *wire::Name::from_text("com."), 1);
    EXPECT_EQ(asked.rclass, RRClass::CH);
    EXPECT_TRUE(asked.name.identical(*wire::Name::from_text("Example.COM.")))
        << asked.name.to_text();
}

}  // namespace
}  // namespace cairn::resolve
