#include "cache/cache_dump.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "wire/typed_rdata.h"
#include "wire/zone_reader.h"

namespace cairn::cache {
namespace {

using wire::RRType;

constexpr std::string_view kTimePrefix = "; time ";

constexpr std::array<std::pair<Trust, std::string_view>, 6> kTrustNames = {{
    {Trust::kAdditional, "additional"},
    {Trust::kAuthorityReferral, "referral"},
    {Trust::kAnswerNonAuth, "answer-nonauth"},
    {Trust::kAuthorityAuth, "authority-auth"},
    {Trust::kAnswerAuth, "answer-auth"},
    {Trust::kValidated, "validated"},
}};

constexpr std::array<Security, 4> kSecurities = {Security::kIndeterminate, Security::kInsecure,
                                                 Security::kSecure, Security::kBogus};

std::string_view trust_name(Trust trust) {
    for (const auto& [value, name] : kTrustNames)
        if (value == trust) return name;
    return "additional";
}

std::optional<Trust> trust_from(std::string_view text) {
    for (const auto& [value, name] : kTrustNames)
        if (name == text) return value;
    return std::nullopt;
}

std::string security_text(Security security, std::optional<wire::ExtendedErrorCode> reason) {
    std::string out = dnssec::security_name(security);
    if (reason) out += "/" + std::to_string(static_cast<uint16_t>(*reason));
    return out;
}

struct DumpedVerdict {
    Security security = Security::kIndeterminate;
    std::optional<wire::ExtendedErrorCode> reason;
};

std::optional<DumpedVerdict> verdict_from(std::string_view text) {
    DumpedVerdict v;
    const auto slash = text.find('/');
    if (slash != std::string_view::npos) {
        uint16_t code = 0;
        const auto digits = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
        if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
        v.reason = static_cast<wire::ExtendedErrorCode>(code);
        text = text.substr(0, slash);
    }
    for (Security s : kSecurities)
        if (dnssec::security_name(s) == text) {
            v.security = s;
            return v;
        }
    return std::nullopt;
}

std::string head(const wire::Name& owner, uint32_t ttl, wire::RRClass rclass, RRType type,
                 std::string_view kind, std::string_view trust, const std::string& security) {
    std::string out = owner.to_text();
    out += ' ';
    out += std::to_string(ttl);
    out += ' ';
    out += wire::to_string(rclass);
    out += ' ';
    out += wire::to_string(type);
    out += ' ';
    out += kind;
    out += ' ';
    out += trust;
    out += ' ';
    out += security;
    return out;
}

void append_record(std::string& line, const wire::Record& record) {
    line += " | ";
    line += record.to_text();
}

// The parts of a line between lone '|' tokens outside quoted strings.
std::vector<std::string_view> split_parts(std::string_view line) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    size_t start = 0;
    auto blank = [&](size_t i) { return i >= line.size() || line[i] == ' ' || line[i] == '\t'; };
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == '|' && !quoted && (i == 0 || blank(i - 1)) && blank(i + 1)) {
            parts.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(line.substr(start));
    return parts;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        const size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t')
            ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

// One entry of a dump, as read.
struct Entry {
    enum class Kind : uint8_t { kRRset, kNxdomain, kNodata };
    Kind kind = Kind::kRRset;
    wire::Question key;
    uint32_t ttl = 0;
    Trust trust = Trust::kAdditional;
    DumpedVerdict verdict;
    std::vector<wire::Record> records;
};

std::optional<Entry::Kind> kind_from(std::string_view text) {
    if (text == "rrset") return Entry::Kind::kRRset;
    if (text == "nxdomain") return Entry::Kind::kNxdomain;
    if (text == "nodata") return Entry::Kind::kNodata;
    return std::nullopt;
}

Result<Entry, TextError> parse_head(std::string_view text) {
    const auto w = words(text);
    if (w.size() != 7)
        return text_error(
            "expected `owner ttl class type rrset|nxdomain|nodata trust security` before the "
            "first '|'");
    Entry entry;
    auto owner = wire::Name::from_text(w[0]);
    if (!owner) return text_error("bad owner name: " + owner.error().message);
    const auto [end, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), entry.ttl);
    if (ec != std::errc() || end != w[1].data() + w[1].size())
        return text_error("bad TTL '" + std::string(w[1]) + "'");
    auto rclass = wire::rrclass_from_string(w[2]);
    auto type = wire::rrtype_from_string(w[3]);
    auto kind = kind_from(w[4]);
    auto verdict = verdict_from(w[6]);
    if (!rclass) return text_error("bad class '" + std::string(w[2]) + "'");
    if (!type) return text_error("bad type '" + std::string(w[3]) + "'");
    if (!kind) return text_error("bad kind '" + std::string(w[4]) + "'");
    if (!verdict) return text_error("bad security '" + std::string(w[6]) + "'");
    auto trust = *kind == Entry::Kind::kRRset ? trust_from(w[5]) : Trust::kAdditional;
    if (!trust) return text_error("bad trust '" + std::string(w[5]) + "'");
    entry.kind = *kind;
    entry.key = {*owner, *type, *rclass};
    entry.trust = *trust;
    entry.verdict = *verdict;
    return entry;
}

Result<Entry, TextError> parse_entry(std::string_view line) {
    const auto parts = split_parts(line);
    auto entry = parse_head(parts.front());
    if (!entry) return entry;
    for (size_t i = 1; i < parts.size(); ++i) {
        auto record = wire::parse_record(parts[i], wire::Name::root());
        if (!record)
            return text_error("record " + std::to_string(i) + ": " + record.error().message);
        entry->records.push_back(std::move(*record));
    }
    if (entry->kind == Entry::Kind::kRRset &&
        std::none_of(entry->records.begin(), entry->records.end(), [&](const wire::Record& r) {
            return r.owner == entry->key.name && r.type == entry->key.type;
        }))
        return text_error("an RRset entry without a record of its own");
    return entry;
}

bool covers(const wire::Record& rrsig, RRType type) {
    auto sig = wire::RrsigData::from(rrsig.rdata);
    return sig && sig->type_covered == type;
}

// False when live data of higher rank kept its place.
bool store_rrset(RRsetCache& cache, const Entry& entry, uint32_t ttl) {
    wire::RRset rrset{entry.key.name, entry.key.type, entry.key.rclass, ttl, {}};
    std::vector<wire::RData> signatures;
    std::vector<wire::Record> proof;
    for (const auto& r : entry.records) {
        if (r.owner == rrset.owner && r.type == rrset.type && r.rclass == rrset.rclass)
            rrset.add(r.rdata);
        else if (r.owner == rrset.owner && r.type == RRType::RRSIG && covers(r, rrset.type))
            signatures.push_back(r.rdata);
        else
            proof.push_back(wire::Record{r.owner, r.type, r.rclass, std::min(r.ttl, ttl), r.rdata});
    }
    const auto& v = entry.verdict;
    if (!cache.insert(rrset, signatures, entry.trust, v.security, proof)) return false;
    if (v.reason) cache.set_security(rrset, signatures, v.security, v.reason, ttl);
    return true;
}

void store_negative(NegativeCache& cache, const Entry& entry, uint32_t ttl) {
    const auto rcode =
        entry.kind == Entry::Kind::kNxdomain ? wire::Rcode::NXDOMAIN : wire::Rcode::NOERROR;
    const auto& v = entry.verdict;
    cache.insert(rcode, entry.key.name, entry.key.type, entry.records, ttl, v.security);
    if (v.reason)
        cache.set_security(rcode, entry.key.name, entry.key.type, v.security, v.reason, ttl);
}

}  // namespace

