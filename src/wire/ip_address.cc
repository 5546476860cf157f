#include "wire/ip_address.h"

#include <charconv>
#include <cstring>

#include "wire/encoding.h"

namespace cairn::wire {

IpAddress IpAddress::v4(std::array<uint8_t, 4> bytes) {
    IpAddress a;
    std::memcpy(a.bytes_.data(), bytes.data(), 4);
    a.v4_ = true;
    return a;
}

IpAddress IpAddress::v6(std::array<uint8_t, 16> bytes) {
    IpAddress a;
    a.bytes_ = bytes;
    a.v4_ = false;
    return a;
}

std::optional<IpAddress> IpAddress::from_bytes(std::span<const uint8_t> bytes) {
    IpAddress a;
    if (bytes.size() == 4) {
        std::memcpy(a.bytes_.data(), bytes.data(), 4);
        return a;
    }
    if (bytes.size() == 16) {
        std::memcpy(a.bytes_.data(), bytes.data(), 16);
        a.v4_ = false;
        return a;
    }
    return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (auto v4 = parse_ipv4(text)) return IpAddress::v4(*v4);
    if (auto v6 = parse_ipv6(text)) return IpAddress::v6(*v6);
    return std::nullopt;
}

std::optional<IpAddress> IpAddress::mapped_v4() const {
    static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (v4_ || std::memcmp(bytes_.data(), kMappedPrefix, sizeof kMappedPrefix) != 0)
        return std::nullopt;
    return IpAddress::v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

std::string IpAddress::to_string() const {
    std::string out;
    if (v4_)
        append_ipv4(out, std::span<const uint8_t, 4>(bytes_.data(), 4));
    else
        append_ipv6(out, std::span<const uint8_t, 16>(bytes_.data(), 16));
    return out;
}

IpPrefix::IpPrefix(IpAddress address, uint8_t length) {
    const auto bytes = address.bytes();
    const uint8_t max = static_cast<uint8_t>(bytes.size() * 8);
    length_ = length > max ? max : length;
    std::array<uint8_t, 16> masked{};
    for (size_t i = 0; i < bytes.size(); ++i) {
        const int bits = static_cast<int>(length_) - static_cast<int>(i * 8);
        const uint8_t mask = bits >= 8   ? 0xFF
                             : bits <= 0 ? 0
                                         : static_cast<uint8_t>(0xFF << (8 - bits));
        masked[i] = bytes[i] & mask;
    }
    address_ = *IpAddress::from_bytes(std::span<const uint8_t>(masked.data(), bytes.size()));
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
    const auto slash = text.find('/');
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    const unsigned max = address->is_v4() ? 32 : 128;
    unsigned length = max;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (ec != std::errc() || end != digits.data() + digits.size() || length > max)
            return std::nullopt;
    }
    return IpPrefix(*address, static_cast<uint8_t>(length));
}

bool IpPrefix::contains(const IpAddress& address) const {
    if (address_.is_v4() && !address.is_v4()) {
        const auto v4 = address.mapped_v4();
        return v4 && contains(*v4);
    }
    if (address.is_v4() != address_.is_v4()) return false;
    return IpPrefix(address, length_).address_ == address_;
}

std::string IpPrefix::to_string() const {
    return address_.to_string() + "/" + std::to_string(length_);
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view text, uint16_t default_port) {
    std::string_view host = text;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else if (text.find(':') == text.rfind(':') && text.find(':') != std::string_view::npos) {
        // Exactly one colon: IPv4 with a port. Several: a bare IPv6 address.
        host = text.substr(0, text.find(':'));
        port = text.substr(text.find(':') + 1);
        if (port.empty()) return std::nullopt;
    }
    auto address = IpAddress::parse(host);
    if (!address) return std::nullopt;
    unsigned value = default_port;
    if (!port.empty()) {
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value > 65535)
            return std::nullopt;
    }
    return SocketAddress{*address, static_cast<uint16_t>(value)};
}

std::string SocketAddress::to_string() const {
    if (address.is_v4()) return address.to_string() + ":" + std::to_string(port);
    return "[" + address.to_string() + "]:" + std::to_string(port);
}

}  // namespace cairn::wire
