// Name::from_text on arbitrary text. What parses must print, and the printed
// form must parse back to exactly the same wire bytes (case included).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "wire/name.h"

using cairn::wire::Name;

namespace {

// True when the text ends in a dot that is not part of an escape.
bool ends_in_plain_dot(std::string_view text) {
    bool dot = false;
    for (size_t i = 0; i < text.size();) {
        if (text[i] == '\\') {
            const bool digits = i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9';
            i += digits ? 4 : 2;
            dot = false;
        } else {
            dot = text[i] == '.';
            ++i;
        }
    }
    return dot;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const Name origin = *Name::from_text("Origin.example.");
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    auto name = Name::from_text(text, origin);
    if (!name) return 0;
    FUZZ_CHECK(name->wire_length() <= Name::kMaxWireLength);

    const std::string printed = name->to_text();
    FUZZ_CHECK(!printed.empty() && printed.back() == '.');
    auto again = Name::from_text(printed);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->identical(*name));
    FUZZ_CHECK(again->to_text() == printed);

    // The wire form is a valid uncompressed name too.
    auto from_wire = Name::from_wire(name->wire());
    FUZZ_CHECK(from_wire.ok());
    FUZZ_CHECK(from_wire->identical(*name));
    FUZZ_CHECK(from_wire->label_count() == name->label_count());

    // Relative text resolves against the origin: it ends in it.
    if (!ends_in_plain_dot(text)) FUZZ_CHECK(name->is_subdomain_of(origin));
    FUZZ_CHECK(Name::canonical_compare(*name, name->lowercased()) == 0);
    FUZZ_CHECK(name->hash() == name->lowercased().hash());
    return 0;
}
