// The option table: every configuration option, declared once, and the rules
// that tie options together. The reader (config_loader.cc) and the
// documentation (config_doc.cc) only ever walk these two lists.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/option.h"

namespace cairn::config {

// All options, grouped by Group and in documentation order.
std::span<const Option> options();

// The option named `key` exactly, or null.
const Option* find_option(std::string_view key);

// A check across options, run once every option has been read.
struct Rule {
    // The options concerned, the one most likely at fault first: the first of
    // them that the file sets gives the line of the error.
    std::vector<std::string_view> keys;
    // The rule in words, for the documentation.
    std::string_view description;
    // What is wrong with `config`, in a sentence naming the options, or
    // nullopt when the rule holds.
    std::function<std::optional<std::string>(const Config& config)> broken;
};

std::span<const Rule> rules();

}  // namespace cairn::config
