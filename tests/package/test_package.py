"""The Debian package, end to end: scripts/package.sh builds it, lintian
accepts it, dpkg installs it (the cairn user, the enabled unit, the
conffile), the INSTALLED /usr/sbin/cairn resolves a name on loopback as the
cairn user, and a purge takes it all away again.

It installs a package on this machine, so scripts/test.sh runs it in CI
only (CI=true). Run it by hand with:

    /usr/bin/python3 -m pytest -q tests/package

Needs root, lintian and the release build's tools (scripts/install-deps.sh).
CAIRN_TEST_NET (default 127.53) gives the address block: the stand-in root
server listens on $CAIRN_TEST_NET.250.1, port 53.
"""

from __future__ import annotations

import gzip
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from resolvers import free_port, to_yaml  # noqa: E402
from scripted_server import ScriptedServer, authoritative  # noqa: E402

NET = os.environ.get("CAIRN_TEST_NET", "127.53")
ROOT_ADDRESS = f"{NET}.250.1"
ENABLED_LINK = Path("/etc/systemd/system/multi-user.target.wants/cairn.service")


def _run(*command: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _installed() -> bool:
    out = _run("dpkg-query", "-W", "-f=${db:Status-Status}", "cairn")
    return out.returncode == 0 and out.stdout == "installed"


@pytest.fixture(scope="module")
def deb() -> Path:
    if os.geteuid() != 0:
        pytest.fail("installs a package: run as root")
    out = _run(str(REPO / "scripts" / "package.sh"), timeout=3600)
    assert out.returncode == 0, out.stderr[-3000:]
    path = REPO / out.stdout.strip().splitlines()[-1]
    assert path.name == f"cairn_{_project_version()}_{_run('dpkg', '--print-architecture').stdout.strip()}.deb"
    return path


def _project_version() -> str:
    for line in (REPO / "CMakeLists.txt").read_text().splitlines():
        if line.startswith("project(cairn VERSION "):
            return line.split()[2]
    raise AssertionError("no project version in CMakeLists.txt")


@pytest.fixture(scope="module")
def installed(deb):
    """The package installed with dpkg -i; purged (by name) at the end."""
    assert not _installed(), "cairn is installed already: purge it first"
    out = _run("dpkg", "-i", str(deb))
    assert out.returncode == 0, out.stdout + out.stderr
    try:
        yield deb
    finally:
        _run("dpkg", "--purge", "cairn")


def test_lintian_accepts_the_package(deb):
    out = _run("lintian", "--fail-on", "error,warning", "--no-tag-display-limit", str(deb))
    assert out.returncode == 0, out.stdout + out.stderr


def test_contents_and_control_data(deb, tmp_path):
    info = _run("dpkg-deb", "--field", str(deb), "Depends", "Section", "Maintainer")
    assert info.returncode == 0, info.stderr
    # dpkg-shlibdeps found the libraries; adduser is there for postinst.
    for dependency in ("adduser", "libc6", "libssl3", "libsystemd0", "libyaml-cpp0.7"):
        assert dependency in info.stdout, info.stdout
    listing = _run("dpkg-deb", "--contents", str(deb)).stdout
    modes = {line.split()[-1].lstrip("."): line.split()[0] for line in listing.splitlines()}
    for path, mode in {
        "/usr/sbin/cairn": "-rwxr-xr-x",
        "/usr/bin/cairnctl": "-rwxr-xr-x",
        "/etc/cairn/cairn.yaml": "-rw-r--r--",
        "/lib/systemd/system/cairn.service": "-rw-r--r--",
        "/usr/share/man/man8/cairn.8.gz": "-rw-r--r--",
        "/usr/share/man/man8/cairnctl.8.gz": "-rw-r--r--",
        "/usr/share/man/man5/cairn.yaml.5.gz": "-rw-r--r--",
        "/usr/share/doc/cairn/copyright": "-rw-r--r--",
        "/usr/share/doc/cairn/changelog.gz": "-rw-r--r--",
    }.items():
        assert modes.get(path) == mode, (path, modes.get(path))
    assert all(line.split()[1] == "root/root" for line in listing.splitlines())
    control = tmp_path / "control"
    assert _run("dpkg-deb", "--control", str(deb), str(control)).returncode == 0
    assert (control / "conffiles").read_text().split() == ["/etc/cairn/cairn.yaml"]


def test_manual_pages_render_without_warnings(deb, tmp_path):
    root = tmp_path / "root"
    assert _run("dpkg-deb", "--extract", str(deb), str(root)).returncode == 0
    for page, expect in (("man8/cairn.8.gz", "SIGHUP"), ("man8/cairnctl.8.gz", "--socket"),
                         ("man5/cairn.yaml.5.gz", "cache-size")):
        path = root / "usr/share/man" / page
        out = subprocess.run(["man", "--warnings", "-l", str(path)], capture_output=True,
                             text=True, timeout=60, env={**os.environ, "MANWIDTH": "80"})
        assert out.returncode == 0 and out.stderr == "", (page, out.stderr)
        assert expect in out.stdout, page
    # The generated page is the option table of the packaged binary.
    generated = _run(str(root / "usr/sbin/cairn"), "--print-config-man").stdout
    assert gzip.decompress((root / "usr/share/man/man5/cairn.yaml.5.gz").read_bytes()).decode() \
        == generated


def test_install_creates_the_user_and_enables_the_unit(installed):
    user = pwd.getpwnam("cairn")
    assert 0 < user.pw_uid < 1000, user
    assert user.pw_shell in ("/usr/sbin/nologin", "/bin/false"), user
    # Enabled the way deb-systemd-helper does it, even with no systemd running.
    assert ENABLED_LINK.is_symlink()
    assert os.readlink(ENABLED_LINK) == "/lib/systemd/system/cairn.service"
    conffiles = _run("dpkg-query", "-W", "-f=${Conffiles}", "cairn").stdout
    assert "/etc/cairn/cairn.yaml" in conffiles
    assert _run("/usr/sbin/cairn", "--version").stdout.strip() == f"cairn {_project_version()}"


@pytest.fixture
def run_dir():
    """A short path for the control socket, traversable by the cairn user."""
    path = tempfile.mkdtemp(prefix="cairn-pkg-", dir="/tmp")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


ROOT_ZONE = """\
. 3600 IN SOA a.root.package-test. hostmaster.package-test. 1 3600 600 86400 60
. 3600 IN NS a.root.package-test.
a.root.package-test. 3600 IN A {address}
www.package-test. 3600 IN A 192.0.2.7
"""


def _wait_answering(proc: subprocess.Popen, port: int) -> None:
    q = dns.message.make_query("ready.invalid.", "A")
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, f"cairn exited with {proc.returncode}"
        try:
            dns.query.udp(q, "127.0.0.1", port=port, timeout=0.2)
            return
        except Exception:
            assert time.monotonic() < deadline, "cairn is not answering"
            time.sleep(0.05)


def test_installed_cairn_resolves_as_the_cairn_user(installed, run_dir):
    hints = Path(run_dir) / "root.hints"
    hints.write_text(f". 3600 IN NS a.root.package-test.\n"
                     f"a.root.package-test. 3600 IN A {ROOT_ADDRESS}\n")
    port = free_port()
    control = os.path.join(run_dir, "run", "control.sock")
    conf = Path(run_dir) / "cairn.yaml"
    conf.write_text(to_yaml({
        "listen": [f"127.0.0.1:{port}"],
        "root-hints": str(hints),
        "upstream-deny": [],        # the stand-in root is on loopback
        "dnssec": False,            # and unsigned
        "threads": 1,
        "user": "cairn",            # made by postinst
        "control-socket": control,
    }) + "\n")
    root = ScriptedServer(ROOT_ADDRESS, authoritative(ROOT_ZONE.format(address=ROOT_ADDRESS), "."))
    with root, open(Path(run_dir) / "cairn.log", "wb") as log:
        proc = subprocess.Popen(["/usr/sbin/cairn", "--config", str(conf)], stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            _wait_answering(proc, port)
            answer = dns.query.udp(dns.message.make_query("www.package-test.", "A"),
                                   "127.0.0.1", port=port, timeout=10)
            assert answer.rcode() == dns.rcode.NOERROR, answer
            assert [rd.to_text() for rrset in answer.answer for rd in rrset] == ["192.0.2.7"]
            # Asked of the stand-in root (in 0x20 mixed case), not answered otherwise.
            assert any((r.qname or "").lower() == "www.package-test." for r in root.received)
            with open(f"/proc/{proc.pid}/status") as f:
                uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
            assert int(uid) == pwd.getpwnam("cairn").pw_uid
            # The installed cairnctl, through the installed daemon's socket.
            out = _run("/usr/bin/cairnctl", "query", "www.package-test", f"@127.0.0.1:{port}")
            assert out.returncode == 0 and "192.0.2.7" in out.stdout, out
            out = _run("/usr/bin/cairnctl", "stats", "--socket", control)
            assert out.returncode == 0 and "server.queries_udp" in out.stdout, out
        finally:
            proc.send_signal(signal.SIGTERM)
            status = proc.wait(timeout=30)
    assert status == 0, (Path(run_dir) / "cairn.log").read_text()


def test_purge_removes_the_package_and_its_configuration(installed):
    out = _run("dpkg", "--purge", "cairn")
    assert out.returncode == 0, out.stdout + out.stderr
    assert not _installed()
    for path in ("/usr/sbin/cairn", "/usr/bin/cairnctl", "/lib/systemd/system/cairn.service",
                 "/etc/cairn"):
        assert not os.path.lexists(path), path
    assert not ENABLED_LINK.is_symlink()
    assert not list(Path("/var/lib/systemd/deb-systemd-helper-enabled").glob("**/cairn.service*"))
    # The system user stays, as Debian keeps system users (see postrm).
    assert pwd.getpwnam("cairn")
