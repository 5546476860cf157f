"""DNS over HTTPS (RFC 8484) and its cleartext HTTP/2 twin: independent
clients (kdig +https, curl, dnspython, the h2 library) against Cairn's
listen-https and listen-http; the HTTP status of each client mistake,
Cache-Control from the TTL, concurrent streams, padding; bad clients."""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import time

import dns.message
import dns.query
import dns.rcode
import h2.config
import h2.connection
import h2.events
import h2.settings

from resolver_helpers import rdatas
from tls_setup import HOSTNAME, encrypted, pki  # noqa: F401 (fixtures)

WWW = "www.plain.example."
MAIL = "mail.plain.example."


def b64url(wire: bytes) -> str:
    return base64.urlsafe_b64encode(wire).rstrip(b"=").decode()


def curl(e, pki, *args: str, tls: bool = True, path: str = "/dns-query") -> tuple[int, dict, bytes]:
    """One curl request over HTTP/2: (status, headers, body)."""
    if tls:
        url = f"https://{HOSTNAME}:{e.https_port}{path}"
        base = ["curl", "-s", "--http2", "--cacert", pki.ca, "--resolve",
                f"{HOSTNAME}:{e.https_port}:{e.host}"]
    else:
        url = f"http://{e.host}:{e.http_port}{path}"
        base = ["curl", "-s", "--http2-prior-knowledge"]
    out = subprocess.run(base + ["-D", "/dev/stderr", "-o", "-", *args, url],
                         capture_output=True, timeout=30)
    head = out.stderr.decode(errors="replace")
    match = re.search(r"HTTP/2 (\d+)", head)
    assert match, f"curl failed ({out.returncode}): {head}"
    headers = {}
    for line in head.splitlines()[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return int(match.group(1)), headers, out.stdout


def query_wire(name: str = WWW, rdtype: str = "A", **kw) -> bytes:
    q = dns.message.make_query(name, rdtype, **kw)
    q.id = 0  # RFC 8484 §4.1: cache-friendly
    return q.to_wire()


def test_kdig_over_https(encrypted, pki):
    e = encrypted()
    out = subprocess.run(["kdig", f"@{e.host}", "-p", str(e.https_port), "+https",
                          f"+tls-ca={pki.ca}", f"+tls-hostname={HOSTNAME}", WWW, "A"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "HTTP/2" in out.stdout and "status: 200" in out.stdout, out.stdout
    assert "status: NOERROR" in out.stdout and "\tA\t" in out.stdout, out.stdout


def test_curl_get_and_post_with_cache_control_from_the_ttl(encrypted, pki):
    e = encrypted()
    wire = query_wire()
    status, headers, body = curl(e, pki, "-G", "--data", f"dns={b64url(wire)}")
    assert status == 200, headers
    assert headers["content-type"] == "application/dns-message"
    answer = dns.message.from_wire(body)
    assert answer.rcode() == dns.rcode.NOERROR and rdatas(answer, WWW, "A"), answer
    ttls = [rrset.ttl for section in (answer.answer, answer.authority, answer.additional)
            for rrset in section]
    max_age = int(re.fullmatch(r"max-age=(\d+)", headers["cache-control"]).group(1))
    assert 0 < max_age <= min(ttls), (headers, answer)
    # POST, with the query in the body
    post = subprocess.run(["curl", "-s", "--http2", "--cacert", pki.ca, "--resolve",
                           f"{HOSTNAME}:{e.https_port}:{e.host}", "-H",
                           "content-type: application/dns-message", "--data-binary", "@-",
                           "-w", "%{http_code} %{http_version}", "-o", "/dev/stderr",
                           f"https://{HOSTNAME}:{e.https_port}/dns-query"],
                          input=query_wire(MAIL), capture_output=True, timeout=30)
    assert post.stdout == b"200 2", post.stdout
    assert rdatas(dns.message.from_wire(post.stderr), MAIL, "A")
    assert e.stats()["net.doh_queries"] >= 2


def test_dnspython_doh_get_and_post(encrypted, pki):
    e = encrypted()
    # httpx (with h2) underneath; the server speaks nothing but HTTP/2
    for post in (False, True):
        q = dns.message.make_query(WWW, "A")
        r = dns.query.https(q, e.host, port=e.https_port, verify=pki.ca, post=post, timeout=10)
        assert r.rcode() == dns.rcode.NOERROR and rdatas(r, WWW, "A"), r


def test_cleartext_http2_for_a_proxy(encrypted, pki):
    e = encrypted()
    status, headers, body = curl(e, pki, "-G", "--data", f"dns={b64url(query_wire())}", tls=False)
    assert status == 200 and rdatas(dns.message.from_wire(body), WWW, "A")


def test_each_client_mistake_gets_its_status(encrypted, pki):
    e = encrypted({"https-path": "/q"})
    good = b64url(query_wire())
    assert curl(e, pki, "-G", "--data", f"dns={good}", path="/dns-query")[0] == 404
    assert curl(e, pki, "-G", "--data", f"dns={good}", path="/q")[0] == 200
    status, headers, _ = curl(e, pki, "-X", "PUT", path="/q")
    assert status == 405 and "GET" in headers.get("allow", ""), headers
    assert curl(e, pki, "-G", "--data", "dns=***", path="/q")[0] == 400
    assert curl(e, pki, path="/q")[0] == 400
    assert curl(e, pki, "-G", "--data", "dns=AAAB", path="/q")[0] == 400
    assert curl(e, pki, "-H", "content-type: text/plain", "--data-binary", "x" * 20,
                path="/q")[0] == 415
    assert curl(e, pki, "-H", "content-type: application/dns-message", "--data-binary",
                "x" * 70000, path="/q")[0] == 413
    s = e.stats()
    for name in ("not_found", "bad_method", "bad_request", "bad_media_type", "too_large"):
        assert s[f"net.doh_{name}"] >= 1, (name, s)


def test_wrong_alpn_is_refused_and_h2_is_chosen(encrypted, pki):
    e = encrypted()
    with e.tls_socket(pki, ["h2"], port=e.https_port) as s:
        assert s.selected_alpn_protocol() == "h2"
    out = subprocess.run(["openssl", "s_client", "-connect", f"{e.host}:{e.https_port}", "-alpn",
                          "http/1.1", "-CAfile", pki.ca, "-servername", HOSTNAME],
                         input="", capture_output=True, text=True, timeout=30)
    assert "no application protocol" in (out.stdout + out.stderr).lower(), out.stdout + out.stderr


class H2Client:
    """A bare HTTP/2 client on the h2 library, for what curl cannot do."""

    def __init__(self, e, pki):
        self.sock = e.tls_socket(pki, ["h2"], port=e.https_port)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()
        self.responses: dict[int, dict] = {}
        self.reset: set[int] = set()
        self.settings: dict = {}

    def flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def get(self, wire: bytes, end: bool = True) -> int:
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [(":method", "GET"), (":scheme", "https"),
                                     (":authority", HOSTNAME),
                                     (":path", f"/dns-query?dns={b64url(wire)}")],
                               end_stream=end)
        return sid

    def pump(self, until, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        self.sock.settimeout(1.0)
        while not until() and time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            for event in self.conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    self.responses.setdefault(event.stream_id, {})["headers"] = dict(
                        (k.decode(), v.decode()) for k, v in event.headers)
                elif isinstance(event, h2.events.DataReceived):
                    r = self.responses.setdefault(event.stream_id, {})
                    r["body"] = r.get("body", b"") + event.data
                    self.conn.acknowledge_received_data(event.flow_controlled_length,
                                                        event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    self.responses.setdefault(event.stream_id, {})["done"] = True
                elif isinstance(event, h2.events.StreamReset):
                    self.reset.add(event.stream_id)
                elif isinstance(event, h2.events.RemoteSettingsChanged):
                    self.settings.update({k: v.new_value for k, v in event.changed_settings.items()})
            self.flush()


def test_many_concurrent_streams_on_one_connection(encrypted, pki):
    e = encrypted({"https-max-streams": 50})
    c = H2Client(e, pki)
    c.pump(lambda: c.settings)
    assert c.settings.get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS) == 50
    names = [WWW, MAIL, "nx.plain.example."] * 10
    sids = [c.get(query_wire(n)) for n in names]
    c.flush()
    c.pump(lambda: all(c.responses.get(s, {}).get("done") for s in sids))
    for sid, name in zip(sids, names):
        r = c.responses[sid]
        assert r["headers"][":status"] == "200", r
        assert dns.message.from_wire(r["body"]).question[0].name.to_text() == name


def test_a_stream_reset_mid_query_leaves_the_connection_working(encrypted, pki):
    e = encrypted()
    c = H2Client(e, pki)
    # a POST whose body never ends, then reset by the client
    sid = c.conn.get_next_available_stream_id()
    c.conn.send_headers(sid, [(":method", "POST"), (":scheme", "https"), (":authority", HOSTNAME),
                              (":path", "/dns-query"), ("content-type", "application/dns-message")])
    c.conn.send_data(sid, query_wire()[:5])
    c.flush()
    c.conn.reset_stream(sid, error_code=8)  # CANCEL
    # and a query for a name not yet cached, reset before its answer is in
    slow = c.get(query_wire("deep.plain.example.", "AAAA"))
    c.flush()
    c.conn.reset_stream(slow, error_code=8)
    ok = c.get(query_wire())
    c.flush()
    c.pump(lambda: c.responses.get(ok, {}).get("done"))
    assert c.responses[ok]["headers"][":status"] == "200"
    assert e.stats()["net.doh_streams_reset"] >= 1


def test_padded_queries_get_padded_answers(encrypted, pki):
    e = encrypted()
    status, _, body = curl(e, pki, "-G", "--data",
                           f"dns={b64url(query_wire(use_edns=0, pad=128))}")
    assert status == 200 and len(body) % 468 == 0, len(body)
    status, _, body = curl(e, pki, "-G", "--data", f"dns={b64url(query_wire(use_edns=0))}")
    assert status == 200 and len(body) % 468 != 0


def test_garbage_instead_of_http2_closes_the_connection(encrypted, pki):
    e = encrypted()
    with e.tls_socket(pki, ["h2"], port=e.https_port) as s:
        s.sendall(b"GET /dns-query HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 100)
        s.settimeout(15)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    status, _, _ = curl(e, pki, "-G", "--data", f"dns={b64url(query_wire())}")
    assert status == 200
    assert e.stats()["net.doh_protocol_errors"] >= 1


def test_a_client_that_never_reads_does_not_stall_others(encrypted, pki):
    e = encrypted({"tcp-idle-timeout": "2s"})
    hog = H2Client(e, pki)
    hog.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    hog.sock.settimeout(1.0)
    try:
        for _ in range(300):  # big answers asked for, none read
            hog.get(query_wire("big.plain.example.", "TXT", use_edns=0, payload=1232))
            hog.flush()
    except (socket.timeout, OSError):
        pass  # the server stopped reading from us
    status, _, body = curl(e, pki, "-G", "--data", f"dns={b64url(query_wire())}")
    assert status == 200 and rdatas(dns.message.from_wire(body), WWW, "A")
    # the hog is cut off once nothing has moved for the idle timeout
    deadline = time.monotonic() + 30
    while e.stats()["net.encrypted_idle_closed"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert e.stats()["net.encrypted_idle_closed"] >= 1
    hog.sock.close()
