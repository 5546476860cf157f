#include "server/response_shaper.h"

#include <algorithm>

#include "wire/message.h"

namespace cairn::server {

namespace {

using wire::RRType;

bool is_dnssec_proof_type(RRType type) {
    return type == RRType::RRSIG || type == RRType::NSEC || type == RRType::NSEC3;
}

// RFC 4035 §3.2.1: without DO, DNSSEC records only when asked for by type.
bool keep(RRType type, RRType qtype, bool dnssec_ok) {
    if (type == RRType::OPT) return false;  // the server writes its own
    return dnssec_ok || type == qtype || !is_dnssec_proof_type(type);
}

bool same_rrset(const wire::Record& a, const wire::Record& b) {
    return a.type == b.type && a.rclass == b.rclass && a.owner == b.owner;
}

void add_section(wire::MessageBuilder& builder, wire::Section section,
                 const std::vector<wire::Record>& records, RRType qtype, bool dnssec_ok) {
    const std::span<const wire::Record> all(records);
    size_t i = 0;
    while (i < all.size()) {
        size_t j = i + 1;
        while (j < all.size() && same_rrset(all[j], all[i]))
            ++j;
        if (keep(all[i].type, qtype, dnssec_ok)) builder.add_rrset(section, all.subspan(i, j - i));
        i = j;
    }
}

}  // namespace

size_t answer_size_limit(bool tcp, const QueryEdns& edns, uint16_t our_udp_size) {
    if (tcp) return 65535;
    if (!edns.present) return 512;
    const size_t ours = std::max<size_t>(our_udp_size, 512);
    return std::clamp<size_t>(edns.udp_size, 512, ours);
}

ShapedAnswer shape_answer(const AnswerShape& shape, const resolve::Answer& answer,
                          uint16_t our_udp_size, std::span<uint8_t> buffer) {
    auto rcode = answer.rcode;
    // An rcode above 15 needs EDNS to be expressed at all.
    if (static_cast<unsigned>(rcode) > 15 && !shape.edns.present) rcode = wire::Rcode::SERVFAIL;

    wire::Header h;
    h.id = shape.query.id;
    h.qr = true;
    h.opcode = shape.query.opcode;
    h.rd = shape.query.rd;
    h.ra = true;
    h.cd = shape.query.cd;
    h.ad = answer.authentic_data;
    h.rcode = static_cast<uint8_t>(static_cast<unsigned>(rcode) & 0xF);

    wire::MessageBuilder builder(buffer, shape.max_size);
    (void)builder.begin(h);
    (void)builder.add_question(shape.question);
    wire::Edns opt;
    if (shape.edns.present) {
        opt.udp_size = std::max<uint16_t>(our_udp_size, 512);
        opt.dnssec_ok = shape.edns.dnssec_ok;
        opt.extended_rcode = static_cast<uint8_t>(static_cast<unsigned>(rcode) >> 4);
        if (answer.extended_error)
            opt.options.emplace_back(*answer.extended_error);
        else if (rcode == wire::Rcode::SERVFAIL)
            opt.options.emplace_back(
                wire::ExtendedErrorOption{wire::ExtendedErrorCode::kOther, {}});
        if (!builder.set_edns(opt)) {
            // The error text is too long for this client: keep just the code.
            if (answer.extended_error)
                opt.options.front() = wire::ExtendedErrorOption{answer.extended_error->code, {}};
            (void)builder.set_edns(opt);
        }
    }
    const bool dnssec_ok = shape.edns.present && shape.edns.dnssec_ok;
    const RRType qtype = shape.question.type;
    add_section(builder, wire::Section::kAnswer, answer.answer, qtype, dnssec_ok);
    add_section(builder, wire::Section::kAuthority, answer.authority, qtype, dnssec_ok);
    add_section(builder, wire::Section::kAdditional, answer.additional, qtype, dnssec_ok);
    const auto message = builder.finish();
    return {message, rcode, builder.truncated()};
}

void clear_ad_unless_asked(std::span<uint8_t> message, bool query_ad, bool query_do) {
    constexpr uint8_t kAdBit = 0x20;  // in the second flags octet
    if (!query_ad && !query_do && message.size() > 3) message[3] &= static_cast<uint8_t>(~kAdBit);
}

}  // namespace cairn::server
