// The trust anchors validation starts from: DS or DNSKEY records for zones
// (RFC 4033 §2), and domains excluded from validation (negative trust
// anchors, RFC 7646).
#pragma once

#include <string>
#include <vector>

#include "wire/name.h"
#include "wire/result.h"
#include "wire/rrset.h"

namespace cairn::dnssec {

struct TrustAnchor {
    wire::Name zone;
    wire::RRset ds;       // DS anchors (may be empty)
    wire::RRset dnskeys;  // DNSKEY anchors (may be empty)
};

class TrustAnchors {
public:
    // The root zone's KSK-2017 (key tag 20326) and KSK-2024 (38696) as DS
    // records (IANA root-anchors.xml).
    static TrustAnchors builtin();

    // Reads DS and DNSKEY records in zone-file syntax from each file; any
    // other type, an unreadable file or a bad record is an error naming
    // file and line.
    static Result<TrustAnchors, TextError> load_files(const std::vector<std::string>& paths);

    void add(const wire::Record& record);  // a DS or DNSKEY record

    // The anchor for exactly `zone`, or nullptr.
    const TrustAnchor* find(const wire::Name& zone) const;
    // The deepest anchor at or above `name`, or nullptr.
    const TrustAnchor* closest(const wire::Name& name) const;

    bool empty() const { return anchors_.empty(); }
    const std::vector<TrustAnchor>& all() const { return anchors_; }

private:
    std::vector<TrustAnchor> anchors_;
};

}  // namespace cairn::dnssec
