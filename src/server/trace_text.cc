// trace_text(): the human form of a traced resolution.
#include <cstdio>
#include <variant>

#include "server/trace_report.h"

namespace cairn::server {

namespace {

namespace trace = resolve::trace;
using trace::Check;

std::string question_text(const wire::Question& q) {
    return q.name.to_text() + " " + wire::to_string(q.type);
}

std::string milliseconds(std::chrono::microseconds us) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.2f ms", static_cast<double>(us.count()) / 1000.0);
    return text;
}

std::string ede_text(const wire::ExtendedErrorOption& ede) {
    std::string out = "EDE " + std::to_string(static_cast<uint16_t>(ede.code)) + " (" +
                      wire::to_string(ede.code) + ")";
    if (!ede.extra_text.empty()) out += ": " + ede.extra_text;
    return out;
}

std::string found_text(trace::Found found) {
    switch (found) {
        case trace::Found::kAnswer: return "answer";
        case trace::Found::kCname: return "CNAME";
        case trace::Found::kNxdomain: return "NXDOMAIN";
        case trace::Found::kNodata: return "NODATA";
        case trace::Found::kWildcard: return "wildcard answer";
        case trace::Found::kFailed: return "failed";
    }
    return "?";
}

std::string outcome_text(const trace::Exchange& e) {
    using trace::Outcome;
    switch (e.outcome) {
        case Outcome::kAnswer: return "answer";
        case Outcome::kCname: return "CNAME";
        case Outcome::kDname: return "DNAME";
        case Outcome::kReferral: return "referral to " + e.referral.to_text();
        case Outcome::kNxdomain: return "NXDOMAIN";
        case Outcome::kNodata: return "NODATA";
        case Outcome::kEmpty: return "empty, not authoritative";
        case Outcome::kLame: return "lame (does not serve the zone)";
        case Outcome::kError: return "error " + wire::to_string(e.rcode);
        case Outcome::kNoEdns: return wire::to_string(e.rcode) + " to EDNS: asked again without";
        case Outcome::kTimeout: return "timeout";
        case Outcome::kUnreachable: return "unreachable";
        case Outcome::kMalformed: return "malformed answer";
    }
    return "?";
}

std::string exchange_text(const trace::Exchange& e) {
    std::string out =
        e.zone.to_text() + " @" + e.server.to_string() + ": " + question_text(e.question);
    if (e.minimised) out += " (minimised)";
    if (e.tcp) out += " over TCP";
    out += " -> " + outcome_text(e);
    out += e.outcome == trace::Outcome::kTimeout ? " after " : ", ";
    return out + milliseconds(e.rtt);
}

std::string addresses_text(const std::vector<wire::IpAddress>& addresses) {
    if (addresses.empty()) return "no address";
    std::string out;
    for (const auto& a : addresses)
        out += (out.empty() ? "" : " ") + a.to_string();
    return out;
}

std::string basis_text(Check::Basis basis) {
    switch (basis) {
        case Check::Basis::kChecked: return "";
        case Check::Basis::kCache: return " (cached)";
        case Check::Basis::kTrustAnchor: return " (trust anchor)";
        case Check::Basis::kNoTrustAnchor: return " (no trust anchor covers it)";
        case Check::Basis::kNegativeTrustAnchor: return " (negative trust anchor)";
        case Check::Basis::kNoDs: return " (no DS)";
        case Check::Basis::kInsecureParent: return " (below an insecure zone)";
        case Check::Basis::kUnsigned: return " (no RRSIG)";
    }
    return "";
}

std::string check_text(const Check& c) {
    std::string out;
    switch (c.what) {
        case Check::What::kKeys: out = "keys of " + c.zone.to_text(); break;
        case Check::What::kDs: out = "DS " + c.zone.to_text(); break;
        case Check::What::kDnskey: out = "DNSKEY " + c.zone.to_text(); break;
        case Check::What::kRrset: out = "RRSIG " + question_text(c.subject); break;
        case Check::What::kNxdomain: out = "NXDOMAIN proof " + c.subject.name.to_text(); break;
        case Check::What::kNodata: out = "NODATA proof " + question_text(c.subject); break;
    }
    const bool data = c.what == Check::What::kRrset || c.what == Check::What::kNxdomain ||
                      c.what == Check::What::kNodata;
    if (data && !c.zone.is_root() && c.basis == Check::Basis::kChecked)
        out += " by " + c.zone.to_text();
    out += ": ";
    out += dnssec::security_name(c.security);
    out += basis_text(c.basis);
    if (c.why) out += ", " + ede_text(*c.why);
    return out;
}

std::string cached_text(const trace::Cached& c) {
    std::string out = question_text(c.question) + ": " + found_text(c.found);
    switch (c.source) {
        case trace::Cached::Source::kCache: out += " from cache"; break;
        case trace::Cached::Source::kDenials: return out + " synthesised from validated NSEC";
        case trace::Cached::Source::kStale: return out + " from stale data (servers failing)";
    }
    return out + " (" + dnssec::security_name(c.security) + ")";
}

struct StepText {
    std::string operator()(const trace::Start& s) const {
        return "start at " + s.zone.to_text() +
               (s.from_cache ? " (cached delegation)" : " (root hints)");
    }
    std::string operator()(const trace::Exchange& e) const { return exchange_text(e); }
    std::string operator()(const trace::Glueless& g) const {
        return "glueless NS " + g.server.to_text() + " of " + g.zone.to_text() + ": " +
               addresses_text(g.found);
    }
    std::string operator()(const trace::ParentGlue& p) const {
        return "parent asked again for the glue of " + p.zone.to_text() + ": " +
               (p.found ? "new addresses" : "nothing new");
    }
    std::string operator()(const trace::Fetch& f) const {
        return "fetch " + wire::to_string(f.question.type) + " " + f.question.name.to_text() +
               ": " + found_text(f.found) + (f.from_cache ? " (cached)" : "");
    }
    std::string operator()(const trace::Cached& c) const { return cached_text(c); }
    std::string operator()(const trace::Follow& f) const {
        return std::string(f.dname ? "DNAME " : "CNAME ") + f.from.to_text() + " -> " +
               f.to.to_text();
    }
    std::string operator()(const trace::Retry& r) const {
        return "data from " + r.server.to_string() + " (" + r.zone.to_text() +
               ") failed validation" + (r.why ? ", " + ede_text(*r.why) : "") +
               ": asking another server";
    }
    std::string operator()(const Check& c) const { return check_text(c); }
};

std::string outcome_line(const TraceReport& report) {
    const auto& a = report.answer;
    std::string out = ";; " + wire::to_string(a.rcode);
    if (a.authentic_data) out += ", AD";
    if (a.extended_error) out += ", " + ede_text(*a.extended_error);
    const size_t steps = report.steps.size();
    out += " (" + milliseconds(report.elapsed) + ", " + std::to_string(steps) +
           (steps == 1 ? " step" : " steps");
    if (report.dropped > 0) out += ", " + std::to_string(report.dropped) + " more not recorded";
    return out + ")\n";
}

}  // namespace

std::string trace_text(const TraceReport& report) {
    std::string out = ";; trace of " + question_text(report.question);
    if (report.fresh) out += " (answer asked upstream even if cached)";
    out += "\n";
    for (const auto& step : report.steps) {
        out.append(2 * (step.depth + 1), ' ');
        out += std::visit(StepText{}, step.event);
        out += '\n';
    }
    out += outcome_line(report);
    for (const auto* section : {&report.answer.answer, &report.answer.authority})
        for (const auto& r : *section)
            if (r.type != wire::RRType::RRSIG) out += r.to_text() + "\n";
    return out;
}

}  // namespace cairn::server
