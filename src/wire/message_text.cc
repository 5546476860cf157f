// Message::to_text(): the dig-like view of a whole message, for cairnctl,
// logs and test failure output. Not a format anything parses back.
#include "wire/message.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>
#include <utility>
#include <variant>

#include "wire/encoding.h"

namespace cairn::wire {

namespace {

// Printable ASCII as is; anything else as \DDD (RFC 1035 §5.1 style), so
// text sent by a server can never inject control characters into a terminal.
void append_escaped(std::string& out, std::span<const uint8_t> bytes) {
    for (const uint8_t b : bytes) {
        if (b >= 0x20 && b < 0x7F && b != '\\') {
            out += static_cast<char>(b);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(b));
            out += buf;
        }
    }
}

std::span<const uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Option codes (IANA "DNS EDNS0 Option Codes") that Cairn keeps as raw bytes
// but that deserve a name when shown.
std::string_view option_name(uint16_t code) {
    switch (code) {
        case 3: return "NSID";
        case 5: return "DAU";
        case 6: return "DHU";
        case 7: return "N3U";
        case 9: return "EXPIRE";
        case 13: return "CHAIN";
        case 14: return "KEY-TAG";
        case 18: return "REPORT-CHANNEL";
        case 19: return "ZONEVERSION";
        default: return {};
    }
}

// RFC 7871 §6: the address field holds only the prefix's octets; pad it back
// to a full address to print it.
void append_subnet_address(std::string& out, const ClientSubnetOption& s) {
    if (s.family == 1 && s.address.size() <= 4) {
        std::array<uint8_t, 4> address{};
        std::copy(s.address.begin(), s.address.end(), address.begin());
        append_ipv4(out, address);
    } else if (s.family == 2 && s.address.size() <= 16) {
        std::array<uint8_t, 16> address{};
        std::copy(s.address.begin(), s.address.end(), address.begin());
        append_ipv6(out, address);
    } else {
        append_hex(out, s.address);
    }
}

struct OptionText {
    std::string& out;

    void operator()(const CookieOption& c) {
        // Client and server cookie back to back, as dig shows them (RFC 7873 §4).
        out += "; COOKIE: ";
        append_hex(out, c.client);
        append_hex(out, c.server);
    }
    void operator()(const ClientSubnetOption& s) {
        out += "; CLIENT-SUBNET: ";
        append_subnet_address(out, s);
        out += '/';
        out += std::to_string(s.source_prefix);
        out += '/';
        out += std::to_string(s.scope_prefix);
    }
    void operator()(const ExtendedErrorOption& e) {
        // RFC 8914 §2: INFO-CODE, its name, then the optional EXTRA-TEXT.
        out += "; EDE: ";
        out += std::to_string(static_cast<unsigned>(e.code));
        out += " (";
        out += to_string(e.code);
        out += ')';
        if (!e.extra_text.empty()) {
            out += ": (";
            append_escaped(out, as_bytes(e.extra_text));
            out += ')';
        }
    }
    void operator()(const PaddingOption& p) {
        out += "; PADDING: ";
        out += std::to_string(p.length);
        out += " octets";
    }
    void operator()(const TcpKeepaliveOption& k) {
        // RFC 7828 §3.1: the timeout counts units of 100 ms.
        out += "; TCP-KEEPALIVE:";
        if (!k.timeout) {
            out += " (no timeout)";
            return;
        }
        out += ' ';
        out += std::to_string(*k.timeout / 10);
        out += '.';
        out += std::to_string(*k.timeout % 10);
        out += " secs";
    }
    void operator()(const UnknownOption& u) {
        const std::string_view name = option_name(u.code);
        if (name.empty()) {
            out += "; OPT=";
            out += std::to_string(u.code);
        } else {
            out += "; ";
            out += name;
        }
        out += ':';
        if (u.data.empty()) return;
        out += ' ';
        append_hex(out, u.data);
        // An NSID is usually a host name: show it as text too (RFC 5001 §2.4).
        if (u.code == static_cast<uint16_t>(EdnsOptionCode::NSID)) {
            out += " (\"";
            append_escaped(out, u.data);
            out += "\")";
        }
    }
};

void append_header(std::string& out, const Message& m) {
    const Header& h = m.header;
    out += ";; ->>HEADER<<- opcode: ";
    out += to_string(h.opcode);
    out += ", status: ";
    out += to_string(m.rcode());
    out += ", id: ";
    out += std::to_string(h.id);
    out += '\n';

    out += ";; flags:";
    const std::array<std::pair<bool, std::string_view>, 8> flags = {{
        {h.qr, "qr"},
        {h.aa, "aa"},
        {h.tc, "tc"},
        {h.rd, "rd"},
        {h.ra, "ra"},
        {h.z, "z"},
        {h.ad, "ad"},
        {h.cd, "cd"},
    }};
    for (const auto& [set, name] : flags) {
        if (!set) continue;
        out += ' ';
        out += name;
    }
    // Counts of what the message holds (as it would go on the wire), so a
    // message built in memory shows the same as one parsed; the OPT record
    // counts in ADDITIONAL, as on the wire.
    out += "; QUERY: ";
    out += std::to_string(m.questions.size());
    out += ", ANSWER: ";
    out += std::to_string(m.answers.size());
    out += ", AUTHORITY: ";
    out += std::to_string(m.authorities.size());
    out += ", ADDITIONAL: ";
    out += std::to_string(m.additionals.size() + (m.edns ? 1 : 0));
    out += '\n';
}

void append_edns(std::string& out, const Edns& edns) {
    out += "\n;; OPT PSEUDOSECTION:\n";
    out += "; EDNS: version: ";
    out += std::to_string(edns.version);
    out += ", flags:";
    if (edns.dnssec_ok) out += " do";
    out += ';';
    if (edns.other_flags != 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(edns.other_flags));
        out += " MBZ: ";
        out += buf;
        out += ',';
    }
    out += " udp: ";
    out += std::to_string(edns.udp_size);
    out += '\n';
    for (const auto& option : edns.options) {
        std::visit(OptionText{out}, option);
        out += '\n';
    }
}

void append_questions(std::string& out, const std::vector<Question>& questions) {
    out += "\n;; QUESTION SECTION:\n";
    for (const auto& q : questions) {
        out += ';';
        q.name.append_text(out);
        out += "\t\t";
        out += to_string(q.rclass);
        out += '\t';
        out += to_string(q.type);
        out += '\n';
    }
}

void append_records(std::string& out, std::string_view title, const std::vector<Record>& records) {
    out += "\n;; ";
    out += title;
    out += " SECTION:\n";
    for (const auto& r : records) {
        r.owner.append_text(out);
        out += '\t';
        out += std::to_string(r.ttl);
        out += '\t';
        out += to_string(r.rclass);
        out += '\t';
        out += to_string(r.type);
        out += '\t';
        r.rdata.append_text(out, r.type);
        out += '\n';
    }
}

}  // namespace

std::string Message::to_text() const {
    std::string out;
    append_header(out, *this);
    if (edns) append_edns(out, *edns);
    // Like dig, empty sections are left out.
    if (!questions.empty()) append_questions(out, questions);
    if (!answers.empty()) append_records(out, "ANSWER", answers);
    if (!authorities.empty()) append_records(out, "AUTHORITY", authorities);
    if (!additionals.empty()) append_records(out, "ADDITIONAL", additionals);
    return out;
}

}  // namespace cairn::wire
