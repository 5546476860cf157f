// One entry of the option table: an option's name, documentation, and the
// two type-erased functions the reader and the documentation need (read a
// value into a Config, show a Config's value). Entries are built by
// `option(key, group, at<&Config::..., &...>, Kind{...}, help)`, where the
// kind (option_kinds.h) knows the value's syntax, range and wording.
#pragma once

#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/config.h"

namespace cairn::config {

// Sections of docs/configuration.md, in this order.
enum class Group { server, clients, upstream, dnssec, limits, cache, control, dnstap };

// What reading a value may depend on besides its text.
struct LoadContext {
    // Directory that relative file paths are taken from; empty: leave them
    // relative to the working directory.
    std::string base_dir;
};

// One scalar from the file and the line it is on.
struct ScalarValue {
    std::string_view text;
    unsigned line = 0;
};

// A bad value: where, and what is wrong with it ("'12q' is not a size (...)").
struct ValueError {
    unsigned line = 0;
    std::string message;
};

struct Option {
    std::string_view key;
    Group group = Group::server;
    std::string_view help;
    std::string type;          // "size", "list of IP prefixes"
    std::string range;         // "512 to 4096"; empty: whatever the type allows
    std::string expected;      // what a value must look like, for errors
    bool is_list = false;      // takes a YAML list (or a single scalar for one item)
    std::string element_type;  // for lists: the type of one item ("IP prefix")
    // What other resolvers call this option, offered as suggestions when
    // someone writes one of them here.
    std::vector<std::string_view> other_names;

    // The option's value in `config`, as YAML text that reads back the same.
    std::function<std::string(const Config& config)> show;
    // Parses `values` (exactly one unless is_list) into `config`; returns the
    // bad values, leaving `config` unchanged if there are any.
    std::function<std::vector<ValueError>(Config& config, std::span<const ScalarValue> values,
                                          const LoadContext& context)>
        assign;

    Option also_known_as(std::initializer_list<std::string_view> names) && {
        other_names.assign(names.begin(), names.end());
        return std::move(*this);
    }
};

// A field of Config reached through a chain of member pointers:
// at<&Config::cache, &cache::CacheOptions::max_bytes>.
template <auto... Members>
struct FieldPath {};

template <auto... Members>
inline constexpr FieldPath<Members...> at{};

template <auto First, auto... Rest, class Object>
constexpr auto& member_at(Object& object) {
    if constexpr (sizeof...(Rest) == 0)
        return object.*First;
    else
        return member_at<Rest...>(object.*First);
}

template <class Kind>
concept ListKind = requires {
    typename Kind::Element;
};

template <class Kind>
auto parse_with(const Kind& kind, std::string_view text, const LoadContext& context) {
    if constexpr (requires { kind.parse(text, context); })
        return kind.parse(text, context);
    else
        return kind.parse(text);
}

template <auto... Members, class Kind>
Option option(std::string_view key, Group group, FieldPath<Members...>, Kind kind,
              std::string_view help) {
    using Field = std::remove_cvref_t<decltype(member_at<Members...>(std::declval<Config&>()))>;
    static_assert(std::is_same_v<Field, typename Kind::Value>,
                  "the option's kind does not match the type of its Config field");
    Option entry;
    entry.key = key;
    entry.group = group;
    entry.help = help;
    entry.type = kind.type();
    entry.range = kind.range();
    entry.expected = kind.expected();
    entry.is_list = ListKind<Kind>;
    if constexpr (ListKind<Kind>) entry.element_type = kind.element.type();
    entry.show = [kind](const Config& config) {
        return kind.format(member_at<Members...>(config));
    };
    entry.assign = [kind](Config& config, std::span<const ScalarValue> values,
                          const LoadContext& context) {
        std::vector<ValueError> errors;
        Field parsed{};
        if constexpr (ListKind<Kind>) {
            for (const ScalarValue& value : values) {
                auto item = parse_with(kind.element, value.text, context);
                if (item)
                    parsed.push_back(std::move(*item));
                else
                    errors.push_back({value.line, item.error()});
            }
            if (errors.empty()) {
                // Line 0: the reader blames the option's own line.
                if (auto message = kind.check(parsed)) errors.push_back({0, *message});
            }
        } else if (values.size() != 1) {
            errors.push_back({values.empty() ? 0 : values.front().line,
                              "takes exactly one value (expected " + kind.expected() + ")"});
        } else {
            auto item = parse_with(kind, values.front().text, context);
            if (item)
                parsed = std::move(*item);
            else
                errors.push_back({values.front().line, item.error()});
        }
        if (errors.empty()) member_at<Members...>(config) = std::move(parsed);
        return errors;
    };
    return entry;
}

}  // namespace cairn::config
