"""`cairnctl query --tls` and `--https` (issue 15, point 7): against Cairn's
own DoT and DoH listeners (certificate checked against --ca, refused with
the reason for a wrong CA or name, skipped with --insecure; GET and POST;
padded queries get padded answers), and against recording servers in this
test that show what the client sends: ALPN, SNI, padding to 128 octets
(RFC 8467), DoH's method, path, headers and ID 0 (RFC 8484), and how it
takes an HTTP error."""

from __future__ import annotations

import base64
import re
import socket
import ssl
import struct
import subprocess
import threading

import dns.edns
import dns.message
import dns.rcode
import h2.config
import h2.connection
import h2.events
import pytest

from resolver_helpers import cairnctl_binary
from tls_setup import HOSTNAME, Pki, encrypted, pki  # noqa: F401 (fixtures)

WWW = "www.plain.example."
EXIT_FAILURE = 2


def cairnctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([cairnctl_binary(), "query", *args], capture_output=True, text=True,
                          timeout=60)


def answer_size(out: str) -> int:
    return int(re.search(r";; MSG SIZE  rcvd: (\d+)", out).group(1))


def assert_answered(out: subprocess.CompletedProcess, transport: str, port: int) -> None:
    assert out.returncode == 0, out.stdout + out.stderr
    assert "status: NOERROR" in out.stdout, out.stdout
    assert re.search(r"^www\.plain\.example\.\s+\d+\s+IN\s+A\s", out.stdout, re.M), out.stdout
    assert f";; SERVER: 127.0.0.1#{port}({transport})" in out.stdout, out.stdout


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory) -> Pki:
    """A CA that signed nothing Cairn serves."""
    return Pki(str(tmp_path_factory.mktemp("other-pki")))


# -- against Cairn's listeners ---------------------------------------------------------


def test_dot_with_the_ca_is_answered_and_padded(encrypted, pki):
    e = encrypted()
    out = cairnctl(WWW, "A", f"@127.0.0.1:{e.tls_port}", "--tls", "--ca", pki.ca)
    assert_answered(out, "tls", e.tls_port)
    # the query was padded, so the answer is (RFC 8467: 468-octet blocks)
    assert answer_size(out.stdout) % 468 == 0 and "; PADDING:" in out.stdout, out.stdout
    assert e.stats()["net.dot_queries"] >= 1
    # the certificate's name checked instead of the address
    out = cairnctl(WWW, f"@127.0.0.1:{e.tls_port}", "--tls", "--ca", pki.ca, "--tls-name", HOSTNAME)
    assert_answered(out, "tls", e.tls_port)


def test_doh_post_and_get_are_answered_and_padded(encrypted, pki):
    e = encrypted({"https-path": "/q"})
    for method in ([], ["--get"]):
        out = cairnctl(WWW, f"@127.0.0.1:{e.https_port}", "--https", "--path", "/q", "--ca", pki.ca,
                       *method)
        assert_answered(out, "https", e.https_port)
        assert answer_size(out.stdout) % 468 == 0, out.stdout
    assert e.stats()["net.doh_queries"] >= 2
    # the wrong path: Cairn's 404, reported as such
    out = cairnctl(WWW, f"@127.0.0.1:{e.https_port}", "--https", "--ca", pki.ca)
    assert out.returncode == EXIT_FAILURE
    assert f"DoH answer from 127.0.0.1#{e.https_port}: HTTP status 404" in out.stderr, out.stderr


def test_an_unpadded_query_gets_an_unpadded_answer(encrypted, pki):
    e = encrypted()
    out = cairnctl(WWW, f"@127.0.0.1:{e.tls_port}", "--tls", "--ca", pki.ca, "--no-edns")
    assert_answered(out, "tls", e.tls_port)
    assert answer_size(out.stdout) % 468 != 0 and "PADDING" not in out.stdout, out.stdout


