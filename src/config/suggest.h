// "Did you mean ...?" for misspelt option names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace cairn::config {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of adjacent characters each count one.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, comparing without letter case and with '_'
// taken as '-', if it is close enough to be what was meant: at most a third
// of the word's length away (at least 1, at most 3 edits), or one of the two
// beginning with the other, of four letters or more ("warning", "warn").
std::optional<std::string_view> closest_word(std::string_view word,
                                             std::span<const std::string_view> candidates);

}  // namespace cairn::config
