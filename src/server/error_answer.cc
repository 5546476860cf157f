#include "server/error_answer.h"

#include <array>
#include <string_view>
#include <variant>

#include "wire/message.h"

namespace cairn::server {

namespace {

wire::Header answer_header(const wire::Header& query, wire::Rcode rcode) {
    wire::Header h;
    h.id = query.id;
    h.qr = true;
    h.opcode = query.opcode;
    h.rd = query.rd;
    h.ra = true;
    h.cd = query.cd;
    h.rcode = static_cast<uint8_t>(static_cast<unsigned>(rcode) & 0xF);
    return h;
}

bool name_is(const wire::Name& name, std::string_view text) {
    auto wanted = wire::Name::from_text(text);
    return wanted && name == *wanted;
}

wire::RData txt_rdata(std::string_view text) {
    // A TXT RDATA is a sequence of character-strings of up to 255 octets.
    std::vector<uint8_t> bytes;
    do {
        const size_t n = std::min<size_t>(text.size(), 255);
        bytes.push_back(static_cast<uint8_t>(n));
        bytes.insert(bytes.end(), text.begin(), text.begin() + n);
        text.remove_prefix(n);
    } while (!text.empty());
    return wire::RData::from_trusted_bytes(std::move(bytes));
}

}  // namespace

namespace {

constexpr size_t kTextRoom = 96;

}  // namespace

ErrorAnswerWriter::ErrorAnswerWriter(uint16_t our_udp_size) : our_udp_size_(our_udp_size) {
    wire::ExtendedErrorOption ede;
    ede.extra_text.reserve(kTextRoom);
    with_error_.options.emplace_back(std::move(ede));
}

size_t ErrorAnswerWriter::write(const ErrorAnswer& answer, std::span<uint8_t> out) {
    const auto rcode = static_cast<unsigned>(answer.rcode);
    const bool with_opt = answer.edns && answer.edns->present;
    // An rcode above 15 exists only with EDNS.
    const wire::Rcode sent = rcode > 15 && !with_opt ? wire::Rcode::SERVFAIL : answer.rcode;
    wire::Header header = answer_header(answer.query, sent);
    header.tc = answer.truncated;
    wire::MessageBuilder builder(out, out.size());
    if (!builder.begin(header)) return 0;
    if (answer.question && !builder.add_question(*answer.question)) return 0;
    if (with_opt) {
        wire::Edns& opt = answer.extended_error ? with_error_ : plain_;
        opt.udp_size = our_udp_size_;
        opt.version = 0;  // also the version a BADVERS answer offers (RFC 6891 §6.1.3)
        opt.dnssec_ok = answer.edns->dnssec_ok;
        opt.extended_rcode = static_cast<uint8_t>(static_cast<unsigned>(sent) >> 4);
        if (answer.extended_error) {
            auto& ede = std::get<wire::ExtendedErrorOption>(opt.options.front());
            ede.code = *answer.extended_error;
            ede.extra_text.assign(answer.extra_text.substr(0, kTextRoom));
        }
        if (!builder.set_edns(opt)) return 0;
    }
    return builder.finish().size();
}

size_t write_chaos_answer(const wire::Header& query, const wire::Question& question,
                          const QueryEdns& edns, const ServerIdentity& identity,
                          uint16_t our_udp_size, std::span<uint8_t> out) {
    const std::string* value = nullptr;
    if (name_is(question.name, "version.bind.") || name_is(question.name, "version.server."))
        value = &identity.version;
    else if (name_is(question.name, "id.server.") || name_is(question.name, "hostname.bind."))
        value = &identity.identity;
    if (!value || value->empty()) return 0;

    wire::Header h = answer_header(query, wire::Rcode::NOERROR);
    h.aa = true;
    wire::MessageBuilder builder(out, out.size());
    if (!builder.begin(h) || !builder.add_question(question)) return 0;
    wire::Edns opt;
    if (edns.present) {
        opt.udp_size = our_udp_size;
        opt.dnssec_ok = edns.dnssec_ok;
        if (!builder.set_edns(opt)) return 0;
    }
    if (question.type == wire::RRType::TXT || question.type == wire::RRType::ANY) {
        const std::array<wire::Record, 1> txt = {wire::Record{
            question.name, wire::RRType::TXT, wire::RRClass::CH, 0, txt_rdata(*value)}};
        builder.add_rrset(wire::Section::kAnswer, txt);
    }
    return builder.finish().size();
}

}  // namespace cairn::server
