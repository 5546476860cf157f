#include "wire/typed_rdata.h"

namespace cairn::wire {

namespace {

// Reads fields of uncompressed RDATA in order; the first failure sticks, so
// callers check once at the end.
class FieldReader {
public:
    explicit FieldReader(const RData& rdata) : reader_(rdata.bytes()) {}

    uint8_t u8() { return take(reader_.u8()); }
    uint16_t u16() { return take(reader_.u16()); }
    uint32_t u32() { return take(reader_.u32()); }
    Name name() {
        auto n = Name::parse(reader_);
        if (!n) {
            failed_ = true;
            return Name();
        }
        return *n;
    }
    std::vector<uint8_t> counted() {
        const uint8_t n = u8();
        return bytes(n);
    }
    std::vector<uint8_t> bytes(size_t n) {
        auto b = reader_.bytes(n);
        if (!b) {
            failed_ = true;
            return {};
        }
        return {b->begin(), b->end()};
    }
    std::vector<uint8_t> rest() { return bytes(reader_.remaining()); }

    // Done when every field was read and nothing is left over.
    template <class T>
    WireResult<T> finish(T value) {
        if (failed_) return fail(WireError::kRdlengthMismatch);
        if (!reader_.at_end()) return fail(WireError::kRdlengthMismatch);
        return value;
    }

private:
    template <class V>
    V take(WireResult<V> r) {
        if (!r) {
            failed_ = true;
            return V{};
        }
        return *r;
    }
    Reader reader_;
    bool failed_ = false;
};

class FieldWriter {
public:
    FieldWriter& u8(uint8_t v) {
        out_.push_back(v);
        return *this;
    }
    FieldWriter& u16(uint16_t v) {
        out_.push_back(static_cast<uint8_t>(v >> 8));
        out_.push_back(static_cast<uint8_t>(v));
        return *this;
    }
    FieldWriter& u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        return u16(static_cast<uint16_t>(v));
    }
    FieldWriter& name(const Name& n) { return bytes(n.wire()); }
    FieldWriter& counted(std::span<const uint8_t> b) {
        u8(static_cast<uint8_t>(b.size()));
        return bytes(b);
    }
    FieldWriter& bytes(std::span<const uint8_t> b) {
        out_.insert(out_.end(), b.begin(), b.end());
        return *this;
    }
    RData done() { return RData::from_trusted_bytes(std::move(out_)); }

private:
    std::vector<uint8_t> out_;
};

}  // namespace

WireResult<AData> AData::from(const RData& rdata) {
    if (rdata.size() != 4) return fail(WireError::kRdlengthMismatch);
    AData d;
    std::copy(rdata.bytes().begin(), rdata.bytes().end(), d.address.begin());
    return d;
}
RData AData::to_rdata() const {
    return FieldWriter().bytes(address).done();
}

WireResult<AaaaData> AaaaData::from(const RData& rdata) {
    if (rdata.size() != 16) return fail(WireError::kRdlengthMismatch);
    AaaaData d;
    std::copy(rdata.bytes().begin(), rdata.bytes().end(), d.address.begin());
    return d;
}
RData AaaaData::to_rdata() const {
    return FieldWriter().bytes(address).done();
}

WireResult<NameData> NameData::from(const RData& rdata) {
    FieldReader r(rdata);
    NameData d{r.name()};
    return r.finish(d);
}
RData NameData::to_rdata() const {
    return FieldWriter().name(name).done();
}

WireResult<SoaData> SoaData::from(const RData& rdata) {
    FieldReader r(rdata);
    SoaData d;
    d.mname = r.name();
    d.rname = r.name();
    d.serial = r.u32();
    d.refresh = r.u32();
    d.retry = r.u32();
    d.expire = r.u32();
    d.minimum = r.u32();
    return r.finish(d);
}
RData SoaData::to_rdata() const {
    return FieldWriter()
        .name(mname)
        .name(rname)
        .u32(serial)
        .u32(refresh)
        .u32(retry)
        .u32(expire)
        .u32(minimum)
        .done();
}

WireResult<MxData> MxData::from(const RData& rdata) {
    FieldReader r(rdata);
    MxData d;
    d.preference = r.u16();
    d.exchange = r.name();
    return r.finish(d);
}
RData MxData::to_rdata() const {
    return FieldWriter().u16(preference).name(exchange).done();
}

WireResult<SrvData> SrvData::from(const RData& rdata) {
    FieldReader r(rdata);
    SrvData d;
    d.priority = r.u16();
    d.weight = r.u16();
    d.port = r.u16();
    d.target = r.name();
    return r.finish(d);
}
RData SrvData::to_rdata() const {
    return FieldWriter().u16(priority).u16(weight).u16(port).name(target).done();
}

