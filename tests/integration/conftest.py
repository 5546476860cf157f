"""Fixtures: the mini-internet (once per session) and resolvers started against it.

    def test_x(mini_internet, cairn, unbound):
        r = cairn({"threads": 2})          # build/bin/cairn with a generated YAML config
        u = unbound()                       # Unbound, validating, same hierarchy
        answer = r.query("www.plain.example.", "A")

Env: CAIRN_TEST_NET (address base, default 127.53), CAIRN_BIN (path of the
cairn binary, default build/bin/cairn). Zones, keys, configs and logs stay in
pytest's temp dir, e.g. /tmp/pytest-of-root/pytest-current/mini-internet0/.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from mini_internet import MiniInternet  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402
from scripted_server import ScriptedServer  # noqa: E402
from resolver_helpers import resolver  # noqa: E402,F401  (Cairn-or-Unbound fixture of test_resolver_*.py)

REPO = Path(__file__).resolve().parents[2]


def _require_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the mini-internet binds port 53 on 127.x addresses: run as root")
    for tool in ("nsd", "ldns-keygen", "ldns-signzone"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            pytest.skip(f"{tool} is not installed")


@pytest.fixture(scope="session")
def mini_internet(tmp_path_factory):
    """The whole hierarchy, started once; stopped (every NSD, by pid) at the end."""
    _require_root()
    workdir = tmp_path_factory.mktemp("mini-internet")
    internet = MiniInternet(str(workdir))
    internet.start()
    try:
        yield internet
    finally:
        internet.stop()


@pytest.fixture
def unbound(mini_internet, tmp_path):
    """Factory: unbound(extra=["qname-minimisation: no"], validate=True) -> Unbound."""
    started = []

    def start(extra: list[str] | None = None, validate: bool = True) -> Unbound:
        workdir = tmp_path / f"unbound{len(started)}"
        u = Unbound(str(workdir), mini_internet.root_hints,
                    mini_internet.trust_anchor if validate else None, extra)
        started.append(u)
        return u.start()

    yield start
    for u in started:
        u.stop()


@pytest.fixture
def cairn(mini_internet, tmp_path):
    """Factory: cairn(config_overrides) -> Cairn, answering on 127.0.0.1:<free port>."""
    binary = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
    if not os.access(binary, os.X_OK):
        pytest.skip(f"cairn binary not built: {binary}")
    started = []

    def start(config_overrides: dict | None = None) -> Cairn:
        port = free_port()
        workdir = tmp_path / f"cairn{len(started)}"
        config = cairn_config(mini_internet.root_hints, mini_internet.trust_anchor, port,
                              config_overrides)
        c = Cairn(str(workdir), binary, config, port=port)
        started.append(c)
        return c.start()

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def scripted_server():
    """Factory: scripted_server(address, handler) -> a started ScriptedServer."""
    started = []

    def start(address: str, handler, port: int = 53) -> ScriptedServer:
        s = ScriptedServer(address, handler, port)
        started.append(s)
        return s.start()

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def counts(mini_internet):
    """mini_internet with its query records reset for this test."""
    mini_internet.reset_counts()
    return mini_internet

