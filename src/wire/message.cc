#include "wire/message.h"

#include <cassert>

namespace cairn::wire {

namespace {

constexpr size_t kMinQuestionSize = 5;  // root name + type + class
constexpr size_t kMinRecordSize = 11;   // root name + type + class + TTL + RDLENGTH

WireResult<Question> parse_question(Reader& reader) {
    auto name = Name::parse(reader);
    if (!name) return fail(name.error());
    auto type = reader.u16();
    auto rclass = reader.u16();
    if (!type || !rclass) return fail(WireError::kTruncated);
    return Question{*name, static_cast<RRType>(*type), static_cast<RRClass>(*rclass)};
}

}  // namespace

WireResult<Message> Message::parse(std::span<const uint8_t> data) {
    Reader reader(data);
    auto header = Header::parse(reader);
    if (!header) return fail(header.error());
    Message m;
    m.header = *header;
    const size_t records = size_t{header->ancount} + header->nscount + header->arcount;
    // Reject impossible counts before reserving memory for them.
    if (header->qdcount * kMinQuestionSize + records * kMinRecordSize > reader.remaining())
        return fail(WireError::kTruncated);
    m.questions.reserve(header->qdcount);
    for (size_t i = 0; i < header->qdcount; ++i) {
        auto q = parse_question(reader);
        if (!q) return fail(q.error());
        m.questions.push_back(*q);
    }
    const std::array<uint16_t, 3> counts = {header->ancount, header->nscount, header->arcount};
    for (size_t s = 0; s < 3; ++s) {
        auto& out = m.section(static_cast<Section>(s));
        out.reserve(counts[s]);
        for (size_t i = 0; i < counts[s]; ++i) {
            auto owner = Name::parse(reader);
            if (!owner) return fail(owner.error());
            auto type = reader.u16();
            auto rclass = reader.u16();
            auto ttl = reader.u32();
            auto rdlength = reader.u16();
            if (!type || !rclass || !ttl || !rdlength) return fail(WireError::kTruncated);
            if (static_cast<RRType>(*type) == RRType::OPT) {
                if (s != 2 || m.edns || !owner->is_root()) return fail(WireError::kBadOpt);
                auto rdata = reader.bytes(*rdlength);
                if (!rdata) return fail(WireError::kTruncated);
                auto edns = Edns::parse(*rclass, *ttl, *rdata);
                if (!edns) return fail(edns.error());
                m.edns = std::move(*edns);
                continue;
            }
            auto rdata = RData::parse(reader, static_cast<RRType>(*type), *rdlength);
            if (!rdata) return fail(rdata.error());
            // RFC 2181 §8: a TTL with the top bit set is treated as zero.
            const uint32_t record_ttl = *ttl > 0x7FFFFFFFu ? 0 : *ttl;
            out.push_back(Record{*owner, static_cast<RRType>(*type), static_cast<RRClass>(*rclass),
                                 record_ttl, std::move(*rdata)});
        }
    }
    if (!reader.at_end()) return fail(WireError::kTrailingData);
    return m;
}

Rcode Message::rcode() const {
    const unsigned high = edns ? edns->extended_rcode : 0;
    return static_cast<Rcode>(high << 4 | header.rcode);
}

void Message::set_rcode(Rcode rcode) {
    const auto value = static_cast<unsigned>(rcode);
    header.rcode = static_cast<uint8_t>(value & 0xF);
    if (edns) edns->extended_rcode = static_cast<uint8_t>(value >> 4);
}

bool Message::operator==(const Message& other) const {
    return header.id == other.header.id && header.flags() == other.header.flags() &&
           questions == other.questions && answers == other.answers &&
           authorities == other.authorities && additionals == other.additionals &&
           edns == other.edns;
}

std::vector<Record>& Message::section(Section s) {
    switch (s) {
        case Section::kAnswer: return answers;
        case Section::kAuthority: return authorities;
        case Section::kAdditional: break;
    }
    return additionals;
}

const std::vector<Record>& Message::section(Section s) const {
    return const_cast<Message*>(this)->section(s);
}

std::vector<uint8_t> Message::to_wire(size_t max_size) const {
    std::vector<uint8_t> buffer(max_size < Header::kSize ? Header::kSize : max_size);
    MessageBuilder builder(buffer, buffer.size());
    (void)builder.begin(header);
    for (const auto& q : questions)
        (void)builder.add_question(q);
    if (edns) (void)builder.set_edns(*edns);
    for (size_t s = 0; s < 3; ++s) {
        const auto& records = section(static_cast<Section>(s));
        size_t i = 0;
        while (i < records.size()) {
            size_t j = i + 1;
            while (j < records.size() && records[j].type == records[i].type &&
                   records[j].rclass == records[i].rclass && records[j].owner == records[i].owner)
                ++j;
            (void)builder.add_rrset(static_cast<Section>(s),
                                    std::span<const Record>(records).subspan(i, j - i));
            i = j;
        }
    }
    const auto out = builder.finish();
    return {out.begin(), out.end()};
}

WireResult<QueryHead> parse_query_head(std::span<const uint8_t> data) {
    Reader reader(data);
    auto header = Header::parse(reader);
    if (!header) return fail(header.error());
    if (header->qdcount == 0) return fail(WireError::kTruncated);
    auto q = parse_question(reader);
    if (!q) return fail(q.error());
    return QueryHead{*header, *q, reader.offset()};
}

MessageBuilder::MessageBuilder(std::span<uint8_t> buffer, size_t max_size)
    : buffer_(buffer.first(max_size < buffer.size() ? max_size : buffer.size())),
      writer_(buffer_) {}

WireStatus MessageBuilder::begin(const Header& header) {
    header_ = header;
    header_.qdcount = 0;
    edns_ = nullptr;
    reserved_ = 0;
    counts_ = {};
    truncated_ = false;
    current_section_ = -1;
    compressor_.clear();
    writer_.rewind(0);
    return header_.write(writer_);
}

WireStatus MessageBuilder::add_question(const Question& question) {
    const size_t mark = writer_.size();
    auto undo = [&](WireStatus st) {
        writer_.rewind(mark);
        compressor_.forget_from(mark);
        truncated_ = true;
        return st;
    };
    if (auto st = compressor_.write(writer_, question.name); !st) return undo(st);
    if (auto st = writer_.u16(static_cast<uint16_t>(question.type)); !st) return undo(st);
    if (auto st = writer_.u16(static_cast<uint16_t>(question.rclass)); !st) return undo(st);
    ++header_.qdcount;
    return {};
}

WireStatus MessageBuilder::set_edns(const Edns& edns) {
    if (writer_.size() + edns.wire_size() > buffer_.size()) return fail(WireError::kNoSpace);
    edns_ = &edns;
    reserved_ = edns.wire_size();
    return {};
}

WireStatus MessageBuilder::write_record(const Record& record) {
    if (auto st = compressor_.write(writer_, record.owner); !st) return st;
    if (auto st = writer_.u16(static_cast<uint16_t>(record.type)); !st) return st;
    if (auto st = writer_.u16(static_cast<uint16_t>(record.rclass)); !st) return st;
    if (auto st = writer_.u32(record.ttl); !st) return st;
    const size_t rdlength_at = writer_.size();
    if (auto st = writer_.u16(0); !st) return st;
    if (auto st = record.rdata.write(writer_, record.type, &compressor_); !st) return st;
    writer_.patch_u16(rdlength_at, static_cast<uint16_t>(writer_.size() - rdlength_at - 2));
    return {};
}

bool MessageBuilder::add_rrset(Section section, std::span<const Record> rrset) {
    const int s = static_cast<int>(section);
    assert(s >= current_section_ && "sections must be added in order");
    current_section_ = s;
    if (truncated_ && section != Section::kAdditional) return false;
    const size_t mark = writer_.size();
    bool fits = true;
    for (const auto& record : rrset) {
        if (!write_record(record) || writer_.size() + reserved_ > buffer_.size()) {
            fits = false;
            break;
        }
    }
    if (!fits) {
        writer_.rewind(mark);
        compressor_.forget_from(mark);
        // Omitted additional data is no reason for TC (RFC 2181 §9).
        if (section != Section::kAdditional) truncated_ = true;
        return false;
    }
    counts_[s] = static_cast<uint16_t>(counts_[s] + rrset.size());
    return true;
}

std::span<const uint8_t> MessageBuilder::finish() {
    uint16_t arcount = counts_[2];
    if (edns_ && edns_->write(writer_)) ++arcount;
    const size_t end = writer_.size();
    Header h = header_;
    h.tc = h.tc || truncated_;
    h.ancount = counts_[0];
    h.nscount = counts_[1];
    h.arcount = arcount;
    Writer head(buffer_.first(Header::kSize));
    (void)h.write(head);
    return buffer_.first(end);
}

}  // namespace cairn::wire
