// The anatomy of one resolution, for `cairnctl trace`: each exchange with a
// server, each answer or delegation taken from the cache, each glueless
// name server lookup and each key fetch (with their own steps nested under
// them), each link of a CNAME/DNAME chain, and each DNSSEC check with its
// verdict (DS -> DNSKEY -> RRSIG). Structured events only: the server layer
// turns them into text or JSON.
//
// A Trace is attached to one request through RequestBudget::trace, which is
// null for every other request: the hooks cost those a null check and
// nothing else (no event is built, nothing allocated).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "cache/negative_cache.h"
#include "cache/rrset_cache.h"
#include "cache/security.h"
#include "wire/edns.h"
#include "wire/ip_address.h"
#include "wire/record.h"
#include "wire/types.h"

namespace cairn::resolve::trace {

// Where the iterator started walking down: a delegation from the cache or
// the root hints.
struct Start {
    wire::Name zone;
    bool from_cache = false;
};

// What came of one query to one server.
enum class Outcome : uint8_t {
    kAnswer,
    kCname,
    kDname,
    kReferral,
    kNxdomain,
    kNodata,
    kEmpty,        // non-authoritative and empty (a minimised step some servers get wrong)
    kLame,         // the server does not serve the zone
    kError,        // an error rcode
    kNoEdns,       // FORMERR/NOTIMP to EDNS: asked again without
    kTimeout,      // no answer in time
    kUnreachable,  // refused, unreachable, reset
    kMalformed,    // an answer that did not parse
};

struct Exchange {
    wire::Name zone;  // the zone the server was asked as authoritative for
    wire::IpAddress server;
    wire::Question question;
    bool minimised = false;  // a QNAME-minimised step, not the question itself
    bool tcp = false;
    // The round trip; for a timeout, how long the answer was waited for.
    std::chrono::microseconds rtt{0};
    Outcome outcome = Outcome::kTimeout;
    wire::Rcode rcode = wire::Rcode::NOERROR;
    wire::Name referral;  // kReferral: the child zone
};

// The address of a name server a delegation gave without glue; the lookup's
// steps nest under it.
struct Glueless {
    wire::Name zone;    // the delegation that needs it
    wire::Name server;  // the name server's name
    std::vector<wire::IpAddress> found;
};

// The parent asked again for a zone's glue; its steps nest under it.
struct ParentGlue {
    wire::Name zone;
    bool found = false;  // new addresses came of it
};

// What a fetch or a cache hit found.
enum class Found : uint8_t {
    kAnswer,
    kCname,
    kNxdomain,
    kNodata,
    kWildcard,  // synthesised from a validated wildcard (RFC 8198)
    kFailed,
};

// Validation needed a DS or DNSKEY RRset: from the cache, or upstream (the
// steps nest under it).
struct Fetch {
    wire::Question question;
    bool from_cache = false;
    Found found = Found::kFailed;
};

// Part of the answer came without asking anyone.
struct Cached {
    enum class Source : uint8_t {
        kCache,    // the RRset or negative cache
        kDenials,  // synthesised from validated NSEC/NSEC3 records (RFC 8198)
        kStale,    // expired data, the zone's servers failing (RFC 8767)
    };
    wire::Question question;
    Source source = Source::kCache;
    Found found = Found::kAnswer;
    cache::Security security = cache::Security::kIndeterminate;
};

// A CNAME or DNAME of the answer's chain, followed to its target.
struct Follow {
    wire::Name from;
    wire::Name to;
    bool dname = false;
};

// Data from `server` failed validation: another server of `zone` is asked.
struct Retry {
    wire::Name zone;
    wire::IpAddress server;
    std::optional<wire::ExtendedErrorOption> why;
};

// One DNSSEC conclusion.
struct Check {
    enum class What : uint8_t {
        kKeys,      // a zone's keys as a whole (cached, no anchor, negative anchor, unusable DS)
        kDs,        // the zone's DS RRset, signed by its parent
        kDnskey,    // the zone's DNSKEY RRset, against its DS or trust anchor
        kRrset,     // an RRset's RRSIGs, by the zone's keys
        kNxdomain,  // a proof that the name does not exist
        kNodata,    // a proof that the name has no such type
    };
    enum class Basis : uint8_t {
        kChecked,              // signatures or proofs checked just now
        kCache,                // concluded before, cached
        kTrustAnchor,          // the configured anchor vouches for the keys
        kNoTrustAnchor,        // no anchor covers the zone
        kNegativeTrustAnchor,  // the operator said not to validate here
        kNoDs,                 // the parent proves the zone has no DS
        kInsecureParent,       // an enclosing zone is insecure (or bogus): so is this one
        kUnsigned,             // no RRSIG came with the data
    };
    What what = What::kRrset;
    wire::Name zone;         // whose keys; for data and proofs, the zone that signed them
    wire::Question subject;  // kRrset, kNxdomain, kNodata: what was checked
    Basis basis = Basis::kChecked;
    cache::Security security = cache::Security::kIndeterminate;
    std::optional<wire::ExtendedErrorOption> why;
};

using Event =
    std::variant<Start, Exchange, Glueless, ParentGlue, Fetch, Cached, Follow, Retry, Check>;

struct Step {
    uint8_t depth = 0;  // nesting under the glueless lookups and fetches that caused it
    Event event;
};

// What the caches gave for `question`.
Cached cached(const wire::Question& question, const cache::CachedRRset& entry,
              Cached::Source source = Cached::Source::kCache);
Cached cached(const wire::Question& question, const cache::NegativeEntry& entry,
              Cached::Source source = Cached::Source::kCache);

const char* to_string(Outcome outcome);
const char* to_string(Found found);
const char* to_string(Cached::Source source);
const char* to_string(Check::What what);
const char* to_string(Check::Basis basis);

}  // namespace cairn::resolve::trace

