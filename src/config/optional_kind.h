// A field that may be left out: the kind's value when given, nullopt (the
// documented fallback) when not. For record fields such as zone-policy's,
// where an unset field means "the global option".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/option_kinds.h"

namespace cairn::config {

template <class K>
struct Optional {
    using Value = std::optional<typename K::Value>;
    K kind{};

    std::string type() const { return kind.type(); }
    std::string range() const { return kind.range(); }
    std::string expected() const { return kind.expected(); }
    Parsed<Value> parse(std::string_view text) const {
        if (text == "~") return Value{};
        auto parsed = kind.parse(text);
        if (!parsed) return Unexpected<std::string>{std::move(parsed.error())};
        return Value{std::move(*parsed)};
    }
    // "~": YAML's null, for a field left out.
    std::string format(const Value& value) const { return value ? kind.format(*value) : "~"; }
};

}  // namespace cairn::config
