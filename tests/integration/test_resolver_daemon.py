"""The daemon's life cycle: SIGHUP reloads the configuration (a broken file
keeps the old one running), SIGTERM stops it cleanly, and a bad
configuration at start-up is refused with file, line and option."""

import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time

import dns.exception
import dns.rcode
import pytest

from resolver_helpers import CAIRN_UNSUPPORTED_DEFAULTS, cairnctl_binary
from resolvers import to_yaml


def _start(cairn, **overrides):
    config = {key: None for key in CAIRN_UNSUPPORTED_DEFAULTS}
    config.update(overrides)
    return cairn(config)


def _rewrite(c, **changes):
    for key, value in changes.items():
        c.config[key] = value
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")


def _rcode_within(c, name, expected, seconds=5.0):
    """Polls until `name` gets `expected` (a reload applies asynchronously)."""
    deadline = time.monotonic() + seconds
    rcode = None
    while time.monotonic() < deadline:
        try:
            rcode = c.query(name, "A", timeout=2.0).rcode()
        except dns.exception.Timeout:
            continue
        if rcode == expected:
            return rcode
        time.sleep(0.1)
    return rcode


def test_sighup_applies_a_new_allow_list(cairn):
    c = _start(cairn, allow=["127.0.0.0/8"])
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    _rewrite(c, allow=["10.0.0.0/8"])
    os.kill(c.pid, signal.SIGHUP)
    assert _rcode_within(c, "www.plain.example.", dns.rcode.REFUSED) == dns.rcode.REFUSED
    _rewrite(c, allow=["127.0.0.0/8"])
    os.kill(c.pid, signal.SIGHUP)
    assert _rcode_within(c, "www.plain.example.", dns.rcode.NOERROR) == dns.rcode.NOERROR


def test_sighup_with_a_broken_file_keeps_the_old_configuration(cairn):
    c = _start(cairn, allow=["127.0.0.0/8"])
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    with open(c.conf_path, "a") as f:
        f.write("no-such-option: 1\n")
    os.kill(c.pid, signal.SIGHUP)
    time.sleep(0.5)
    assert c.pid is not None, "cairn exited on a bad reload"
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert "no-such-option" in c.output(), "the reload error was not reported"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_termination_signals_stop_cleanly(cairn, sig):
    c = _start(cairn)
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    proc = c.proc
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=10) == 0


def test_bad_configuration_is_refused_at_start(tmp_path):
    binary = os.environ.get("CAIRN_BIN", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "build", "bin", "cairn"))
    conf = tmp_path / "cairn.yaml"
    conf.write_text("listen: ['127.0.0.1:5399']\nqname-minimization: true\n")
    result = subprocess.run([binary, "--config", str(conf)], capture_output=True, text=True,
                            timeout=10)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert f"{conf}:2" in message
    assert "qname-minimization" in message and "qname-minimisation" in message


@pytest.fixture
def short_tmp():
    """A directory with a short path (unix socket paths are limited to 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cairn-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _cairnctl(socket_path, command):
    return subprocess.run([cairnctl_binary(), command, "--socket", socket_path],
                          capture_output=True, text=True, timeout=10)


def test_control_socket_is_private_in_a_directory_of_its_own(cairn, short_tmp):
    """The socket is created 0660 in a directory cairn makes 0750; cairnctl
    works through it, and `stop` removes it."""
    run_dir = os.path.join(short_tmp, "run")
    ctl = os.path.join(run_dir, "ctl.sock")
    c = _start(cairn, **{"control-socket": ctl})
    st = os.stat(run_dir)
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o750, oct(st.st_mode)
    st = os.stat(ctl)
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
    out = _cairnctl(ctl, "stats")
    assert out.returncode == 0 and "server.queries_udp" in out.stdout, out
    proc = c.proc
    assert _cairnctl(ctl, "stop").returncode == 0
    assert proc.wait(timeout=10) == 0
    assert not os.path.exists(ctl)
