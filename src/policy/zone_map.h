// Settings kept per zone, where the closest enclosing zone of a name decides:
// the most specific local zone, forward zone or zone-policy entry wins.
#pragma once

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "wire/name.h"

namespace cairn::policy {

template <class T>
class ZoneMap {
public:
    struct Match {
        const wire::Name& zone;
        const T& value;
    };

    // False when `zone` is already there; the first entry stays.
    bool insert(const wire::Name& zone, T value) {
        const bool added = entries_.try_emplace(zone.lowercased(), std::move(value)).second;
        if (added) deepest_ = std::max(deepest_, zone.label_count());
        return added;
    }

    // The entry of the closest zone that encloses `name` (or is it).
    // Allocation-free: one hash lookup per label, from the deepest zone held.
    std::optional<Match> closest(const wire::Name& name) const {
        if (entries_.empty()) return std::nullopt;
        wire::Name candidate = name.suffix(std::min(name.label_count(), deepest_));
        for (;;) {
            if (const auto found = entries_.find(candidate); found != entries_.end())
                return Match{found->first, found->second};
            if (candidate.is_root()) return std::nullopt;
            candidate = candidate.parent();
        }
    }

    const T* exact(const wire::Name& zone) const {
        const auto found = entries_.find(zone);
        return found == entries_.end() ? nullptr : &found->second;
    }

    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    auto begin() const { return entries_.begin(); }
    auto end() const { return entries_.end(); }

private:
    std::unordered_map<wire::Name, T, wire::NameHash> entries_;
    size_t deepest_ = 0;
};

}  // namespace cairn::policy
