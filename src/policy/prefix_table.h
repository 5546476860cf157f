// Values kept per IP prefix, where the longest prefix that contains an
// address decides (RPZ's rpz-ip, rpz-nsip and rpz-client-ip triggers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wire/ip_address.h"

namespace cairn::policy {

struct IpPrefixHash {
    size_t operator()(const wire::IpPrefix& prefix) const {
        size_t h = prefix.length() * 0x9E3779B97F4A7C15ull + (prefix.address().is_v4() ? 1 : 2);
        for (const uint8_t b : prefix.address().bytes())
            h = (h ^ b) * 0x100000001B3ull;
        return h;
    }
};

template <class T>
class PrefixTable {
public:
    struct Match {
        const wire::IpPrefix& prefix;
        const T& value;
    };

    // False when `prefix` is already there; the first entry stays.
    bool insert(const wire::IpPrefix& prefix, T value) {
        const bool added = entries_.try_emplace(prefix, std::move(value)).second;
        if (!added) return false;
        auto& lengths = prefix.address().is_v4() ? v4_lengths_ : v6_lengths_;
        if (std::find(lengths.begin(), lengths.end(), prefix.length()) == lengths.end()) {
            lengths.push_back(prefix.length());
            std::sort(lengths.begin(), lengths.end(), std::greater<>());
        }
        return true;
    }

    // The longest prefix holding `address`: one hash lookup per prefix
    // length in use for its family, longest first, and no allocation. An
    // IPv4-mapped IPv6 address is looked up as the IPv4 address it maps.
    std::optional<Match> longest(const wire::IpAddress& address) const {
        if (entries_.empty()) return std::nullopt;
        if (!address.is_v4())
            if (const auto v4 = address.mapped_v4()) return longest(*v4);
        for (const uint8_t length : address.is_v4() ? v4_lengths_ : v6_lengths_) {
            const auto found = entries_.find(wire::IpPrefix(address, length));
            if (found != entries_.end()) return Match{found->first, found->second};
        }
        return std::nullopt;
    }

    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }

private:
    std::unordered_map<wire::IpPrefix, T, IpPrefixHash> entries_;
    std::vector<uint8_t> v4_lengths_;
    std::vector<uint8_t> v6_lengths_;
};

}  // namespace cairn::policy