@pytest.mark.parametrize("transport", ["--tls", "--https"])
def test_a_certificate_from_another_ca_is_refused_with_the_reason(encrypted, pki, other_ca,
                                                                  transport):
    e = encrypted()
    port = e.tls_port if transport == "--tls" else e.https_port
    out = cairnctl(WWW, f"@127.0.0.1:{port}", transport, "--ca", other_ca.ca)
    assert out.returncode == EXIT_FAILURE, out.stdout + out.stderr
    assert out.stdout == ""
    assert (f"TLS with 127.0.0.1#{port}: certificate not accepted: unable to get local issuer "
            f"certificate (it is not signed by a CA in {other_ca.ca}") in out.stderr, out.stderr
    # without --ca, the system's CAs are the judges, and they do not know ours either
    out = cairnctl(WWW, f"@127.0.0.1:{port}", transport)
    assert out.returncode == EXIT_FAILURE
    assert "certificate not accepted: unable to get local issuer certificate" in out.stderr
    assert "--ca FILE" in out.stderr and "--insecure" in out.stderr, out.stderr


def test_a_certificate_for_another_name_is_refused(encrypted, pki):
    e = encrypted()
    out = cairnctl(WWW, f"@127.0.0.1:{e.tls_port}", "--tls", "--ca", pki.ca,
                   "--tls-name", "other.test")
    assert out.returncode == EXIT_FAILURE
    assert ("certificate not accepted: hostname mismatch (the certificate is not for other.test)"
            in out.stderr), out.stderr


@pytest.mark.parametrize("transport", ["--tls", "--https"])
def test_insecure_takes_any_certificate(encrypted, other_ca, transport):
    e = encrypted()
    port = e.tls_port if transport == "--tls" else e.https_port
    out = cairnctl(WWW, f"@127.0.0.1:{port}", transport, "--insecure")
    assert_answered(out, transport[2:], port)
    # bad arguments are refused before anything is sent
    out = cairnctl(WWW, f"@127.0.0.1:{port}", transport, "--insecure", "--ca", other_ca.ca)
    assert out.returncode == 1 and "give one" in out.stderr, out.stderr


def test_the_wrong_transport_for_a_port_says_so(encrypted, pki):
    e = encrypted()
    out = cairnctl(WWW, f"@127.0.0.1:{e.tls_port}", "--https", "--ca", pki.ca)
    assert out.returncode == EXIT_FAILURE
    assert "does not speak h2 (ALPN) on this port" in out.stderr, out.stderr


# -- against recording servers ---------------------------------------------------------


class RecordingServer:
    """One TLS connection on a free port of 127.0.0.1, served by `serve(tls_socket)` on a
    thread; records ALPN and SNI."""

    def __init__(self, pki: Pki, alpn: str, serve):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki.cert, pki.key)
        ctx.set_alpn_protocols([alpn])
        self.sni = None
        ctx.sni_callback = lambda sock, name, _ctx: setattr(self, "sni", name)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.alpn = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(ctx, serve), daemon=True)
        self.thread.start()

    def _run(self, ctx, serve) -> None:
        try:
            raw, _ = self.listener.accept()
            with ctx.wrap_socket(raw, server_side=True) as tls:
                tls.settimeout(30)
                self.alpn = tls.selected_alpn_protocol()
                serve(tls)
        except BaseException as e:  # reported by stop()
            self.error = e

    def stop(self) -> None:
        self.thread.join(timeout=60)
        self.listener.close()
        assert not self.thread.is_alive(), "the recording server did not finish"
        assert self.error is None, repr(self.error)


