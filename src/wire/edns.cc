#include "wire/edns.h"

#include <algorithm>

#include "wire/types.h"

namespace cairn::wire {

std::string to_string(ExtendedErrorCode code) {
    switch (code) {
        case ExtendedErrorCode::kOther: return "Other Error";
        case ExtendedErrorCode::kUnsupportedDnskeyAlgorithm: return "Unsupported DNSKEY Algorithm";
        case ExtendedErrorCode::kUnsupportedDsDigestType: return "Unsupported DS Digest Type";
        case ExtendedErrorCode::kStaleAnswer: return "Stale Answer";
        case ExtendedErrorCode::kForgedAnswer: return "Forged Answer";
        case ExtendedErrorCode::kDnssecIndeterminate: return "DNSSEC Indeterminate";
        case ExtendedErrorCode::kDnssecBogus: return "DNSSEC Bogus";
        case ExtendedErrorCode::kSignatureExpired: return "Signature Expired";
        case ExtendedErrorCode::kSignatureNotYetValid: return "Signature Not Yet Valid";
        case ExtendedErrorCode::kDnskeyMissing: return "DNSKEY Missing";
        case ExtendedErrorCode::kRrsigsMissing: return "RRSIGs Missing";
        case ExtendedErrorCode::kNoZoneKeyBitSet: return "No Zone Key Bit Set";
        case ExtendedErrorCode::kNsecMissing: return "NSEC Missing";
        case ExtendedErrorCode::kCachedError: return "Cached Error";
        case ExtendedErrorCode::kNotReady: return "Not Ready";
        case ExtendedErrorCode::kBlocked: return "Blocked";
        case ExtendedErrorCode::kCensored: return "Censored";
        case ExtendedErrorCode::kFiltered: return "Filtered";
        case ExtendedErrorCode::kProhibited: return "Prohibited";
        case ExtendedErrorCode::kStaleNxdomainAnswer: return "Stale NXDOMAIN Answer";
        case ExtendedErrorCode::kNotAuthoritative: return "Not Authoritative";
        case ExtendedErrorCode::kNotSupported: return "Not Supported";
        case ExtendedErrorCode::kNoReachableAuthority: return "No Reachable Authority";
        case ExtendedErrorCode::kNetworkError: return "Network Error";
        case ExtendedErrorCode::kInvalidData: return "Invalid Data";
        case ExtendedErrorCode::kSignatureExpiredBeforeValid:
            return "Signature Expired before Valid";
        case ExtendedErrorCode::kTooEarly: return "Too Early";
        case ExtendedErrorCode::kUnsupportedNsec3Iterations:
            return "Unsupported NSEC3 Iterations Value";
    }
    return "Unknown Error " + std::to_string(static_cast<unsigned>(code));
}

namespace {

WireResult<EdnsOption> parse_option(uint16_t code, std::span<const uint8_t> data) {
    switch (static_cast<EdnsOptionCode>(code)) {
        case EdnsOptionCode::COOKIE: {
            // Client cookie alone (8) or with a server cookie of 8..32 octets.
            if (data.size() != 8 && (data.size() < 16 || data.size() > 40))
                return fail(WireError::kBadOpt);
            CookieOption c;
            std::copy(data.begin(), data.begin() + 8, c.client.begin());
            c.server.assign(data.begin() + 8, data.end());
            return EdnsOption{std::move(c)};
        }
        case EdnsOptionCode::CLIENT_SUBNET: {
            if (data.size() < 4) return fail(WireError::kBadOpt);
            ClientSubnetOption s;
            s.family = load_u16(data.data());
            s.source_prefix = data[2];
            s.scope_prefix = data[3];
            const unsigned max_prefix = s.family == 1 ? 32 : s.family == 2 ? 128 : 0;
            if (max_prefix == 0 || s.source_prefix > max_prefix || s.scope_prefix > max_prefix)
                return fail(WireError::kBadOpt);
            // RFC 7871 §6: exactly the octets the source prefix needs.
            if (data.size() - 4 != (s.source_prefix + 7u) / 8) return fail(WireError::kBadOpt);
            s.address.assign(data.begin() + 4, data.end());
            return EdnsOption{std::move(s)};
        }
        case EdnsOptionCode::EXTENDED_ERROR: {
            if (data.size() < 2) return fail(WireError::kBadOpt);
            ExtendedErrorOption e;
            e.code = static_cast<ExtendedErrorCode>(load_u16(data.data()));
            e.extra_text.assign(data.begin() + 2, data.end());
            return EdnsOption{std::move(e)};
        }
        case EdnsOptionCode::PADDING:
            return EdnsOption{PaddingOption{static_cast<uint16_t>(data.size())}};
        case EdnsOptionCode::TCP_KEEPALIVE: {
            if (data.empty()) return EdnsOption{TcpKeepaliveOption{}};
            if (data.size() != 2) return fail(WireError::kBadOpt);
            return EdnsOption{TcpKeepaliveOption{load_u16(data.data())}};
        }
        default: break;
    }
    return EdnsOption{UnknownOption{code, std::vector<uint8_t>(data.begin(), data.end())}};
}

struct OptionWriter {
    Writer& w;
    WireStatus header(EdnsOptionCode code, size_t length) {
        if (auto st = w.u16(static_cast<uint16_t>(code)); !st) return st;
        return w.u16(static_cast<uint16_t>(length));
    }
    WireStatus operator()(const CookieOption& c) {
        if (auto st = header(EdnsOptionCode::COOKIE, 8 + c.server.size()); !st) return st;
        if (auto st = w.bytes(c.client); !st) return st;
        return w.bytes(c.server);
    }
    WireStatus operator()(const ClientSubnetOption& s) {
        if (auto st = header(EdnsOptionCode::CLIENT_SUBNET, 4 + s.address.size()); !st) return st;
        if (auto st = w.u16(s.family); !st) return st;
        if (auto st = w.u8(s.source_prefix); !st) return st;
        if (auto st = w.u8(s.scope_prefix); !st) return st;
        return w.bytes(s.address);
    }
    WireStatus operator()(const ExtendedErrorOption& e) {
        if (auto st = header(EdnsOptionCode::EXTENDED_ERROR, 2 + e.extra_text.size()); !st)
            return st;
        if (auto st = w.u16(static_cast<uint16_t>(e.code)); !st) return st;
        return w.bytes(
            {reinterpret_cast<const uint8_t*>(e.extra_text.data()), e.extra_text.size()});
    }
    WireStatus operator()(const PaddingOption& p) {
        if (auto st = header(EdnsOptionCode::PADDING, p.length); !st) return st;
        for (size_t i = 0; i < p.length; ++i)
            if (auto st = w.u8(0); !st) return st;
        return {};
    }
    WireStatus operator()(const TcpKeepaliveOption& k) {
        if (auto st = header(EdnsOptionCode::TCP_KEEPALIVE, k.timeout ? 2 : 0); !st) return st;
        if (k.timeout) return w.u16(*k.timeout);
        return {};
    }
    WireStatus operator()(const UnknownOption& u) {
        if (auto st = header(static_cast<EdnsOptionCode>(u.code), u.data.size()); !st) return st;
        return w.bytes(u.data);
    }
};

size_t option_size(const EdnsOption& option) {
    struct Size {
        size_t operator()(const CookieOption& c) const { return 8 + c.server.size(); }
        size_t operator()(const ClientSubnetOption& s) const { return 4 + s.address.size(); }
        size_t operator()(const ExtendedErrorOption& e) const { return 2 + e.extra_text.size(); }
        size_t operator()(const PaddingOption& p) const { return p.length; }
        size_t operator()(const TcpKeepaliveOption& k) const { return k.timeout ? 2 : 0; }
        size_t operator()(const UnknownOption& u) const { return u.data.size(); }
    };
    return 4 + std::visit(Size{}, option);
}

}  // namespace

WireResult<Edns> Edns::parse(uint16_t rrclass, uint32_t ttl, std::span<const uint8_t> rdata) {
    Edns edns;
    edns.udp_size = rrclass;
    edns.extended_rcode = static_cast<uint8_t>(ttl >> 24);
    edns.version = static_cast<uint8_t>(ttl >> 16);
    edns.dnssec_ok = ttl & 0x8000;
    edns.other_flags = static_cast<uint16_t>(ttl & 0x7FFF);
    Reader reader(rdata);
    while (!reader.at_end()) {
        auto code = reader.u16();
        auto length = reader.u16();
        if (!code || !length) return fail(WireError::kBadOpt);
        auto data = reader.bytes(*length);
        if (!data) return fail(WireError::kBadOpt);
        auto option = parse_option(*code, *data);
        if (!option) return fail(option.error());
        edns.options.push_back(std::move(*option));
    }
    return edns;
}

size_t Edns::wire_size() const {
    size_t size = 11;  // root owner, type, class, TTL, RDLENGTH
    for (const auto& option : options)
        size += option_size(option);
    return size;
}

WireStatus Edns::write(Writer& writer) const {
    if (writer.available() < wire_size()) return fail(WireError::kNoSpace);
    (void)writer.u8(0);
    (void)writer.u16(static_cast<uint16_t>(RRType::OPT));
    (void)writer.u16(udp_size);
    (void)writer.u32(uint32_t{extended_rcode} << 24 | uint32_t{version} << 16 |
                     (dnssec_ok ? 0x8000u : 0u) | (other_flags & 0x7FFFu));
    (void)writer.u16(static_cast<uint16_t>(wire_size() - 11));
    OptionWriter ow{writer};
    for (const auto& option : options)
        if (auto st = std::visit(ow, option); !st) return st;
    return {};
}

}  // namespace cairn::wire
