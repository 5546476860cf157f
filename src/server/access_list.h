// Which clients may query (`allow`); the others are answered REFUSED.
#pragma once

#include <vector>

#include "wire/ip_address.h"

namespace cairn::server {

class AccessList {
public:
    AccessList() = default;
    explicit AccessList(std::vector<wire::IpPrefix> allow) : allow_(std::move(allow)) {}

    // A linear scan: lists are short, and this runs on the fast path
    // without allocating.
    bool allows(const wire::IpAddress& client) const {
        for (const auto& prefix : allow_)
            if (prefix.contains(client)) return true;
        return false;
    }

    const std::vector<wire::IpPrefix>& prefixes() const { return allow_; }

private:
    std::vector<wire::IpPrefix> allow_;
};

}  // namespace cairn::server
