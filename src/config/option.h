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
enum class Group { server, clients, upstream, dnssec, limits, policy, cache, control, dnstap };

// What reading a value may depend on besides its text.
struct LoadContext {
    // Directory that relative file paths are taken from; empty: leave them
    // relative to the working directory.
    std::string base_dir;
};

struct RecordField;

// One value from the file and the line it is on: a scalar, or, for options
// whose list items are records (forward-zones), an item written as a mapping.
struct ScalarValue {
    std::string_view text;
    unsigned line = 0;
    bool is_record = false;
    std::vector<RecordField> fields{};  // a record's fields in file order
};

// One field of a record item: its name and its value, a scalar or a list.
struct RecordField {
    std::string_view name;
    unsigned line = 0;
    std::vector<ScalarValue> values;
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
    // For lists of records: each item is a mapping; one line per field for
    // the documentation ("`name` (domain name, required): the zone").
    bool takes_records = false;
    std::vector<std::string> record_fields;
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
auto parse_with(const Kind& kind, const ScalarValue& value, const LoadContext& context) {
    if constexpr (requires { kind.parse(value, context); })
        return kind.parse(value, context);
    else if constexpr (requires { kind.parse(value.text, context); })
        return kind.parse(value.text, context);
    else
        return kind.parse(value.text);
}

inline ValueError located(unsigned line, std::string message) {
    return {line, std::move(message)};
}
inline ValueError located(unsigned line, ValueError error) {
    if (error.line == 0) error.line = line;
    return error;
}

template <class Kind>
concept RecordKind = requires {
    typename Kind::Record;
};

// Reads `values` (exactly one unless the kind is a list) as the kind says:
// the value, or every bad value with its line (0: the option's own line).
template <class Kind>
Result<typename Kind::Value, std::vector<ValueError>> parse_values(
    const Kind& kind, std::span<const ScalarValue> values, const LoadContext& context) {
    std::vector<ValueError> errors;
    typename Kind::Value parsed{};
    if constexpr (ListKind<Kind>) {
        for (const ScalarValue& value : values) {
            if (value.is_record != RecordKind<typename Kind::Element>) {
                errors.push_back({value.line, value.is_record
                                                  ? "list items must be single values (expected " +
                                                        kind.element.expected() + ")"
                                                  : "list items must be mappings (expected " +
                                                        kind.element.expected() + ")"});
                continue;
            }
            auto item = parse_with(kind.element, value, context);
            if (item)
                parsed.push_back(std::move(*item));
            else
                errors.push_back(located(value.line, std::move(item.error())));
        }
        // Line 0: the reader blames the option's own line.
        if (errors.empty())
            if (auto message = kind.check(parsed)) errors.push_back({0, *message});
    } else if (values.size() != 1 || values.front().is_record) {
        errors.push_back({values.empty() ? 0 : values.front().line,
                          "takes exactly one value (expected " + kind.expected() + ")"});
    } else {
        auto item = parse_with(kind, values.front(), context);
        if (item)
            parsed = std::move(*item);
        else
            errors.push_back({values.front().line, item.error()});
    }
    if (!errors.empty()) return Unexpected<std::vector<ValueError>>{std::move(errors)};
    return parsed;
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
    if constexpr (ListKind<Kind>) {
        entry.element_type = kind.element.type();
        if constexpr (RecordKind<typename Kind::Element>) {
            entry.takes_records = true;
            entry.record_fields = kind.element.field_docs();
        }
    }
    entry.show = [kind](const Config& config) {
        return kind.format(member_at<Members...>(config));
    };
    entry.assign = [kind](Config& config, std::span<const ScalarValue> values,
                          const LoadContext& context) {
        auto parsed = parse_values(kind, values, context);
        if (!parsed) return std::move(parsed.error());
        member_at<Members...>(config) = std::move(*parsed);
        return std::vector<ValueError>{};
    };
    return entry;
}

}  // namespace cairn::config
