"""Certificates made at test time (openssl) and a Cairn with its encrypted
listeners (DoT, DoH, cleartext HTTP/2) on free ports, for the DoT and DoH
tests. Imported by those test modules, whose fixtures these are."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import tempfile

import pytest

from resolvers import free_port
from resolver_helpers import cairn_stats

HOSTNAME = "resolver.test"


def _openssl(*args: str, cwd: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class Pki:
    """A CA and server certificates it signed, in one directory."""

    def __init__(self, workdir: str):
        self.dir = workdir
        self.ca = os.path.join(workdir, "ca.pem")
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Cairn Test CA",
                 cwd=workdir)

    def issue(self, name: str, cn: str = HOSTNAME) -> tuple[str, str]:
        """A certificate for HOSTNAME and 127.0.0.1 (subject CN `cn`): (cert, key) paths."""
        ext = os.path.join(self.dir, f"{name}.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{HOSTNAME},IP:127.0.0.1\n")
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=self.dir)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", ext, cwd=self.dir)
        return os.path.join(self.dir, f"{name}.pem"), os.path.join(self.dir, f"{name}.key")

    def client_context(self, alpn: list[str] | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make the test certificates")
    pki = Pki(str(tmp_path_factory.mktemp("pki")))
    pki.cert, pki.key = pki.issue("server")
    return pki


class Encrypted:
    """A running Cairn and where its encrypted listeners are."""

    def __init__(self, cairn, tls_port: int, https_port: int, http_port: int, control: str):
        self.cairn = cairn
        self.host = "127.0.0.1"
        self.tls_port = tls_port
        self.https_port = https_port
        self.http_port = http_port
        self.control = control

    def stats(self) -> dict[str, float]:
        return cairn_stats(self.control)

    def tls_socket(self, pki: Pki, alpn: list[str] | None = None, port: int | None = None,
                   session=None) -> ssl.SSLSocket:
        raw = socket.create_connection((self.host, port or self.tls_port), timeout=10)
        return pki.client_context(alpn).wrap_socket(raw, server_hostname=HOSTNAME, session=session)


@pytest.fixture
def encrypted(cairn, pki):
    """Factory: encrypted(overrides) -> Encrypted, Cairn with listen-tls, listen-https and
    listen-http on free ports of 127.0.0.1 and a control socket."""
    dirs = []

    def start(overrides: dict | None = None) -> Encrypted:
        control_dir = tempfile.mkdtemp(prefix="cairn-h-", dir="/tmp")
        dirs.append(control_dir)
        control = os.path.join(control_dir, "control.sock")
        ports = [free_port() for _ in range(3)]
        config = {
            "listen-tls": [f"127.0.0.1:{ports[0]}"],
            "listen-https": [f"127.0.0.1:{ports[1]}"],
            "listen-http": [f"127.0.0.1:{ports[2]}"],
            "tls-certificate": pki.cert,
            "tls-key": pki.key,
            "control-socket": control,
        }
        config.update(overrides or {})
        return Encrypted(cairn(config), *ports, control)

    yield start
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
