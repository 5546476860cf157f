// List items that are records: an option such as forward-zones takes a list
// of mappings, each with named fields of the usual kinds.
//
//   forward-zones:
//     - name: corp.example
//       addresses: [192.0.2.1, 192.0.2.2]
//
// A record kind is built from its fields: `field<&T::member>(name, Kind{},
// help)`, `.required()` for a field every item must have. The kind is used
// as the element of a ListOf, so the option table, its errors (file, line of
// the field, option) and docs/configuration.md treat it like any other.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/option.h"

namespace cairn::config {

template <class T>
struct RecordFieldSpec {
    std::string_view name;
    std::string type;
    std::string_view help;
    bool is_required = false;
    std::function<std::vector<ValueError>(T& record, std::span<const ScalarValue> values,
                                          const LoadContext& context)>
        assign;
    std::function<std::string(const T& record)> show;

    RecordFieldSpec required() && {
        is_required = true;
        return std::move(*this);
    }
};

template <class>
struct MemberOf;
template <class T, class M>
struct MemberOf<M T::*> {
    using Record = T;
    using Type = M;
};

template <auto Member, class Kind>
RecordFieldSpec<typename MemberOf<decltype(Member)>::Record> field(std::string_view name, Kind kind,
                                                                   std::string_view help) {
    using Record = typename MemberOf<decltype(Member)>::Record;
    static_assert(std::is_same_v<typename MemberOf<decltype(Member)>::Type, typename Kind::Value>,
                  "the field's kind does not match the type of its member");
    RecordFieldSpec<Record> spec;
    spec.name = name;
    spec.type = kind.type();
    spec.help = help;
    spec.assign = [kind](Record& record, std::span<const ScalarValue> values,
                         const LoadContext& context) {
        auto parsed = parse_values(kind, values, context);
        if (!parsed) return std::move(parsed.error());
        record.*Member = std::move(*parsed);
        return std::vector<ValueError>{};
    };
    spec.show = [kind](const Record& record) { return kind.format(record.*Member); };
    return spec;
}

// A mapping with the given fields; unknown, repeated and missing required
// fields are errors naming the field. `check` sees the whole record once its
// fields have been read (rules between fields).
template <class T>
struct RecordOf {
    using Value = T;
    using Record = T;
    std::string noun;         // "forward zone"
    std::string noun_plural;  // "forward zones"
    std::vector<RecordFieldSpec<T>> fields;
    std::function<std::optional<std::string>(const T&)> check;

    std::string type() const { return noun; }
    std::string plural() const { return noun_plural; }
    std::string range() const { return {}; }
    std::string expected() const {
        std::string out = "a mapping with ";
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i > 0) out += i + 1 == fields.size() ? " and " : ", ";
            out += std::string(fields[i].name);
        }
        return out;
    }

    std::vector<std::string> field_docs() const {
        std::vector<std::string> out;
        for (const RecordFieldSpec<T>& spec : fields)
            out.push_back("`" + std::string(spec.name) + "` (" + spec.type +
                          (spec.is_required ? ", required" : "") + "): " + std::string(spec.help));
        return out;
    }

    // The first problem, on the line of the field to blame (0: the item's).
    Result<T, ValueError> parse(const ScalarValue& item, const LoadContext& context) const {
        T record{};
        std::vector<std::string_view> seen;
        for (const RecordField& given : item.fields) {
            const RecordFieldSpec<T>* spec = find(given.name);
            if (spec == nullptr)
                return fail(given.line, given.name, "unknown field (expected " + names() + ")");
            for (std::string_view earlier : seen)
                if (earlier == given.name) return fail(given.line, given.name, "given twice");
            seen.push_back(given.name);
            auto errors = spec->assign(record, given.values, context);
            if (!errors.empty())
                return fail(errors.front().line != 0 ? errors.front().line : given.line, given.name,
                            std::move(errors.front().message));
        }
        for (const RecordFieldSpec<T>& spec : fields) {
            if (!spec.is_required) continue;
            bool given = false;
            for (std::string_view name : seen)
                given = given || name == spec.name;
            if (!given)
                return Unexpected<ValueError>{
                    {0, noun + " without '" + std::string(spec.name) + "'"}};
        }
        if (check)
            if (auto message = check(record)) return Unexpected<ValueError>{{0, *message}};
        return record;
    }

    std::string format(const T& record) const {
        std::string out = "{";
        for (const RecordFieldSpec<T>& spec : fields) {
            if (out.size() > 1) out += ", ";
            out += std::string(spec.name) + ": " + spec.show(record);
        }
        return out + "}";
    }

private:
    const RecordFieldSpec<T>* find(std::string_view name) const {
        for (const RecordFieldSpec<T>& spec : fields)
            if (spec.name == name) return &spec;
        return nullptr;
    }

    std::string names() const {
        std::string out;
        for (const RecordFieldSpec<T>& spec : fields)
            out += (out.empty() ? "" : ", ") + std::string(spec.name);
        return out;
    }

    static Unexpected<ValueError> fail(unsigned line, std::string_view name, std::string message) {
        return Unexpected<ValueError>{{line, std::string(name) + ": " + std::move(message)}};
    }
};

}  // namespace cairn::config
