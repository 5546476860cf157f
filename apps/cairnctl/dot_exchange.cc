#include "cairnctl/dot_exchange.h"

#include <array>
#include <string>

#include "cairnctl/response_match.h"
#include "cairnctl/stream_framing.h"
#include "cairnctl/tls_client.h"
#include "wire/buffer.h"
#include "wire/message.h"

namespace cairn::ctl {

Result<std::vector<uint8_t>, TextError> exchange_tls(const ServerAddress& server,
                                                     const TlsSettings& tls,
                                                     std::span<const uint8_t> query,
                                                     Deadline deadline) {
    auto sent = wire::parse_query_head(query);
    if (!sent || query.size() > kMaxStreamMessage) return text_error("cannot send this query");
    auto client = TlsClient::connect(server, tls, "dot", deadline);
    if (!client) return Unexpected{client.error()};
    if (auto st = client->write_all(length_prefixed(query), deadline); !st)
        return Unexpected{st.error()};
    std::array<uint8_t, 2> length_prefix{};
    if (auto st = client->read_exactly(length_prefix, deadline); !st) return Unexpected{st.error()};
    std::vector<uint8_t> answer(wire::load_u16(length_prefix.data()));
    if (auto st = client->read_exactly(answer, deadline); !st) return Unexpected{st.error()};
    // Over TLS the peer is the server itself: a mismatch is an error.
    if (const ResponseMatch match = match_response(answer, *sent); match != ResponseMatch::kMatch)
        return text_error("DoT answer from " + server.to_text() +
                          " does not answer the query: " + std::string(to_string(match)));
    return answer;
}

}  // namespace cairn::ctl
