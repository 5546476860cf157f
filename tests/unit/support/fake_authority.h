// In-memory authoritative servers for resolver unit tests (DESIGN.md
// "Tests": the resolve layer's upstream is scripted, no sockets). Each
// FakeAuthority answers from its zones' records the way an authoritative
// server does: answers with AA, referrals with glue, CNAMEs, wildcard
// expansions, NXDOMAIN and NODATA with the SOA. A zone that holds RRSIGs
// (see signed_zone.h) is served as to a DO query: RRsets with their RRSIGs,
// referrals with the DS RRset or the NSEC of the cut, negative answers and
// wildcard expansions with the NSEC records that prove them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resolve/upstream.h"
#include "wire/message.h"
#include "wire/zone_reader.h"

namespace cairn::testing {

struct FakeZone {
    wire::Name origin;
    std::vector<wire::Record> records;
};

// Loads zone-file text (origin from the first line's `$ORIGIN`).
FakeZone make_zone(std::string_view origin, std::string_view text);

// The answer an authoritative server for `zone` gives to `question`.
wire::Message authoritative_answer(const FakeZone& zone, const wire::Question& question);

struct SentQuery {
    wire::IpAddress server;
    wire::Question question;
    bool tcp = false;
};

class ScriptedUpstream final : public resolve::Upstream {
public:
    // nullopt from a handler means "no answer" (a timeout).
    using Handler = std::function<std::optional<wire::Message>(const resolve::UpstreamQuery&)>;

    // `address` serves `zones` authoritatively (choosing the deepest zone
    // that contains the question name; for DS, the deepest strictly above).
    void serve(std::string_view address, std::vector<FakeZone> zones);
    void script(std::string_view address, Handler handler);
    // Nothing answers at `address`.
    void silence(std::string_view address);

    asio::awaitable<resolve::UpstreamReply> exchange(resolve::UpstreamQuery query) override;

    const std::vector<SentQuery>& sent() const { return sent_; }
    size_t count(std::string_view address) const;
    void clear_log() { sent_.clear(); }

private:
    std::map<wire::IpAddress, Handler> handlers_;
    std::vector<SentQuery> sent_;
};

}  // namespace cairn::testing
