// trace_json(): a traced resolution for tools (README.md, "cairnctl trace").
#include <cstdio>
#include <variant>

#include "server/json_text.h"
#include "server/trace_report.h"

namespace cairn::server {

namespace {

namespace trace = resolve::trace;

// The members of one JSON object, written in order.
class JsonObject {
public:
    JsonObject& text(std::string_view key, std::string_view value) {
        append_json_string(start(key), value);
        return *this;
    }
    JsonObject& flag(std::string_view key, bool value) {
        start(key) += value ? "true" : "false";
        return *this;
    }
    JsonObject& number(std::string_view key, uint64_t value) {
        start(key) += std::to_string(value);
        return *this;
    }
    JsonObject& raw(std::string_view key, std::string_view json) {
        start(key) += json;
        return *this;
    }
    JsonObject& question(const wire::Question& q) {
        return text("qname", q.name.to_text()).text("qtype", wire::to_string(q.type));
    }
    std::string close() { return out_.empty() ? "{}" : out_ + "}"; }

private:
    std::string& start(std::string_view key) {
        out_ += out_.empty() ? "{" : ",";
        append_json_string(out_, key);
        out_ += ':';
        return out_;
    }
    std::string out_;
};

std::string ede_json(const std::optional<wire::ExtendedErrorOption>& ede) {
    if (!ede) return "null";
    return JsonObject()
        .number("code", static_cast<uint16_t>(ede->code))
        .text("name", wire::to_string(ede->code))
        .text("text", ede->extra_text)
        .close();
}

std::string milliseconds(std::chrono::microseconds us) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.3f", static_cast<double>(us.count()) / 1000.0);
    return text;
}

template <class Items, class Write>
std::string json_array(const Items& items, Write write) {
    std::string out = "[";
    for (const auto& item : items) {
        if (out.size() > 1) out += ',';
        out += write(item);
    }
    return out + "]";
}

// The members of each kind of step after "depth" and "step".
struct StepJson {
    JsonObject& o;

    void operator()(const trace::Start& s) const {
        o.text("step", "start").text("zone", s.zone.to_text()).flag("from_cache", s.from_cache);
    }
    void operator()(const trace::Exchange& e) const {
        o.text("step", "exchange").text("zone", e.zone.to_text());
        o.text("server", e.server.to_string()).question(e.question);
        o.flag("minimised", e.minimised).flag("tcp", e.tcp).raw("rtt_ms", milliseconds(e.rtt));
        o.text("outcome", trace::to_string(e.outcome)).text("rcode", wire::to_string(e.rcode));
        if (e.outcome == trace::Outcome::kReferral) o.text("referral", e.referral.to_text());
    }
    void operator()(const trace::Glueless& g) const {
        o.text("step", "glueless").text("zone", g.zone.to_text()).text("ns", g.server.to_text());
        o.raw("addresses", json_array(g.found, [](const wire::IpAddress& a) {
                  return json_string(a.to_string());
              }));
    }
    void operator()(const trace::ParentGlue& p) const {
        o.text("step", "parent-glue").text("zone", p.zone.to_text()).flag("found", p.found);
    }
    void operator()(const trace::Fetch& f) const {
        o.text("step", "fetch").question(f.question).flag("from_cache", f.from_cache);
        o.text("found", trace::to_string(f.found));
    }
    void operator()(const trace::Cached& c) const {
        o.text("step", "cached").question(c.question).text("source", trace::to_string(c.source));
        o.text("found", trace::to_string(c.found))
            .text("security", dnssec::security_name(c.security));
    }
    void operator()(const trace::Follow& f) const {
        o.text("step", "follow").text("from", f.from.to_text()).text("to", f.to.to_text());
        o.flag("dname", f.dname);
    }
    void operator()(const trace::Retry& r) const {
        o.text("step", "retry").text("zone", r.zone.to_text()).text("server", r.server.to_string());
        o.raw("ede", ede_json(r.why));
    }
    void operator()(const trace::Check& c) const {
        o.text("step", "dnssec")
            .text("check", trace::to_string(c.what))
            .text("zone", c.zone.to_text());
        if (c.what == trace::Check::What::kRrset || c.what == trace::Check::What::kNxdomain ||
            c.what == trace::Check::What::kNodata)
            o.question(c.subject);
        o.text("basis", trace::to_string(c.basis))
            .text("security", dnssec::security_name(c.security));
        o.raw("ede", ede_json(c.why));
    }
};

std::string step_json(const trace::Step& step) {
    JsonObject o;
    o.number("depth", step.depth);
    std::visit(StepJson{o}, step.event);
    return o.close();
}

std::string records_json(const std::vector<wire::Record>& records) {
    return json_array(records, [](const wire::Record& r) { return json_string(r.to_text()); });
}

}  // namespace

std::string trace_json(const TraceReport& report) {
    const auto& a = report.answer;
    JsonObject o;
    o.raw("question", JsonObject()
                          .text("name", report.question.name.to_text())
                          .text("type", wire::to_string(report.question.type))
                          .close());
    o.flag("fresh", report.fresh);
    o.text("rcode", wire::to_string(a.rcode)).flag("ad", a.authentic_data);
    o.raw("ede", ede_json(a.extended_error));
    o.raw("answer", records_json(a.answer)).raw("authority", records_json(a.authority));
    o.raw("elapsed_ms", milliseconds(report.elapsed)).number("dropped", report.dropped);
    o.raw("steps", json_array(report.steps, step_json));
    return o.close() + "\n";
}

}  // namespace cairn::server
