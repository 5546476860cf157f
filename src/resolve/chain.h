// The CNAME/DNAME chain of one question (RFC 1034 §3.6.2, RFC 6672): which
// names and RRsets of a response are on the way from the QNAME to its
// answer. The scrubber keeps only those; the resolver follows the chain
// through what a lookup returned, one name at a time.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "resolve/lookup_result.h"
#include "wire/record.h"

namespace cairn::resolve {

// RFC 6672 §2.2: `name` with the DNAME owner's suffix replaced by the
// DNAME's target; nullopt when the result would be too long or the DNAME
// does not apply (not a proper ancestor, unreadable RDATA).
std::optional<wire::Name> apply_dname(const wire::Name& name, const wire::Record& dname);

// One RRset on the chain: the owner and type it is stored under.
struct ChainLink {
    wire::Name owner;
    wire::RRType type;
    bool operator==(const ChainLink&) const = default;
};

// Walks `answers` from `question`'s name: at each name a DNAME at a proper
// ancestor redirects (with the CNAME it implies), else the asked type is
// the answer, else a CNAME leads on. At most `max_links` redirections.
// Returns the RRsets on the chain in order; an RRSIG belongs to the chain
// when the RRset it covers does.
std::vector<ChainLink> answer_chain(std::span<const wire::Record> answers,
                                    const wire::Question& question, size_t max_links = 16);

// Whether `record` (an RRset member or an RRSIG over one) lies on `chain`.
bool on_chain(const wire::Record& record, std::span<const ChainLink> chain);

// Where one name of a chain leads among the RRsets a lookup returned.
struct ChainStep {
    enum class Kind : uint8_t {
        kAnswer,  // `rrsets` answer the question at this name: the chain ends
        kCname,   // `rrsets` is the CNAME at this name; the chain goes on at `next`
        kDname,   // `rrsets` is a DNAME above this name; `cname` is the CNAME it
                  // implies; the chain goes on at `next` unless CNAME was asked
        kNone,    // the lookup holds nothing for this name
        kBroken,  // a CNAME or DNAME whose target cannot be read, or is too long
    };
    Kind kind = Kind::kNone;
    std::vector<size_t> rrsets;  // positions in the lookup's RRsets
    std::optional<wire::Record> cname;
    wire::Name next;
};

// One step of the chain at `at` (the name and type asked there): a DNAME at
// a proper ancestor redirects first (RFC 6672 §3.1), else the asked type
// (every type for ANY) is the answer, else a CNAME leads on (a CNAME asked
// for is the answer).
ChainStep chain_step(std::span<const SignedRRset> rrsets, const wire::Question& at);

}  // namespace cairn::resolve
