#include "wire/header.h"

namespace cairn::wire {

uint16_t Header::flags() const {
    return static_cast<uint16_t>((qr ? 0x8000 : 0) | (static_cast<unsigned>(opcode) & 0xF) << 11 |
                                 (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (rd ? 0x0100 : 0) |
                                 (ra ? 0x0080 : 0) | (z ? 0x0040 : 0) | (ad ? 0x0020 : 0) |
                                 (cd ? 0x0010 : 0) | (rcode & 0xF));
}

void Header::set_flags(uint16_t f) {
    qr = f & 0x8000;
    opcode = static_cast<Opcode>(f >> 11 & 0xF);
    aa = f & 0x0400;
    tc = f & 0x0200;
    rd = f & 0x0100;
    ra = f & 0x0080;
    z = f & 0x0040;
    ad = f & 0x0020;
    cd = f & 0x0010;
    rcode = static_cast<uint8_t>(f & 0xF);
}

WireResult<Header> Header::parse(Reader& reader) {
    if (reader.remaining() < kSize) return fail(WireError::kTruncated);
    Header h;
    h.id = *reader.u16();
    h.set_flags(*reader.u16());
    h.qdcount = *reader.u16();
    h.ancount = *reader.u16();
    h.nscount = *reader.u16();
    h.arcount = *reader.u16();
    return h;
}

WireStatus Header::write(Writer& writer) const {
    if (writer.available() < kSize) return fail(WireError::kNoSpace);
    (void)writer.u16(id);
    (void)writer.u16(flags());
    (void)writer.u16(qdcount);
    (void)writer.u16(ancount);
    (void)writer.u16(nscount);
    (void)writer.u16(arcount);
    return {};
}

}  // namespace cairn::wire
