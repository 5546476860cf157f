#include "config/suggest.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace cairn::config {
namespace {

std::string normalised(std::string_view word) {
    std::string out;
    out.reserve(word.size());
    for (char c : word)
        out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "warning" for "warn", "listen-address" for "listen": a longer spelling of a
// word of at least four letters.
bool extends(std::string_view longer, std::string_view word) {
    return word.size() >= 4 && longer.size() > word.size() && longer.substr(0, word.size()) == word;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the dynamic programme: the swap rule looks two back.
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string_view> closest_word(std::string_view word,
                                             std::span<const std::string_view> candidates) {
    const std::string wanted = normalised(word);
    const size_t limit = std::clamp<size_t>(wanted.size() / 3, 1, 3);
    std::optional<std::string_view> best;
    size_t best_distance = 0;
    for (std::string_view candidate : candidates) {
        const std::string name = normalised(candidate);
        const size_t distance = edit_distance(wanted, name);
        const bool close = distance <= limit || extends(wanted, name) || extends(name, wanted);
        if (close && (!best || distance < best_distance)) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace cairn::config
