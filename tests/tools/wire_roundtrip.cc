// A test-only filter over the wire library, for the cross-check against
// dnspython (tests/integration/test_wire_crosscheck.py).
//
//   wire_roundtrip parse   reads one hex-encoded wire message per line and
//                          prints each parsed message (format below).
//   wire_roundtrip build   reads messages described in presentation text and
//                          prints each as one line of hex (Message::to_wire),
//                          or "ERROR <reason>".
//
// parse output, per input line, ending with a line "END":
//   ERROR <reason>                         (and nothing else), or
//   HEADER id=<n> flags=0x<hhhh> opcode=<n> rcode=<n>   (rcode: all 12 bits)
//   QUESTION <name> <class> <type>         one per question
//   EDNS udp=<n> ext_rcode=<n> version=<n> do=<0|1> z=0x<hhhh>
//   OPTION COOKIE client=<hex> server=<hex>
//   OPTION ECS family=<n> source=<n> scope=<n> address=<ip>
//   OPTION EDE info=<n> text=<hex>
//   OPTION PADDING length=<n>
//   OPTION KEEPALIVE timeout=<n|none>
//   OPTION CODE<n> data=<hex>              any other option
//   ANSWER|AUTHORITY|ADDITIONAL <Record::to_text()>
//
// build input, one message per block:
//   MESSAGE id=<n> flags=0x<hhhh>
//   QUESTION <name> <class> <type>
//   EDNS udp=<n> ext_rcode=<n> version=<n> do=<0|1> z=0x<hhhh>
//   OPTION <code> <hex>                    raw option, decoded by Edns::parse
//   ANSWER|AUTHORITY|ADDITIONAL <zone-file record, absolute names>
//   END
#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/message.h"
#include "wire/zone_reader.h"

namespace {

using namespace cairn::wire;

std::optional<std::vector<uint8_t>> from_hex(std::string_view text) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<uint8_t> out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        const int hi = digit(text[i]);
        const int lo = digit(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::string to_hex(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

std::span<const uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    return s;
}

std::string hex16(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", v & 0xFFFF);
    return buf;
}

std::string ecs_address(const ClientSubnetOption& s) {
    std::array<uint8_t, 16> full{};
    for (size_t i = 0; i < s.address.size() && i < full.size(); ++i)
        full[i] = s.address[i];
    char text[INET6_ADDRSTRLEN] = {};
    const int family = s.family == 1 ? AF_INET : AF_INET6;
    if (inet_ntop(family, full.data(), text, sizeof text) == nullptr) return "?";
    return text;
}

struct OptionPrinter {
    std::string operator()(const CookieOption& c) const {
        return "COOKIE client=" + to_hex(c.client) + " server=" + to_hex(c.server);
    }
    std::string operator()(const ClientSubnetOption& s) const {
        return "ECS family=" + std::to_string(s.family) +
               " source=" + std::to_string(s.source_prefix) +
               " scope=" + std::to_string(s.scope_prefix) + " address=" + ecs_address(s);
    }
    std::string operator()(const ExtendedErrorOption& e) const {
        return "EDE info=" + std::to_string(static_cast<unsigned>(e.code)) +
               " text=" + to_hex(as_bytes(e.extra_text));
    }
    std::string operator()(const PaddingOption& p) const {
        return "PADDING length=" + std::to_string(p.length);
    }
    std::string operator()(const TcpKeepaliveOption& k) const {
        return "KEEPALIVE timeout=" + (k.timeout ? std::to_string(*k.timeout) : "none");
    }
    std::string operator()(const UnknownOption& u) const {
        return "CODE" + std::to_string(u.code) + " data=" + to_hex(u.data);
    }
};

void print_message(const Message& m, std::string& out) {
    out += "HEADER id=" + std::to_string(m.header.id) + " flags=" + hex16(m.header.flags()) +
           " opcode=" + std::to_string(static_cast<unsigned>(m.header.opcode)) +
           " rcode=" + std::to_string(static_cast<unsigned>(m.rcode())) + '\n';
    for (const auto& q : m.questions)
        out += "QUESTION " + q.to_text() + '\n';
    if (m.edns) {
        const Edns& e = *m.edns;
        out += "EDNS udp=" + std::to_string(e.udp_size) +
               " ext_rcode=" + std::to_string(e.extended_rcode) +
               " version=" + std::to_string(e.version) + " do=" + (e.dnssec_ok ? "1" : "0") +
               " z=" + hex16(e.other_flags) + '\n';
        for (const auto& option : e.options)
            out += "OPTION " + std::visit(OptionPrinter{}, option) + '\n';
    }
    static constexpr std::array<std::string_view, 3> kSections = {"ANSWER ", "AUTHORITY ",
                                                                  "ADDITIONAL "};
    for (size_t s = 0; s < 3; ++s) {
        for (const auto& r : m.section(static_cast<Section>(s))) {
            out += kSections[s];
            out += r.to_text();
            out += '\n';
        }
    }
}

int run_parse() {
    std::string line;
    std::string out;
    while (std::getline(std::cin, line)) {
        const auto text = trim(line);
        if (text.empty()) continue;
        out.clear();
        if (auto bytes = from_hex(text); !bytes) {
            out += "ERROR bad hex input\n";
        } else if (auto m = Message::parse(*bytes); !m) {
            out += "ERROR ";
            out += to_string(m.error());
            out += '\n';
        } else {
            print_message(*m, out);
        }
        out += "END\n";
        std::cout << out;
    }
    std::cout.flush();
    return 0;
}

// "key=value" fields of a MESSAGE or EDNS line.
std::optional<unsigned long> field(std::string_view line, std::string_view key) {
    std::string pattern(1, ' ');  // built in steps: GCC 12 warns on " " + string (PR 105651)
    pattern += key;
    pattern += '=';
    const size_t at = line.find(pattern);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view value = line.substr(at + pattern.size());
    value = value.substr(0, value.find(' '));
    int base = 10;
    if (value.starts_with("0x")) {
        value.remove_prefix(2);
        base = 16;
    }
    unsigned long v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v, base);
    if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return v;
}

struct Block {
    Message message;
    bool has_edns = false;
    uint16_t udp = 0;
    uint32_t edns_ttl = 0;
    std::vector<uint8_t> options;  // raw OPT RDATA
    std::string error;

