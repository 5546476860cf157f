// Settings of the upstream transport's defences against forged answers
// (DESIGN.md "Upstream hygiene"), filled in by config.
#pragma once

#include <cstdint>

namespace cairn::net {

struct UpstreamOptions {
    // draft-vixie-dnsext-dns0x20: random letter case in every QNAME sent;
    // a reply must echo it exactly.
    bool qname_case_randomisation = true;
};

}  // namespace cairn::net
