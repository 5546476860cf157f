#include "wire/typed_rdata.h"

#include <gtest/gtest.h>

#include "wire/message.h"

namespace cairn::wire {
namespace {

Name N(std::string_view text) {
    return *Name::from_text(text);
}

template <class T>
T round_trip(const T& value, RRType type) {
    auto rdata = value.to_rdata();
    // What the struct writes must satisfy the schema of its type.
    EXPECT_TRUE(RData::from_wire(type, rdata.bytes()).ok()) << to_string(type);
    auto back = T::from(rdata);
    EXPECT_TRUE(back.ok()) << to_string(type);
    EXPECT_EQ(back->to_rdata(), rdata) << to_string(type);
    return *back;
}

TEST(TypedRdata, SoaFields) {
    SoaData soa{N("ns.example."), N("admin.example."), 2024010101, 7200, 3600, 1209600, 300};
    auto back = round_trip(soa, RRType::SOA);
    EXPECT_EQ(back.mname, N("ns.example."));
    EXPECT_EQ(back.serial, 2024010101u);
    EXPECT_EQ(back.minimum, 300u);
}

TEST(TypedRdata, AddressesAndNames) {
    EXPECT_EQ(round_trip(AData{{192, 0, 2, 1}}, RRType::A).address[3], 1);
    AaaaData v6;
    v6.address[15] = 1;
    EXPECT_EQ(round_trip(v6, RRType::AAAA).address[15], 1);
    EXPECT_EQ(round_trip(NameData{N("target.example.")}, RRType::CNAME).name, N("target.example."));
    EXPECT_EQ(round_trip(MxData{10, N("mx.example.")}, RRType::MX).preference, 10);
    EXPECT_EQ(round_trip(SrvData{1, 2, 443, N("svc.example.")}, RRType::SRV).port, 443);
}

TEST(TypedRdata, DnssecTypes) {
    DnskeyData key{257, 3, 13, {1, 2, 3, 4}};
    auto k = round_trip(key, RRType::DNSKEY);
    EXPECT_TRUE(k.zone_key());
    EXPECT_TRUE(k.secure_entry_point());
    EXPECT_FALSE(k.revoked());
    EXPECT_TRUE((DnskeyData{0x0180, 3, 8, {1}}.revoked()));

    DsData ds{20326, 8, 2, std::vector<uint8_t>(32, 0xAA)};
    EXPECT_EQ(round_trip(ds, RRType::DS).digest.size(), 32u);

    RrsigData sig{RRType::A, 13, 2, 3600, 1700000000, 1690000000, 12345, N("example."), {9, 9, 9}};
    auto s = round_trip(sig, RRType::RRSIG);
    EXPECT_EQ(s.type_covered, RRType::A);
    EXPECT_EQ(s.signer, N("example."));
    EXPECT_EQ(s.signature.size(), 3u);
}

TEST(TypedRdata, NsecAndTypeBitmap) {
    std::vector<RRType> types = {
        RRType::NSEC, RRType::A, RRType::CAA, RRType::RRSIG, static_cast<RRType>(65534), RRType::A};
    auto bitmap = TypeBitmap::from_types(types);
    // Window 0 (A, RRSIG, NSEC), window 1 (CAA = 257), window 255 (65534).
    std::vector<RRType> expected = {RRType::A, RRType::RRSIG, RRType::NSEC, RRType::CAA,
                                    static_cast<RRType>(65534)};
    EXPECT_EQ(bitmap.types(), expected);
    EXPECT_TRUE(bitmap.contains(RRType::CAA));
    EXPECT_FALSE(bitmap.contains(RRType::AAAA));
    EXPECT_FALSE(bitmap.contains(static_cast<RRType>(65535)));
    // RFC 4034 §4.3 example: A MX RRSIG NSEC TYPE1234.
    std::vector<RRType> rfc = {RRType::A, RRType::MX, RRType::RRSIG, RRType::NSEC,
                               static_cast<RRType>(1234)};
    // Window 0: A(1) MX(15) RRSIG(46) NSEC(47); window 4: 1234 = bit 210.
    std::vector<uint8_t> rfc_wire = {0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b};
    rfc_wire.insert(rfc_wire.end(), 26, 0x00);
    rfc_wire.push_back(0x20);
    auto rfc_bitmap = TypeBitmap::from_types(rfc);
    EXPECT_EQ(std::vector<uint8_t>(rfc_bitmap.wire().begin(), rfc_bitmap.wire().end()), rfc_wire);

    NsecData nsec{N("host.example.com."), rfc_bitmap};
    auto back = round_trip(nsec, RRType::NSEC);
    EXPECT_EQ(back.next, N("host.example.com."));
    EXPECT_TRUE(back.types.contains(RRType::MX));
}

TEST(TypedRdata, Nsec3AndParam) {
    Nsec3Data n3;
    n3.flags = Nsec3Data::kOptOutFlag;
    n3.iterations = 12;
    n3.salt = {0xAA, 0xBB, 0xCC, 0xDD};
    n3.next_hashed_owner.assign(20, 0x11);
    n3.types = TypeBitmap::from_types(std::vector<RRType>{RRType::NS, RRType::DS});
    auto back = round_trip(n3, RRType::NSEC3);
    EXPECT_TRUE(back.opt_out());
    EXPECT_EQ(back.iterations, 12);
    EXPECT_EQ(back.salt.size(), 4u);
    EXPECT_TRUE(back.types.contains(RRType::DS));

    Nsec3Data empty_types;
    empty_types.next_hashed_owner.assign(20, 0x22);
    EXPECT_TRUE(round_trip(empty_types, RRType::NSEC3).types.empty());

    Nsec3ParamData param{1, 0, 0, {}};
    EXPECT_TRUE(round_trip(param, RRType::NSEC3PARAM).salt.empty());
}

TEST(TypedRdata, MalformedRdataIsAnError) {
    EXPECT_FALSE(AData::from(RData::from_trusted_bytes({1, 2, 3})).ok());
    EXPECT_FALSE(SoaData::from(RData::from_trusted_bytes({0, 0})).ok());
    EXPECT_FALSE(MxData::from(RData::from_trusted_bytes({0, 1, 0, 0})).ok());
    EXPECT_FALSE(NsecData::from(RData::from_trusted_bytes({0, 0, 0})).ok());
    EXPECT_FALSE(Nsec3Data::from(RData::from_trusted_bytes({1, 0, 0, 0, 5})).ok());
}

}  // namespace
}  // namespace cairn::wire
