#include "net/qname_case.h"

#include <array>

namespace cairn::net {

namespace {

// Flips the letter `which` (counted over letters only) of a name's wire form.
void flip_letter(std::span<uint8_t> wire, size_t which) {
    for (size_t at = 0; wire[at] != 0; at += wire[at] + 1u)
        for (size_t i = at + 1; i <= at + wire[at]; ++i) {
            const uint8_t lower = wire::ascii_lower(wire[i]);
            if (lower < 'a' || lower > 'z') continue;
            if (which-- == 0) {
                wire[i] ^= 0x20;
                return;
            }
        }
}

}  // namespace

wire::Name randomise_case(const wire::Name& name, RandomPool& random) {
    const auto wire = name.wire();
    std::array<uint8_t, wire::Name::kMaxWireLength> out{};
    std::copy(wire.begin(), wire.end(), out.begin());
    uint64_t bits = 0;
    unsigned left = 0;
    size_t letters = 0;
    size_t upper = 0;
    // Label by label, so that length octets are never touched.
    for (size_t at = 0; out[at] != 0; at += out[at] + 1u) {
        for (size_t i = at + 1; i <= at + out[at]; ++i) {
            const uint8_t lower = wire::ascii_lower(out[i]);
            if (lower < 'a' || lower > 'z') continue;
            if (left == 0) {
                bits = random.u64();
                left = 64;
            }
            out[i] = (bits & 1) ? static_cast<uint8_t>(lower - 32) : lower;
            ++letters;
            upper += bits & 1;
            bits >>= 1;
            --left;
        }
    }
    // All lower or all upper case are the spellings a forger tries first
    // (names are nearly always asked in lower case): one letter flipped takes
    // them out of the draw at the cost of two spellings out of 2^letters.
    const bool guessable = letters > 0 && (upper == 0 || (upper == letters && letters > 1));
    if (guessable) flip_letter(std::span<uint8_t>(out.data(), wire.size()), random.u64() % letters);
    auto randomised = wire::Name::from_wire(std::span<const uint8_t>(out.data(), wire.size()));
    return randomised ? *randomised : name;
}

void restore_case(wire::Message& reply, const wire::Name& sent, const wire::Name& original) {
    if (sent.identical(original)) return;
    for (auto& question : reply.questions)
        if (question.name == sent) question.name = original;
    auto restore = [&](wire::Name& owner) {
        const size_t labels = owner.label_count();
        if (labels > sent.label_count() || !sent.suffix(labels).identical(owner)) return;
        owner = original.suffix(labels);
    };
    for (auto section :
         {wire::Section::kAnswer, wire::Section::kAuthority, wire::Section::kAdditional})
        for (auto& record : reply.section(section))
            restore(record.owner);
}

}  // namespace cairn::net