WireResult<DsData> DsData::from(const RData& rdata) {
    FieldReader r(rdata);
    DsData d;
    d.key_tag = r.u16();
    d.algorithm = r.u8();
    d.digest_type = r.u8();
    d.digest = r.rest();
    return r.finish(d);
}
RData DsData::to_rdata() const {
    return FieldWriter().u16(key_tag).u8(algorithm).u8(digest_type).bytes(digest).done();
}

WireResult<DnskeyData> DnskeyData::from(const RData& rdata) {
    FieldReader r(rdata);
    DnskeyData d;
    d.flags = r.u16();
    d.protocol = r.u8();
    d.algorithm = r.u8();
    d.public_key = r.rest();
    return r.finish(d);
}
RData DnskeyData::to_rdata() const {
    return FieldWriter().u16(flags).u8(protocol).u8(algorithm).bytes(public_key).done();
}

WireResult<RrsigData> RrsigData::from(const RData& rdata) {
    FieldReader r(rdata);
    RrsigData d;
    d.type_covered = static_cast<RRType>(r.u16());
    d.algorithm = r.u8();
    d.labels = r.u8();
    d.original_ttl = r.u32();
    d.expiration = r.u32();
    d.inception = r.u32();
    d.key_tag = r.u16();
    d.signer = r.name();
    d.signature = r.rest();
    return r.finish(d);
}
RData RrsigData::to_rdata() const {
    return FieldWriter()
        .u16(static_cast<uint16_t>(type_covered))
        .u8(algorithm)
        .u8(labels)
        .u32(original_ttl)
        .u32(expiration)
        .u32(inception)
        .u16(key_tag)
        .name(signer)
        .bytes(signature)
        .done();
}

namespace {

// The rest of RDATA as a type bitmap, checked for validity.
WireResult<TypeBitmap> bitmap_rest(std::span<const uint8_t> all, size_t offset) {
    auto rest = all.subspan(offset);
    auto len = field_length(FieldKind::kTypeBitmap, rest);
    if (!len) return fail(len.error());
    return TypeBitmap::from_wire(rest);
}

}  // namespace

WireResult<NsecData> NsecData::from(const RData& rdata) {
    Reader r(rdata.bytes());
    auto next = Name::parse(r);
    if (!next) return fail(next.error());
    auto types = bitmap_rest(rdata.bytes(), r.offset());
    if (!types) return fail(types.error());
    return NsecData{*next, std::move(*types)};
}
RData NsecData::to_rdata() const {
    return FieldWriter().name(next).bytes(types.wire()).done();
}

WireResult<Nsec3Data> Nsec3Data::from(const RData& rdata) {
    Reader r(rdata.bytes());
    Nsec3Data d;
    auto alg = r.u8();
    auto flags = r.u8();
    auto iterations = r.u16();
    auto salt_len = r.u8();
    if (!alg || !flags || !iterations || !salt_len) return fail(WireError::kRdlengthMismatch);
    auto salt = r.bytes(*salt_len);
    auto hash_len = r.u8();
    if (!salt || !hash_len) return fail(WireError::kRdlengthMismatch);
    auto hash = r.bytes(*hash_len);
    if (!hash) return fail(WireError::kRdlengthMismatch);
    auto types = bitmap_rest(rdata.bytes(), r.offset());
    if (!types) return fail(types.error());
    d.hash_algorithm = *alg;
    d.flags = *flags;
    d.iterations = *iterations;
    d.salt.assign(salt->begin(), salt->end());
    d.next_hashed_owner.assign(hash->begin(), hash->end());
    d.types = std::move(*types);
    return d;
}
RData Nsec3Data::to_rdata() const {
    return FieldWriter()
        .u8(hash_algorithm)
        .u8(flags)
        .u16(iterations)
        .counted(salt)
        .counted(next_hashed_owner)
        .bytes(types.wire())
        .done();
}

WireResult<Nsec3ParamData> Nsec3ParamData::from(const RData& rdata) {
    FieldReader r(rdata);
    Nsec3ParamData d;
    d.hash_algorithm = r.u8();
    d.flags = r.u8();
    d.iterations = r.u16();
    d.salt = r.counted();
    return r.finish(d);
}
RData Nsec3ParamData::to_rdata() const {
    return FieldWriter().u8(hash_algorithm).u8(flags).u16(iterations).counted(salt).done();
}

}  // namespace cairn::wire
