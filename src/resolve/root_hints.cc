#include "resolve/root_hints.h"

#include "wire/zone_reader.h"

namespace cairn::resolve {

namespace {

// The IANA root hints (named.root), as of 2023 (b.root-servers.net renumbered).
constexpr std::string_view kBuiltinHints = R"(
.                        3600000  NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000  A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000  AAAA  2001:503:ba3e::2:30
.                        3600000  NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000  A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000  AAAA  2801:1b8:10::b
.                        3600000  NS    C.ROOT-SERVERS.NET.
C.ROOT-SERVERS.NET.      3600000  A     192.33.4.12
C.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:2::c
.                        3600000  NS    D.ROOT-SERVERS.NET.
D.ROOT-SERVERS.NET.      3600000  A     199.7.91.13
D.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:2d::d
.                        3600000  NS    E.ROOT-SERVERS.NET.
E.ROOT-SERVERS.NET.      3600000  A     192.203.230.10
E.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:a8::e
.                        3600000  NS    F.ROOT-SERVERS.NET.
F.ROOT-SERVERS.NET.      3600000  A     192.5.5.241
F.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:2f::f
.                        3600000  NS    G.ROOT-SERVERS.NET.
G.ROOT-SERVERS.NET.      3600000  A     192.112.36.4
G.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:12::d0d
.                        3600000  NS    H.ROOT-SERVERS.NET.
H.ROOT-SERVERS.NET.      3600000  A     198.97.190.53
H.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:1::53
.                        3600000  NS    I.ROOT-SERVERS.NET.
I.ROOT-SERVERS.NET.      3600000  A     192.36.148.17
I.ROOT-SERVERS.NET.      3600000  AAAA  2001:7fe::53
.                        3600000  NS    J.ROOT-SERVERS.NET.
J.ROOT-SERVERS.NET.      3600000  A     192.58.128.30
J.ROOT-SERVERS.NET.      3600000  AAAA  2001:503:c27::2:30
.                        3600000  NS    K.ROOT-SERVERS.NET.
K.ROOT-SERVERS.NET.      3600000  A     193.0.14.129
K.ROOT-SERVERS.NET.      3600000  AAAA  2001:7fd::1
.                        3600000  NS    L.ROOT-SERVERS.NET.
L.ROOT-SERVERS.NET.      3600000  A     199.7.83.42
L.ROOT-SERVERS.NET.      3600000  AAAA  2001:500:9f::42
.                        3600000  NS    M.ROOT-SERVERS.NET.
M.ROOT-SERVERS.NET.      3600000  A     202.12.27.33
M.ROOT-SERVERS.NET.      3600000  AAAA  2001:dc3::35
)";

// Keeps the root NS records and the addresses of their names.
Result<RootHints, TextError> from_records(std::vector<wire::Record> records,
                                          std::string_view source) {
    RootHints hints;
    for (auto& record : records) {
        if (record.type == wire::RRType::NS && record.owner.is_root())
            hints.ns.push_back(std::move(record));
        else if (record.type == wire::RRType::A || record.type == wire::RRType::AAAA)
            hints.addresses.push_back(std::move(record));
    }
    for (const auto& ns : hints.ns) {
        const auto name = wire::Name::from_wire(ns.rdata.bytes());
        for (const auto& address : hints.addresses)
            if (name && *name == address.owner) return hints;
    }
    return text_error(std::string(source) +
                      ": no root server with an address (need '. NS name' and 'name A/AAAA')");
}

}  // namespace

RootHints RootHints::builtin() {
    // The text above is fixed and covered by a unit test; it always parses.
    return *from_text(kBuiltinHints, "built-in root hints");
}

Result<RootHints, TextError> RootHints::from_text(std::string_view text, std::string_view source) {
    auto records = wire::read_zone(text, wire::Name::root(), source);
    if (!records) return Unexpected<TextError>{records.error()};
    return from_records(std::move(*records), source);
}

Result<RootHints, TextError> RootHints::from_file(const std::string& path) {
    auto records = wire::read_zone_file(path, wire::Name::root());
    if (!records) return Unexpected<TextError>{records.error()};
    return from_records(std::move(*records), path);
}

}  // namespace cairn::resolve