std::string dump_line(const CachedRRset& entry) {
    const auto& rrset = entry.rrset;
    std::string line = head(rrset.owner, rrset.ttl, rrset.rclass, rrset.type, "rrset",
                            trust_name(entry.trust), security_text(entry.security, entry.reason));
    for (const auto& record : rrset.to_records())
        append_record(line, record);
    for (const auto& sig : entry.signatures)
        append_record(line, {rrset.owner, RRType::RRSIG, rrset.rclass, rrset.ttl, sig});
    for (const auto& record : entry.proof)
        append_record(line, record);
    return line;
}

std::string dump_line(const NegativeEntry& entry) {
    std::string line = head(entry.name, entry.ttl, wire::RRClass::IN, entry.type,
                            entry.rcode == wire::Rcode::NXDOMAIN ? "nxdomain" : "nodata", "-",
                            security_text(entry.security, entry.reason));
    for (const auto& record : entry.authority)
        append_record(line, record);
    return line;
}

std::string dump_caches(const RRsetCache& rrsets, const NegativeCache& negatives, int64_t now) {
    std::string out = "; cairn cache dump: one entry per line (see `cairnctl cache load`)\n";
    out += kTimePrefix;
    out += std::to_string(now);
    out += '\n';
    rrsets.for_each_live([&](const CachedRRset& entry) {
        out += dump_line(entry);
        out += '\n';
    });
    negatives.for_each_live([&](const NegativeEntry& entry) {
        out += dump_line(entry);
        out += '\n';
    });
    return out;
}

namespace {

struct ParsedDump {
    int64_t time = 0;
    std::vector<Entry> entries;
};

Result<ParsedDump, TextError> parse_dump(std::string_view text, std::string_view source) {
    std::optional<ParsedDump> dump;
    size_t number = 0;
    for (size_t start = 0; start < text.size();) {
        const size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto failed = [&](const std::string& why) {
            return text_error(std::string(source) + ":" + std::to_string(number) + ": " + why);
        };
        if (line.starts_with(kTimePrefix)) {
            const auto digits = line.substr(kTimePrefix.size());
            int64_t seconds = 0;
            const auto [end_digits, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
            if (ec != std::errc() || end_digits != digits.data() + digits.size())
                return failed("bad time '" + std::string(digits) + "'");
            dump.emplace().time = seconds;
            continue;
        }
        if (line.empty() || line.front() == ';') continue;
        if (!dump) return failed("an entry before the `; time` line");
        auto entry = parse_entry(line);
        if (!entry) return failed(entry.error().message);
        dump->entries.push_back(std::move(*entry));
    }
    if (!dump) return text_error(std::string(source) + ": no `; time` line: not a cache dump");
    return std::move(*dump);
}

}  // namespace

Result<LoadCounts, TextError> load_caches(RRsetCache& rrsets, NegativeCache& negatives,
                                          std::string_view text, int64_t now,
                                          std::string_view source) {
    auto dump = parse_dump(text, source);
    if (!dump) return Unexpected{dump.error()};
    LoadCounts counts;
    const int64_t age = std::max<int64_t>(0, now - dump->time);
    for (const auto& entry : dump->entries) {
        if (entry.ttl <= age) {
            ++counts.expired;
            continue;
        }
        const auto ttl = static_cast<uint32_t>(entry.ttl - age);
        if (entry.kind != Entry::Kind::kRRset) {
            store_negative(negatives, entry, ttl);
            ++counts.negatives;
        } else {
            ++(store_rrset(rrsets, entry, ttl) ? counts.rrsets : counts.kept);
        }
    }
    return counts;
}

}  // namespace cairn::cache