def recv_exactly(sock, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "the client closed early"
        data += chunk
    return data


def assert_padded(wire: bytes) -> dns.message.Message:
    """RFC 8467 §4.1 client side: a multiple of 128 octets, a Padding option."""
    assert len(wire) % 128 == 0, len(wire)
    query = dns.message.from_wire(wire)
    assert any(o.otype == dns.edns.OptionType.PADDING for o in query.options), query
    return query


def test_dot_queries_are_framed_padded_and_offer_alpn_dot(pki):
    queries = []

    def serve(tls):
        (length,) = struct.unpack("!H", recv_exactly(tls, 2))
        wire = recv_exactly(tls, length)
        queries.append(wire)
        reply = dns.message.make_response(dns.message.from_wire(wire)).to_wire()
        tls.sendall(struct.pack("!H", len(reply)) + reply)

    for name in ("a.example.", "a-rather-longer-name.with.more.labels.example."):
        server = RecordingServer(pki, "dot", serve)
        out = cairnctl(name, "AAAA", f"@127.0.0.1:{server.port}", "--tls", "--ca", pki.ca,
                       "--tls-name", HOSTNAME)
        server.stop()
        assert out.returncode == 0, out.stdout + out.stderr
        assert server.alpn == "dot" and server.sni == HOSTNAME
        query = assert_padded(queries[-1])
        assert query.question[0].name.to_text() == name


def doh_server(requests: list, status: str = "200", content_type: str = "application/dns-message"):
    """serve() for RecordingServer: one HTTP/2 request, recorded as (headers, body), answered
    with `status` and `content_type` (a DNS answer to the query in it)."""

    def serve(tls):
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        tls.sendall(conn.data_to_send())
        headers, body, done = {}, b"", False
        while not done:
            data = tls.recv(65536)
            assert data, "the client closed before its request was whole"
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = {k.decode(): v.decode() for k, v in event.headers}
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    requests.append((headers, body))
                    wire = body or b64url_decode(headers[":path"].split("dns=", 1)[1])
                    reply = dns.message.make_response(dns.message.from_wire(wire)).to_wire()
                    conn.send_headers(event.stream_id, [(":status", status),
                                                        ("content-type", content_type),
                                                        ("content-length", str(len(reply)))])
                    conn.send_data(event.stream_id, reply, end_stream=True)
                    done = True
            tls.sendall(conn.data_to_send())
        # the client says goodbye (GOAWAY) or just closes
        while tls.recv(65536):
            pass

    return serve


def b64url_decode(text: str) -> bytes:
    assert "=" not in text, "RFC 8484 §4.1: base64url without padding"
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_doh_post_sends_the_padded_query_as_its_body(pki):
    requests = []
    server = RecordingServer(pki, "h2", doh_server(requests))
    out = cairnctl(WWW, f"@127.0.0.1:{server.port}", "--https", "--ca", pki.ca)
    server.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    assert server.alpn == "h2" and server.sni is None  # an address: no SNI (RFC 6066 §3)
    headers, body = requests[0]
    assert headers[":method"] == "POST" and headers[":path"] == "/dns-query", headers
    assert headers[":scheme"] == "https"
    assert headers[":authority"] == f"127.0.0.1:{server.port}", headers
    assert headers["content-type"] == "application/dns-message", headers
    assert headers["accept"] == "application/dns-message", headers
    assert int(headers["content-length"]) == len(body)
    query = assert_padded(body)
    assert query.id == 0  # RFC 8484 §4.1


def test_doh_get_sends_the_padded_query_in_base64url(pki):
    requests = []
    server = RecordingServer(pki, "h2", doh_server(requests))
    out = cairnctl(WWW, f"@127.0.0.1:{server.port}", "--https", "--get", "--path", "/resolve?ct",
                   "--ca", pki.ca, "--tls-name", HOSTNAME)
    server.stop()
    assert out.returncode == 0, out.stdout + out.stderr
    assert server.sni == HOSTNAME
    headers, body = requests[0]
    assert headers[":method"] == "GET" and body == b"", headers
    assert headers[":authority"] == f"{HOSTNAME}:{server.port}", headers
    assert "content-type" not in headers
    path, dns_param = headers[":path"].split("&dns=", 1)
    assert path == "/resolve?ct", headers
    query = assert_padded(b64url_decode(dns_param))
    assert query.id == 0 and query.question[0].name.to_text() == WWW


@pytest.mark.parametrize("status, content_type, expected", [
    ("503", "application/dns-message", "HTTP status 503 instead of an answer"),
    ("200", "text/html", "the answer's content-type is 'text/html', not application/dns-message"),
])
def test_a_doh_response_that_is_no_answer_is_reported(pki, status, content_type, expected):
    requests = []
    server = RecordingServer(pki, "h2", doh_server(requests, status, content_type))
    out = cairnctl(WWW, f"@127.0.0.1:{server.port}", "--https", "--ca", pki.ca)
    server.stop()
    assert out.returncode == EXIT_FAILURE, out.stdout
    assert f"DoH answer from 127.0.0.1#{server.port}: {expected}" in out.stderr, out.stderr
