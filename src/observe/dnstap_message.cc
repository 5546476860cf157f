#include "observe/dnstap_message.h"

#include <time.h>

#include "observe/dnstap.pb-c.h"

namespace cairn::observe {
namespace {

// protobuf-c points into our buffers for the duration of the packing; it
// never writes through these pointers.
ProtobufCBinaryData binary(std::span<const uint8_t> bytes) {
    return {bytes.size(), const_cast<uint8_t*>(bytes.data())};
}

ProtobufCBinaryData binary(std::string_view text) {
    return binary({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void set_end(const DnstapEnd& end, protobuf_c_boolean& has_address, ProtobufCBinaryData& address,
             protobuf_c_boolean& has_port, uint32_t& port) {
    has_address = 1;
    address = binary(end.address.bytes());
    if (end.port != 0) {
        has_port = 1;
        port = end.port;
    }
}

void set_time(const DnstapTime& time, protobuf_c_boolean& has_seconds, uint64_t& seconds,
              protobuf_c_boolean& has_nanoseconds, uint32_t& nanoseconds) {
    has_seconds = 1;
    seconds = static_cast<uint64_t>(time.seconds);
    has_nanoseconds = 1;
    nanoseconds = time.nanoseconds;
}

void fill_message(const DnstapEvent& event, Dnstap__Message& m) {
    m.type = static_cast<Dnstap__Message__Type>(event.kind);
    m.has_socket_protocol = 1;
    m.socket_protocol = static_cast<Dnstap__SocketProtocol>(event.protocol);
    const auto& family_end = event.query_end ? event.query_end : event.response_end;
    if (family_end) {
        m.has_socket_family = 1;
        m.socket_family = family_end->address.is_v4() ? DNSTAP__SOCKET_FAMILY__INET
                                                      : DNSTAP__SOCKET_FAMILY__INET6;
    }
    if (event.query_end)
        set_end(*event.query_end, m.has_query_address, m.query_address, m.has_query_port,
                m.query_port);
    if (event.response_end)
        set_end(*event.response_end, m.has_response_address, m.response_address,
                m.has_response_port, m.response_port);
    if (event.query_time)
        set_time(*event.query_time, m.has_query_time_sec, m.query_time_sec, m.has_query_time_nsec,
                 m.query_time_nsec);
    if (event.response_time)
        set_time(*event.response_time, m.has_response_time_sec, m.response_time_sec,
                 m.has_response_time_nsec, m.response_time_nsec);
    if (!event.query_message.empty()) {
        m.has_query_message = 1;
        m.query_message = binary(event.query_message);
    }
    if (!event.response_message.empty()) {
        m.has_response_message = 1;
        m.response_message = binary(event.response_message);
    }
}

}  // namespace

DnstapTime DnstapTime::now() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return {static_cast<int64_t>(now.tv_sec), static_cast<uint32_t>(now.tv_nsec)};
}

void encode_dnstap(const DnstapEvent& event, const DnstapOrigin& origin,
                   std::vector<uint8_t>& out) {
    Dnstap__Message message = DNSTAP__MESSAGE__INIT;
    fill_message(event, message);
    Dnstap__Dnstap frame = DNSTAP__DNSTAP__INIT;
    frame.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
    frame.message = &message;
    if (!origin.identity.empty()) {
        frame.has_identity = 1;
        frame.identity = binary(std::string_view(origin.identity));
    }
    if (!origin.version.empty()) {
        frame.has_version = 1;
        frame.version = binary(std::string_view(origin.version));
    }
    out.resize(dnstap__dnstap__get_packed_size(&frame));
    out.resize(dnstap__dnstap__pack(&frame, out.data()));
}

}  // namespace cairn::observe
