"""A renewed certificate on SIGHUP (issue 15, point 6): when nothing but the
certificate and key changed, the reload rebuilds nothing, open DoT and DoH
connections keep their TLS sessions and go on answering, and new
connections get the new certificate. A key that does not match fails the
reload, naming the file, and changes nothing."""

from __future__ import annotations

import os
import shutil
import signal

import dns.message
import dns.rcode

from resolver_helpers import rdatas
from test_resolver_doh import H2Client, query_wire
from test_resolver_dot import frame, read_framed, wait_for
from tls_setup import HOSTNAME, encrypted, pki  # noqa: F401 (fixtures)

WWW = "www.plain.example."
MAIL = "mail.plain.example."
RENEWED = "renewed.resolver.test"


def common_name(sock) -> str:
    return dict(x[0] for x in sock.getpeercert()["subject"])["commonName"]


def dot_answer(sock, name: str) -> dns.message.Message:
    sock.sendall(frame(dns.message.make_query(name, "A")))
    return read_framed(sock)


def doh_answer(client: H2Client, name: str) -> dns.message.Message:
    sid = client.get(query_wire(name))
    client.flush()
    client.pump(lambda: client.responses.get(sid, {}).get("done") or sid in client.reset)
    response = client.responses.get(sid, {})
    assert response.get("headers", {}).get(":status") == "200", (sid, response, client.reset)
    return dns.message.from_wire(response["body"])


def test_a_renewed_certificate_keeps_open_connections(encrypted, pki, tmp_path):
    # the files cairn reads, which the renewal overwrites in place
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    shutil.copy(pki.cert, cert)
    shutil.copy(pki.key, key)
    e = encrypted({"tls-certificate": cert, "tls-key": key})
    c = e.cairn

    dot = e.tls_socket(pki, ["dot"])
    h2 = H2Client(e, pki)
    assert common_name(dot) == HOSTNAME and common_name(h2.sock) == HOSTNAME
    assert rdatas(dot_answer(dot, WWW), WWW, "A")
    assert rdatas(doh_answer(h2, WWW), WWW, "A")

    # a key that does not match the certificate: the reload fails, naming it
    _, wrong_key = pki.issue("unrelated")
    shutil.copy(wrong_key, key)
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "does not match" in c.output(200)), c.output()
    assert key in c.output(200)
    assert rdatas(dot_answer(dot, MAIL), MAIL, "A")
    with e.tls_socket(pki, ["dot"]) as fresh:
        assert common_name(fresh) == HOSTNAME

    # the renewed pair: the open connections stay, new ones see it
    new_cert, new_key = pki.issue("renewed", cn=RENEWED)
    shutil.copy(new_cert, cert)
    shutil.copy(new_key, key)
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "configuration reloaded" in c.output(200)), c.output()
    with e.tls_socket(pki, ["dot"]) as fresh:
        assert common_name(fresh) == RENEWED
        assert dot_answer(fresh, WWW).rcode() == dns.rcode.NOERROR
    with e.tls_socket(pki, ["h2"], port=e.https_port) as fresh:
        assert common_name(fresh) == RENEWED
    for name in (WWW, MAIL):
        assert rdatas(dot_answer(dot, name), name, "A")
        assert rdatas(doh_answer(h2, name), name, "A")
    assert common_name(dot) == HOSTNAME  # the same session as before
    assert "TLS certificate and key read again; open connections kept" in c.output(200)
    dot.close()
    h2.sock.close()


def test_a_reload_that_changes_an_option_still_applies_it(encrypted, pki):
    """The service is rebuilt when anything else changed: the new allow list
    applies (to new connections), and the certificate is read again too."""
    e = encrypted()
    c = e.cairn
    new_cert, new_key = pki.issue("moved", cn=RENEWED)
    conf = open(c.conf_path).read()
    assert "allow" not in conf, conf
    conf = conf.replace(pki.cert, new_cert).replace(pki.key, new_key)
    open(c.conf_path, "w").write(conf + 'allow: ["10.0.0.0/8"]\n')
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "configuration reloaded" in c.output(200)), c.output()
    assert "open connections kept" not in c.output(200)
    with e.tls_socket(pki, ["dot"]) as fresh:
        assert common_name(fresh) == RENEWED
        assert dot_answer(fresh, WWW).rcode() == dns.rcode.REFUSED
