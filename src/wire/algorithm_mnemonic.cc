#include "wire/algorithm_mnemonic.h"

#include <array>

#include "wire/name.h"

namespace cairn::wire {

namespace {

constexpr std::array<AlgorithmMnemonic, 16> kMnemonics = {{
    {1, "RSAMD5"},
    {2, "DH"},
    {3, "DSA"},
    {5, "RSASHA1"},
    {6, "DSA-NSEC3-SHA1"},
    {7, "RSASHA1-NSEC3-SHA1"},
    {8, "RSASHA256"},
    {10, "RSASHA512"},
    {12, "ECC-GOST"},
    {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"},
    {15, "ED25519"},
    {16, "ED448"},
    {252, "INDIRECT"},
    {253, "PRIVATEDNS"},
    {254, "PRIVATEOID"},
}};

bool equal_ignoring_case(std::string_view text, std::string_view upper) {
    if (text.size() != upper.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (ascii_lower(static_cast<uint8_t>(text[i])) !=
            ascii_lower(static_cast<uint8_t>(upper[i])))
            return false;
    }
    return true;
}

}  // namespace

std::span<const AlgorithmMnemonic> algorithm_mnemonics() {
    return kMnemonics;
}

std::optional<uint8_t> algorithm_from_mnemonic(std::string_view text) {
    for (const auto& entry : kMnemonics) {
        if (equal_ignoring_case(text, entry.mnemonic)) return entry.number;
    }
    return std::nullopt;
}

}  // namespace cairn::wire