namespace cairn::resolve {

class Trace {
public:
    // Bounds the memory of one trace whatever the resolution does.
    static constexpr size_t kMaxSteps = 2000;

    // `fresh`: the answer is asked upstream even when cached (delegations
    // and keys still come from the cache).
    explicit Trace(bool fresh = false) : fresh_(fresh) {}

    bool fresh() const { return fresh_; }

    void add(trace::Event event);

    // A step whose consequences (the steps added until close()) nest under
    // it.
    struct Opened {
        size_t index = SIZE_MAX;  // SIZE_MAX: not recorded (kMaxSteps)
        uint8_t depth = 0;
    };
    Opened open(trace::Event event);
    void close(const Opened& opened);
    // The event of an opened step, to complete it; null if not recorded.
    trace::Event* at(const Opened& opened);

    const std::vector<trace::Step>& steps() const { return steps_; }
    // Steps beyond kMaxSteps, not recorded.
    size_t dropped() const { return dropped_; }

private:
    bool fresh_ = false;
    std::vector<trace::Step> steps_;
    uint8_t depth_ = 0;
    size_t dropped_ = 0;
};

// Adds the event `make` builds to `trace`, if there is one; without a
// trace nothing is built.
template <class Make>
void note(Trace* trace, Make make) {
    if (trace) trace->add(make());
}

// Opens a step of `trace` (if there is one) for the lifetime of this object:
// what is recorded meanwhile nests under it. `make` builds the event only
// when there is a trace.
class TraceScope {
public:
    template <class Make>
    TraceScope(Trace* trace, Make make) : trace_(trace) {
        if (trace_) opened_ = trace_->open(make());
    }
    ~TraceScope() {
        if (trace_) trace_->close(opened_);
    }
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

    // The opened event as a `T`, to complete it; null without a trace.
    template <class T>
    T* event() {
        if (!trace_) return nullptr;
        auto* e = trace_->at(opened_);
        return e ? std::get_if<T>(e) : nullptr;
    }

private:
    Trace* trace_;
    Trace::Opened opened_;
};

}  // namespace cairn::resolve
