// ZoneMap: the closest enclosing zone of a name decides, whatever the case.
#include <gtest/gtest.h>

#include <string>

#include "policy/zone_map.h"

namespace cairn::policy {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

TEST(ZoneMap, TheClosestEnclosingZoneWins) {
    ZoneMap<std::string> zones;
    EXPECT_TRUE(zones.insert(name("example."), "example"));
    EXPECT_TRUE(zones.insert(name("Corp.Example."), "corp"));
    EXPECT_TRUE(zones.insert(name("a.b.c.d.e.f.example."), "deep"));
    EXPECT_FALSE(zones.insert(name("corp.example."), "again"));
    struct Case {
        std::string_view name;
        std::string_view zone;  // empty: no match
    };
    for (const Case c : std::initializer_list<Case>{{"www.corp.example.", "corp"},
                                                    {"CORP.example.", "corp"},
                                                    {"x.y.z.a.b.c.d.e.f.example.", "deep"},
                                                    {"b.c.d.e.f.example.", "example"},
                                                    {"example.", "example"},
                                                    {"example.org.", ""},
                                                    {".", ""}}) {
        const auto match = zones.closest(name(c.name));
        if (c.zone.empty()) {
            EXPECT_FALSE(match) << c.name;
        } else {
            ASSERT_TRUE(match) << c.name;
            EXPECT_EQ(match->value, c.zone) << c.name;
        }
    }
    EXPECT_EQ(zones.closest(name("www.corp.example."))->zone.to_text(), "corp.example.");
}

TEST(ZoneMap, TheRootEnclosesEverything) {
    ZoneMap<int> zones;
    EXPECT_FALSE(zones.closest(name("example.")));
    zones.insert(name("."), 1);
    ASSERT_TRUE(zones.closest(name("www.example.")));
    EXPECT_EQ(zones.closest(name("www.example."))->value, 1);
    EXPECT_EQ(*zones.exact(name(".")), 1);
    EXPECT_EQ(zones.exact(name("example.")), nullptr);
}

}  // namespace
}  // namespace cairn::policy
