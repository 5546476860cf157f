// YAML text → Config, driven by the option table. yaml-cpp reports trouble by
// exception; every one is caught here and becomes a ConfigProblem, so callers
// only ever see a Result.
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/config.h"
#include "config/options_table.h"
#include "config/suggest.h"

namespace cairn::config {
namespace {

// yaml-cpp counts lines from 0 and uses -1 for "unknown".
unsigned line_of(const YAML::Mark& mark) {
    return mark.line >= 0 ? static_cast<unsigned>(mark.line) + 1 : 0;
}

std::string_view line_text(std::string_view text, unsigned line) {
    for (unsigned n = 1; n < line; ++n) {
        const auto newline = text.find('\n');
        if (newline == std::string_view::npos) return {};
        text.remove_prefix(newline + 1);
    }
    return text.substr(0, text.find('\n'));
}

// `listen: [::1]:53` reads as a YAML flow list followed by junk; say what to
// do instead of only what yaml-cpp choked on.
bool looks_like_bare_ipv6_endpoint(std::string_view line) {
    const auto open = line.find('[');
    if (open == std::string_view::npos) return false;
    const auto close = line.find("]:", open);
    return close != std::string_view::npos && close + 2 < line.size() && line[close + 2] >= '0' &&
           line[close + 2] <= '9';
}

std::string did_you_mean(std::string_view key) {
    std::vector<std::string_view> names;
    std::map<std::string_view, std::string_view> owner;  // name → option key
    for (const Option& entry : options()) {
        names.push_back(entry.key);
        owner.emplace(entry.key, entry.key);
        for (std::string_view other : entry.other_names) {
            names.push_back(other);
            owner.emplace(other, entry.key);
        }
    }
    const auto closest = closest_word(key, names);
    if (!closest) return {};
    return " (did you mean '" + std::string(owner.at(*closest)) + "'?)";
}

class Reader {
public:
    Reader(std::string_view source, LoadContext context)
        : source_(source.empty() ? "<configuration>" : source), context_(std::move(context)) {}

    Result<Config, ConfigError> read(std::string_view text) {
        std::vector<YAML::Node> documents;
        try {
            documents = YAML::LoadAll(std::string(text));
        } catch (const YAML::Exception& e) {
            std::string message = "YAML syntax error: " + e.msg;
            const unsigned line = line_of(e.mark);
            if (looks_like_bare_ipv6_endpoint(line_text(text, line)))
                message += " (write an IPv6 address with a port in quotes: \"[::1]:53\")";
            problem(line, "", message);
            return failure();
        }
        if (documents.size() > 1)
            problem(line_of(documents[1].Mark()), "",
                    "more than one YAML document; a configuration is a single mapping");
        Config config;
        if (!documents.empty() && !documents.front().IsNull())
            read_mapping(documents.front(), config);
        if (problems_.empty()) check_rules(config);
        if (!problems_.empty()) return failure();
        return config;
    }

private:
    void problem(unsigned line, std::string_view key, std::string message) {
        problems_.push_back({source_, line, std::string(key), std::move(message)});
    }

    Unexpected<ConfigError> failure() { return Unexpected<ConfigError>{{std::move(problems_)}}; }

    void read_mapping(const YAML::Node& root, Config& config) {
        if (!root.IsMap()) {
            problem(line_of(root.Mark()), "",
                    "a configuration is a mapping of option names to values, such as "
                    "'threads: 4'");
            return;
        }
        for (const auto& pair : root) {
            const YAML::Node& key_node = pair.first;
            const unsigned line = line_of(key_node.Mark());
            if (!key_node.IsScalar()) {
                problem(line, "", "an option name must be a plain word, such as 'threads'");
                continue;
            }
            const std::string key = key_node.Scalar();
            if (const auto seen = lines_.find(key); seen != lines_.end()) {
                problem(
                    line, key,
                    "given more than once (first on line " + std::to_string(seen->second) + ")");
                continue;
            }
            lines_.emplace(key, line);
            const Option* entry = find_option(key);
            if (entry == nullptr) {
                problem(line, key, "unknown option" + did_you_mean(key));
                continue;
            }
            read_value(*entry, line, pair.second, config);
        }
    }

