#include "cairnctl/doh_exchange.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "cairnctl/doh_message.h"
#include "cairnctl/response_match.h"
#include "cairnctl/stream_framing.h"
#include "cairnctl/tls_client.h"
#include "wire/message.h"

namespace cairn::ctl {

namespace {

constexpr size_t kReadChunk = 16 * 1024;

// What one request needs while nghttp2 runs it: the body still to send and
// the response as it arrives.
struct Request {
    std::span<const uint8_t> body;
    size_t body_sent = 0;
    int32_t stream_id = -1;
    DohResponse response;
    bool too_large = false;
    bool closed = false;
    uint32_t reset_code = 0;
};

std::string_view text_of(const uint8_t* data, size_t length) {
    return {reinterpret_cast<const char*>(data), length};
}

int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
              const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    auto& request = *static_cast<Request*>(user);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != request.stream_id) return 0;
    const std::string_view key = text_of(name, namelen);
    const std::string_view text = text_of(value, valuelen);
    if (key == ":status") {
        unsigned status = 0;
        std::from_chars(text.data(), text.data() + text.size(), status);
        request.response.status = status;
    } else if (key == "content-type") {
        request.response.content_type = text;
    }
    return 0;
}

int on_data(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t length,
            void* user) {
    auto& request = *static_cast<Request*>(user);
    if (stream_id != request.stream_id) return 0;
    auto& body = request.response.body;
    if (body.size() + length > kMaxStreamMessage) {
        request.too_large = true;
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    body.insert(body.end(), data, data + length);
    return 0;
}

int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) {
    auto& request = *static_cast<Request*>(user);
    if (stream_id != request.stream_id) return 0;
    request.closed = true;
    request.reset_code = error_code;
    return 0;
}

ssize_t read_body(nghttp2_session*, int32_t, uint8_t* out, size_t length, uint32_t* flags,
                  nghttp2_data_source*, void* user) {
    auto& request = *static_cast<Request*>(user);
    const size_t n = std::min(length, request.body.size() - request.body_sent);
    std::memcpy(out, request.body.data() + request.body_sent, n);
    request.body_sent += n;
    if (request.body_sent == request.body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
}

struct FreeSession {
    void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
};
using Session = std::unique_ptr<nghttp2_session, FreeSession>;

Session open_session(Request& request) {
    nghttp2_session_callbacks* callbacks = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0) return nullptr;
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    nghttp2_session* session = nullptr;
    const int created = nghttp2_session_client_new(&session, callbacks, &request);
    nghttp2_session_callbacks_del(callbacks);
    if (created != 0) return nullptr;
    return Session(session);
}

nghttp2_nv header(std::string_view name, std::string_view value) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

// Queues our SETTINGS (no server push) and the request.
bool submit(nghttp2_session* session, Request& request, const std::string& authority,
            const std::string& path, bool post) {
    const nghttp2_settings_entry no_push{NGHTTP2_SETTINGS_ENABLE_PUSH, 0};
    if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, &no_push, 1) != 0) return false;
    const std::string length = std::to_string(request.body.size());
    std::array<nghttp2_nv, 7> headers{
        header(":method", post ? "POST" : "GET"), header(":scheme", "https"),
        header(":authority", authority),          header(":path", path),
        header("accept", kDnsMessageType),        header("content-type", kDnsMessageType),
        header("content-length", length)};
    // A GET has no body, and so no content-type or content-length.
    const size_t count = post ? headers.size() : headers.size() - 2;
    nghttp2_data_provider provider{};
    provider.read_callback = read_body;
    request.stream_id = nghttp2_submit_request(session, nullptr, headers.data(), count,
                                               post ? &provider : nullptr, nullptr);
    return request.stream_id > 0;
}

// Writes what nghttp2 has queued, in one go: one TLS record and one TCP
// segment rather than one per frame, which Nagle's algorithm would hold back.
Status<TextError> flush(nghttp2_session* session, TlsClient& client, Deadline deadline) {
    std::vector<uint8_t> output;
    for (;;) {
        const uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(session, &data);
        if (n < 0)
            return text_error(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
        if (n == 0) break;
        output.insert(output.end(), data, data + n);
    }
    if (output.empty()) return {};
    return client.write_all(output, deadline);
}

// Runs the session until the request's stream closes.
Status<TextError> run_until_closed(nghttp2_session* session, Request& request, TlsClient& client,
                                   Deadline deadline) {
    std::vector<uint8_t> buffer(kReadChunk);
    const std::string server = client.server().to_text();
    for (;;) {
        if (auto st = flush(session, client, deadline); !st) return st;
        if (request.closed) return {};
        if (nghttp2_session_want_read(session) == 0)
            return text_error(server + " ended the HTTP/2 session before answering");
        auto got = client.read_some(buffer, deadline);
        if (!got) return Unexpected{got.error()};
        const ssize_t used = nghttp2_session_mem_recv(session, buffer.data(), *got);
        if (request.too_large)
            return text_error("the answer from " + server + " is over " +
                              std::to_string(kMaxStreamMessage) + " octets");
        if (used < 0)
            return text_error("HTTP/2 error from " + server + ": " +
                              nghttp2_strerror(static_cast<int>(used)));
    }
}

}  // namespace

Result<std::vector<uint8_t>, TextError> exchange_https(const ServerAddress& server,
                                                       const TlsSettings& tls,
                                                       const DohSettings& doh,
                                                       std::span<const uint8_t> query,
                                                       Deadline deadline) {
    auto sent = wire::parse_query_head(query);
    if (!sent || query.size() > kMaxStreamMessage) return text_error("cannot send this query");
    auto client = TlsClient::connect(server, tls, "h2", deadline);
    if (!client) return Unexpected{client.error()};
    // RFC 8484 §5.2: HTTP/2 is the minimum; without ALPN h2 there is none.
    if (client->alpn() != "h2")
        return text_error(server.to_text() + " does not speak HTTP/2 (ALPN h2) over TLS");

    Request request;
    if (!doh.get) request.body = query;
    Session session = open_session(request);
    const std::string path = doh.get ? doh_get_path(doh.path, query) : doh.path;
    if (!session ||
        !submit(session.get(), request, doh_authority(server, tls.name), path, !doh.get))
        return text_error("HTTP/2: cannot start the request");
    if (auto st = run_until_closed(session.get(), request, *client, deadline); !st)
        return Unexpected{st.error()};
    // Say goodbye; the answer is in whatever becomes of that.
    nghttp2_session_terminate_session(session.get(), NGHTTP2_NO_ERROR);
    (void)flush(session.get(), *client, deadline);
    if (request.reset_code != NGHTTP2_NO_ERROR)
        return text_error(server.to_text() + " reset the HTTP/2 stream (" +
                          nghttp2_http2_strerror(request.reset_code) + ")");
    auto answer = doh_answer(std::move(request.response));
    if (!answer)
        return text_error("DoH answer from " + server.to_text() + ": " + answer.error().message);
    if (const ResponseMatch match = match_response(*answer, *sent); match != ResponseMatch::kMatch)
        return text_error("DoH answer from " + server.to_text() +
                          " does not answer the query: " + std::string(to_string(match)));
    return answer;
}

}  // namespace cairn::ctl
