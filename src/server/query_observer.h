// What the pipeline records of each client query and its answer: the
// dnstap events CLIENT_QUERY and CLIENT_RESPONSE, and the query log line
// (`log-queries`). Every transport's queries pass through the pipeline, so
// this is the one place they are seen. Both are off unless configured; then
// nothing here runs but two pointer tests per query.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "net/query_handler.h"
#include "observe/client_address.h"
#include "observe/dnstap_recorder.h"
#include "observe/query_log.h"
#include "wire/message.h"

namespace cairn::server {

// dnstap's name for a client protocol.
observe::DnstapProtocol dnstap_protocol(net::ClientProtocol protocol);

class QueryObserver {
public:
    // `dnstap` (this worker's) and `query_log` may be null: not recorded.
    QueryObserver(observe::DnstapRecorder* dnstap, observe::QueryLogSink* query_log,
                  const observe::AddressPolicy& addresses)
        : dnstap_(dnstap), query_log_(query_log), addresses_(addresses) {}

    // A query that will be answered (or refused) arrived.
    void query_received(std::span<const uint8_t> query, const net::Peer& peer) {
        if (dnstap_) record_query(query, peer);
    }
    // The answer to `question` from `peer` leaves now: `answer` with
    // `rcode`, or nothing (nullopt, empty) when the rate limit dropped it.
    void answer_released(const wire::Question* question, const net::Peer& peer,
                         std::optional<wire::Rcode> rcode, std::span<const uint8_t> answer) {
        if (dnstap_ && !answer.empty()) record_answer(answer, peer);
        if (query_log_ && question) log_answer(*question, peer, rcode);
    }

private:
    void record_query(std::span<const uint8_t> query, const net::Peer& peer);
    void record_answer(std::span<const uint8_t> answer, const net::Peer& peer);
    void log_answer(const wire::Question& question, const net::Peer& peer,
                    std::optional<wire::Rcode> rcode);

    observe::DnstapRecorder* dnstap_;
    observe::QueryLogSink* query_log_;
    const observe::AddressPolicy addresses_;
    std::string line_;  // reused: its capacity stays
};

}  // namespace cairn::server
