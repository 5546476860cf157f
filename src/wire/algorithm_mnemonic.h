// DNSSEC algorithm mnemonics (RFC 4034 App. A.1, IANA "DNS Security
// Algorithm Numbers"), which presentation text may use in place of the
// number in the algorithm field of DS, DNSKEY and RRSIG records.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cairn::wire {

struct AlgorithmMnemonic {
    uint8_t number;
    const char* mnemonic;  // upper case, as IANA spells it
};

// Every named algorithm, in number order.
std::span<const AlgorithmMnemonic> algorithm_mnemonics();

// The number a mnemonic stands for, compared without regard to case.
std::optional<uint8_t> algorithm_from_mnemonic(std::string_view text);

}  // namespace cairn::wire
