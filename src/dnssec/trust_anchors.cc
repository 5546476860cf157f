#include "dnssec/trust_anchors.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "wire/encoding.h"
#include "wire/zone_reader.h"

namespace cairn::dnssec {

namespace {

// IANA root-anchors.xml: KSK-2017 and KSK-2024.
constexpr const char* kRootAnchors[] = {
    ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

Result<std::string, TextError> read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return text_error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream contents;
    contents << file.rdbuf();
    if (file.bad()) return text_error(path + ": read error: " + std::strerror(errno));
    return contents.str();
}

// Anchors are often written without a TTL (dnssec-dsfromkey prints none),
// and a TTL means nothing for an anchor; the zone reader wants one, so the
// text is read behind this line.
constexpr std::string_view kTtlLine = "$TTL 0\n";

Result<std::vector<wire::Record>, TextError> read_with_ttl(std::string_view text) {
    std::string padded(kTtlLine);
    padded += text;
    return wire::read_zone(padded, wire::Name::root());
}

// Records of an anchor file; errors read "path:line: message".
Result<std::vector<wire::Record>, TextError> read_anchors(std::string_view text,
                                                          const std::string& path) {
    auto records = read_with_ttl(text);
    if (records) return records;
    // Without a source name the reader's errors read "line N: message",
    // counting kTtlLine as line 1.
    const std::string& message = records.error().message;
    const size_t colon = message.find(':');
    std::optional<uint64_t> line;
    if (message.starts_with("line ") && colon != std::string::npos)
        line = wire::parse_unsigned(std::string_view(message).substr(5, colon - 5), UINT32_MAX);
    if (!line || *line < 2) return text_error(path + ": " + message);
    return text_error(path + ":" + std::to_string(*line - 1) + message.substr(colon));
}

// The line where record `index` of `text` starts. The zone reader keeps no
// line numbers for records it accepted, so ask it: the record starts after
// the longest run of whole lines that reads as exactly `index` records (a
// cut inside a record fails to read). Only used to report an error, so its
// cost (quadratic in the line count) does not matter.
size_t record_line(std::string_view text, size_t index) {
    size_t start_line = 1;
    size_t line = 0;
    for (size_t end = 0; end <= text.size(); ++end) {
        if (end < text.size() && text[end] != '\n') continue;
        ++line;
        auto prefix = read_with_ttl(text.substr(0, end));
        if (!prefix) continue;
        if (prefix->size() > index) break;
        if (prefix->size() == index) start_line = line + 1;
    }
    return start_line;
}

}  // namespace

TrustAnchors TrustAnchors::builtin() {
    TrustAnchors anchors;
    for (const char* text : kRootAnchors)
        anchors.add(*wire::parse_record(text, wire::Name::root()));
    return anchors;
}

Result<TrustAnchors, TextError> TrustAnchors::load_files(const std::vector<std::string>& paths) {
    TrustAnchors anchors;
    for (const auto& path : paths) {
        auto text = read_file(path);
        if (!text) return Unexpected{text.error()};
        auto records = read_anchors(*text, path);
        if (!records) return Unexpected{records.error()};
        for (size_t i = 0; i < records->size(); ++i) {
            const wire::Record& record = (*records)[i];
            if (record.type != wire::RRType::DS && record.type != wire::RRType::DNSKEY)
                return text_error(path + ":" + std::to_string(record_line(*text, i)) + ": " +
                                  wire::to_string(record.type) +
                                  " record in a trust anchor file (only DS and DNSKEY)");
            anchors.add(record);
        }
    }
    return anchors;
}

void TrustAnchors::add(const wire::Record& record) {
    if (record.type != wire::RRType::DS && record.type != wire::RRType::DNSKEY) return;
    TrustAnchor* anchor = nullptr;
    for (auto& a : anchors_)
        if (a.zone == record.owner) anchor = &a;
    if (anchor == nullptr) {
        anchor = &anchors_.emplace_back();
        anchor->zone = record.owner;
        anchor->ds = {record.owner, wire::RRType::DS, record.rclass, record.ttl, {}};
        anchor->dnskeys = {record.owner, wire::RRType::DNSKEY, record.rclass, record.ttl, {}};
    }
    wire::RRset& set = record.type == wire::RRType::DS ? anchor->ds : anchor->dnskeys;
    set.add(record.rdata);
}

const TrustAnchor* TrustAnchors::find(const wire::Name& zone) const {
    for (const auto& anchor : anchors_)
        if (anchor.zone == zone) return &anchor;
    return nullptr;
}

const TrustAnchor* TrustAnchors::closest(const wire::Name& name) const {
    const TrustAnchor* best = nullptr;
    for (const auto& anchor : anchors_) {
        if (!name.is_subdomain_of(anchor.zone)) continue;
        if (best == nullptr || anchor.zone.label_count() > best->zone.label_count()) best = &anchor;
    }
    return best;
}

}  // namespace cairn::dnssec