    void fail(std::string why) {
        if (error.empty()) error = std::move(why);
    }
};

void add_line(Block& b, std::string_view line) {
    const size_t space = line.find(' ');
    const std::string_view keyword = line.substr(0, space);
    const std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (keyword == "MESSAGE") {
        auto id = field(line, "id");
        auto flags = field(line, "flags");
        if (!id || !flags) return b.fail("bad MESSAGE line");
        b.message.header.id = static_cast<uint16_t>(*id);
        b.message.header.set_flags(static_cast<uint16_t>(*flags));
    } else if (keyword == "QUESTION") {
        // Reuse the record reader: "<name> <class> <type>" plus dummy RDATA
        // would not do for meta-types, so read the three tokens here.
        const size_t a = rest.find(' ');
        const size_t c = rest.find(' ', a + 1);
        if (a == std::string_view::npos || c == std::string_view::npos)
            return b.fail("bad QUESTION line");
        auto name = Name::from_text(rest.substr(0, a));
        auto rclass = rrclass_from_string(rest.substr(a + 1, c - a - 1));
        auto type = rrtype_from_string(rest.substr(c + 1));
        if (!name) return b.fail("QUESTION: " + name.error().message);
        if (!rclass || !type) return b.fail("QUESTION: bad class or type");
        b.message.questions.push_back(Question{*name, *type, *rclass});
    } else if (keyword == "EDNS") {
        auto udp = field(line, "udp");
        auto ext = field(line, "ext_rcode");
        auto version = field(line, "version");
        auto dnssec_ok = field(line, "do");
        auto z = field(line, "z");
        if (!udp || !ext || !version || !dnssec_ok || !z) return b.fail("bad EDNS line");
        b.has_edns = true;
        b.udp = static_cast<uint16_t>(*udp);
        b.edns_ttl = static_cast<uint32_t>(*ext << 24 | *version << 16 | (*dnssec_ok ? 0x8000 : 0) |
                                           (*z & 0x7FFF));
    } else if (keyword == "OPTION") {
        const size_t a = rest.find(' ');
        unsigned long code = 0;
        const auto code_text = rest.substr(0, a);
        if (std::from_chars(code_text.data(), code_text.data() + code_text.size(), code).ec !=
            std::errc())
            return b.fail("bad OPTION code");
        auto data = from_hex(a == std::string_view::npos ? "" : rest.substr(a + 1));
        if (!data) return b.fail("bad OPTION data");
        b.options.push_back(static_cast<uint8_t>(code >> 8));
        b.options.push_back(static_cast<uint8_t>(code));
        b.options.push_back(static_cast<uint8_t>(data->size() >> 8));
        b.options.push_back(static_cast<uint8_t>(data->size()));
        b.options.insert(b.options.end(), data->begin(), data->end());
    } else if (keyword == "ANSWER" || keyword == "AUTHORITY" || keyword == "ADDITIONAL") {
        auto record = parse_record(rest, Name::root());
        if (!record) return b.fail(std::string(keyword) + ": " + record.error().message);
        const Section s = keyword == "ANSWER"      ? Section::kAnswer
                          : keyword == "AUTHORITY" ? Section::kAuthority
                                                   : Section::kAdditional;
        b.message.section(s).push_back(std::move(*record));
    } else {
        b.fail("unknown line: " + std::string(keyword));
    }
}

std::string finish_block(Block& b) {
    if (b.has_edns) {
        auto edns = Edns::parse(b.udp, b.edns_ttl, b.options);
        if (!edns)
            b.fail("EDNS: " + std::string(to_string(edns.error())));
        else
            b.message.edns = std::move(*edns);
    }
    if (!b.error.empty()) return "ERROR " + b.error;
    return to_hex(b.message.to_wire());
}

int run_build() {
    std::string line;
    Block block;
    bool open = false;
    while (std::getline(std::cin, line)) {
        const auto text = trim(line);
        if (text.empty()) continue;
        if (text == "END") {
            std::cout << finish_block(block) << '\n';
            block = Block{};
            open = false;
            continue;
        }
        open = true;
        add_line(block, text);
    }
    if (open) std::cout << finish_block(block) << '\n';
    std::cout.flush();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const std::string_view mode = argc == 2 ? argv[1] : "";
    if (mode == "parse") return run_parse();
    if (mode == "build") return run_build();
    std::cerr << "usage: wire_roundtrip parse|build  (messages on stdin, see the source)\n";
    return 2;
}
