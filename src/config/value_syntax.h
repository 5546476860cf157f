// The spelling of option values in the configuration file: booleans, whole
// numbers, sizes, durations, and YAML quoting for writing values back out.
// Pure text functions; the option kinds (option_kinds.h) build on them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::config {

// true/false, yes/no, on/off, in any letter case.
std::optional<bool> parse_bool(std::string_view text);

// A decimal whole number without sign; nullopt on anything else or when it
// does not fit in 64 bits.
std::optional<uint64_t> parse_unsigned(std::string_view text);

// Bytes: "4096", or a number with k, m, g or t (powers of 1024), optionally
// followed by "b" or "ib" ("256m", "256MB", "1GiB").
std::optional<uint64_t> parse_size(std::string_view text);
// The shortest exact spelling that parse_size reads back: "256m", "1500".
std::string format_size(uint64_t bytes);

// One or more number-unit pairs with units ms, s, m, h, d ("800ms", "1h30m");
// a plain number is seconds. nullopt on anything else or absurd magnitudes.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// The shortest exact spelling in the largest unit: "1d", "90s", "800ms".
std::string format_duration(std::chrono::milliseconds duration);

// `text` as a YAML scalar that reads back as the same string: bare when it is
// a plain word or path, double-quoted (with escapes) otherwise.
std::string yaml_scalar(std::string_view text);

}  // namespace cairn::config
