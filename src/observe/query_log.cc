#include "observe/query_log.h"

#include <time.h>

#include <cstdio>

namespace cairn::observe {
namespace {

void append_time(std::string& out, int64_t seconds, uint32_t milliseconds) {
    const time_t whole = static_cast<time_t>(seconds);
    tm utc{};
    gmtime_r(&whole, &utc);
    char text[32];
    const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                                utc.tm_min, utc.tm_sec, milliseconds % 1000);
    if (n > 0) out.append(text, static_cast<size_t>(n));
}

}  // namespace

void format_query_line(const QueryLogEntry& entry, std::string& out) {
    out.clear();
    append_time(out, entry.seconds, entry.milliseconds);
    out += " query ";
    entry.client.append_to(out);
    out += ' ';
    out += entry.transport;
    out += ' ';
    if (entry.qname)
        entry.qname->append_text(out);
    else
        out += '.';
    out += ' ';
    out += wire::to_string(entry.qtype);
    out += ' ';
    out += entry.rcode ? wire::to_string(*entry.rcode) : "dropped";
}

}  // namespace cairn::observe
