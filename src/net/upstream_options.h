// Settings of the upstream transport's defences against forged answers
// (DESIGN.md "Upstream hygiene"), filled in by config.
#pragma once

#include <cstdint>

namespace cairn::net {

struct UpstreamOptions {
    // draft-vixie-dnsext-dns0x20: random letter case in every QNAME sent;
    // a reply must echo it exactly.
    bool qname_case_randomisation = true;
    // A UDP query that has had this many replies from its server's address
    // and port that were not its answer (wrong ID, question or case) is
    // being raced by a forger: it is asked again over TCP. 0: never.
    uint32_t spoof_nearmiss_max = 1;
    // RFC 7873 client side: a client cookie to every server (with EDNS),
    // the server's cookie remembered; once a server has answered with a
    // valid cookie, a reply from it without ours is forged.
    bool cookies = true;
};

}  // namespace cairn::net