    void read_value(const Option& entry, unsigned key_line, const YAML::Node& node,
                    Config& config) {
        std::vector<ScalarValue> values;
        const std::string expected = " (expected " + entry.expected + ")";
        switch (node.Type()) {
            case YAML::NodeType::Scalar:
                values.push_back({node.Scalar(), line_of(node.Mark())});
                break;
            case YAML::NodeType::Sequence:
                if (!entry.is_list) {
                    problem(key_line, entry.key, "takes one value, not a list" + expected);
                    return;
                }
                for (const YAML::Node& item : node) {
                    auto value = item_value(item);
                    if (!value) {
                        problem(line_of(item.Mark()), entry.key, value.error() + expected);
                        return;
                    }
                    values.push_back(std::move(*value));
                }
                break;
            case YAML::NodeType::Map:
                if (!entry.takes_records) {
                    problem(key_line, entry.key, "takes no mapping" + expected);
                    return;
                }
                if (auto value = item_value(node); value) {
                    values.push_back(std::move(*value));
                } else {
                    problem(line_of(node.Mark()), entry.key, value.error() + expected);
                    return;
                }
                break;
            default: problem(key_line, entry.key, "has no value" + expected); return;
        }
        for (ValueError& error : entry.assign(config, values, context_))
            problem(error.line != 0 ? error.line : key_line, entry.key, std::move(error.message));
    }

    // A list item: a scalar, or a mapping of field names to scalars or lists
    // of scalars (whether the option takes records is checked by its kind).
    static Result<ScalarValue, std::string> item_value(const YAML::Node& item) {
        if (item.IsScalar()) return ScalarValue{item.Scalar(), line_of(item.Mark())};
        if (!item.IsMap()) return Unexpected<std::string>{"list items must be single values"};
        ScalarValue record{{}, line_of(item.Mark()), true, {}};
        for (const auto& pair : item) {
            if (!pair.first.IsScalar())
                return Unexpected<std::string>{"a field name must be a plain word"};
            RecordField field{pair.first.Scalar(), line_of(pair.first.Mark()), {}};
            if (pair.second.IsScalar()) {
                field.values.push_back({pair.second.Scalar(), line_of(pair.second.Mark())});
            } else if (pair.second.IsSequence()) {
                for (const YAML::Node& element : pair.second) {
                    if (!element.IsScalar())
                        return Unexpected<std::string>{"field '" + pair.first.Scalar() +
                                                       "' takes single values or a list of them"};
                    field.values.push_back({element.Scalar(), line_of(element.Mark())});
                }
            } else {
                return Unexpected<std::string>{"field '" + pair.first.Scalar() +
                                               "' takes single values or a list of them"};
            }
            record.fields.push_back(std::move(field));
        }
        return record;
    }

    void check_rules(const Config& config) {
        for (const Rule& rule : rules()) {
            const auto message = rule.broken(config);
            if (!message) continue;
            unsigned line = 0;
            for (std::string_view key : rule.keys) {
                if (const auto seen = lines_.find(std::string(key)); seen != lines_.end()) {
                    line = seen->second;
                    break;
                }
            }
            problem(line, "", *message);
        }
    }

    std::string source_;
    LoadContext context_;
    std::map<std::string, unsigned> lines_;  // option → line it is set on
    std::vector<ConfigProblem> problems_;
};

Result<Config, ConfigError> read_config(std::string_view text, std::string_view source,
                                        LoadContext context) {
    try {
        return Reader(source, std::move(context)).read(text);
    } catch (const std::exception& e) {
        // Not expected: yaml-cpp's own exceptions are handled where they arise.
        return Unexpected<ConfigError>{
            {{{std::string(source), 0, "", std::string("cannot read: ") + e.what()}}}};
    }
}

}  // namespace

std::string ConfigProblem::to_string() const {
    std::string out = source;
    if (line != 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    return out + message;
}

std::string ConfigError::to_string() const {
    std::string out;
    for (const ConfigProblem& problem : problems) {
        if (!out.empty()) out += '\n';
        out += problem.to_string();
    }
    return out;
}

Result<Config, ConfigError> load_config_text(std::string_view yaml, std::string_view source_name) {
    return read_config(yaml, source_name, LoadContext{});
}

Result<Config, ConfigError> load_config_file(const std::string& path) {
    auto cannot_read = [&path](std::string why) {
        return Unexpected<ConfigError>{{{{path, 0, "", "cannot read: " + std::move(why)}}}};
    };
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) return cannot_read("it is a directory");
    std::ifstream file(path, std::ios::binary);
    if (!file) return cannot_read(std::strerror(errno));
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) return cannot_read(std::strerror(errno));
    // Absolute, so that paths stay right if the daemon changes directory.
    auto base_dir = std::filesystem::absolute(std::filesystem::path(path), error).parent_path();
    if (error) base_dir = std::filesystem::path(path).parent_path();
    return read_config(text.str(), path, LoadContext{base_dir.string()});
}

}  // namespace cairn::config
