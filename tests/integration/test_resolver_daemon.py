"""The daemon's life cycle: SIGHUP reloads the configuration (a broken file
keeps the old one running), SIGTERM stops it cleanly, and a bad
configuration at start-up is refused with file, line and option."""

import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from resolver_helpers import CAIRN_UNSUPPORTED_DEFAULTS, REPO, cairnctl_binary
from resolvers import Cairn, cairn_config, free_port, to_yaml


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
    assert _wait_for_output(c, "no-such-option"), "the reload error was not reported"


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


def _binary():
    return os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))


def _proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def _wait_for_output(c, text, seconds=5.0):
    deadline = time.monotonic() + seconds
    while text not in c.output(200) and time.monotonic() < deadline:
        time.sleep(0.1)
    return text in c.output(200)


@pytest.fixture
def cairn_as_nobody(mini_internet, short_tmp):
    """Factory: cairn started as root with `user: nobody`, everything it reads
    on reload (configuration, root hints, trust anchor) in a directory that
    nobody may read."""
    os.chmod(short_tmp, 0o755)
    started = []

    def start(**overrides):
        files = {}
        for name, src in (("root.hints", mini_internet.root_hints), ("anchor.ds", mini_internet.trust_anchor)):
            files[name] = os.path.join(short_tmp, name)
            shutil.copyfile(src, files[name])
            os.chmod(files[name], 0o644)
        port = free_port()
        config = cairn_config(files["root.hints"], files["anchor.ds"], port,
                              {"user": "nobody", "control-socket": os.path.join(short_tmp, "run", "ctl.sock"),
                               **overrides})
        c = Cairn(os.path.join(short_tmp, f"cairn{len(started)}"), _binary(), config, port=port)
        os.chmod(c.workdir, 0o755)
        os.chmod(c.conf_path, 0o644)
        started.append(c)
        return c.start()

    yield start
    for c in started:
        c.stop()


def test_runs_as_the_configured_user_with_only_cap_net_bind_service(cairn_as_nobody, mini_internet):
    """Started as root with `user: nobody`: the process is nobody's, keeps
    CAP_NET_BIND_SERVICE (bit 10) and nothing else, answers, and a SIGHUP
    reload can bind the same address again and a new one below 1024."""
    c = cairn_as_nobody()
    nobody = pwd.getpwnam("nobody")
    status = _proc_status(c.pid)
    assert status["Uid"].split() == [str(nobody.pw_uid)] * 4, status["Uid"]
    assert status["Gid"].split() == [str(nobody.pw_gid)] * 4, status["Gid"]
    assert status["Groups"].split() == [], status["Groups"]
    for cap in ("CapEff", "CapPrm"):
        assert int(status[cap], 16) == 1 << 10, f"{cap} {status[cap]}"
    assert int(status["CapBnd"], 16) == 0, status["CapBnd"]
    for task in os.listdir(f"/proc/{c.pid}/task"):     # the worker threads too
        assert int(_proc_status(f"{c.pid}/task/{task}")["CapEff"], 16) == 1 << 10
    assert "running as user nobody" in c.output()
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR

    # A privileged port on an address of this run's block, free by construction.
    low = f"{mini_internet.net}.9.53"
    _rewrite(c, listen=[f"127.0.0.1:{c.port}", f"{low}:953"])
    os.kill(c.pid, signal.SIGHUP)
    assert _wait_for_output(c, "configuration reloaded"), c.output()
    q = dns.message.make_query("www.plain.example.", "A")
    assert dns.query.udp(q, low, port=953, timeout=10).rcode() == dns.rcode.NOERROR
    assert dns.query.tcp(q, low, port=953, timeout=10).rcode() == dns.rcode.NOERROR
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    # The control socket is still nobody's to use and remove.
    ctl = c.config["control-socket"]
    assert os.stat(ctl).st_uid == nobody.pw_uid
    assert _cairnctl(ctl, "stats").returncode == 0
    proc = c.proc
    assert _cairnctl(ctl, "stop").returncode == 0
    assert proc.wait(timeout=10) == 0
    assert not os.path.exists(ctl), "the socket was not removed after the switch"


def test_reload_of_a_file_the_user_cannot_read_keeps_the_old_configuration(cairn_as_nobody):
    c = cairn_as_nobody(allow=["127.0.0.0/8"])
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    _rewrite(c, allow=["10.0.0.0/8"])
    os.chmod(c.conf_path, 0o600)      # root's only
    os.kill(c.pid, signal.SIGHUP)
    assert _wait_for_output(c, "configuration unchanged"), c.output()
    assert "Permission denied" in c.output() or "cannot read" in c.output(), c.output()
    assert c.pid is not None
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    os.chmod(c.conf_path, 0o644)      # readable again: the next reload applies it
    os.kill(c.pid, signal.SIGHUP)
    assert _rcode_within(c, "www.plain.example.", dns.rcode.REFUSED) == dns.rcode.REFUSED


def test_root_without_user_is_warned_about(cairn):
    c = _start(cairn)
    assert "running as root: set `user`" in c.output()
    assert int(_proc_status(c.pid)["Uid"].split()[0]) == 0


def test_chroot_confines_the_daemon_and_reloads_read_inside_it(cairn_as_nobody, short_tmp):
    """With `chroot`, the process's root is that directory; a reload reads the
    configuration file at its path inside it, and the files it names by
    relative paths, which resolve to the same files before and after."""
    c = cairn_as_nobody(**{"chroot": short_tmp, "root-hints": "../root.hints",
                           "trust-anchors": "../anchor.ds", "allow": ["127.0.0.0/8"]})
    assert os.readlink(f"/proc/{c.pid}/root") == short_tmp
    assert f"reloads read /{os.path.basename(c.workdir)}/cairn.yaml" in c.output(), c.output()
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    _rewrite(c, allow=["10.0.0.0/8"])
    os.kill(c.pid, signal.SIGHUP)
    assert _rcode_within(c, "www.plain.example.", dns.rcode.REFUSED) == dns.rcode.REFUSED
    # The new workers answer before the main thread logs the reload.
    assert _wait_for_output(c, "configuration reloaded"), c.output()
    proc = c.proc
    assert _cairnctl(c.config["control-socket"], "stop").returncode == 0
    assert proc.wait(timeout=10) == 0
    assert not os.path.exists(c.config["control-socket"])


_DSA_ONLY = "example. IN DS 1 3 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"


def _validated(c, name):
    q = dns.message.make_query(name, "A", want_dnssec=True)
    r = dns.query.udp(q, c.host, port=c.port, timeout=10)
    return r.rcode() == dns.rcode.NOERROR and bool(r.flags & dns.flags.AD)


@pytest.mark.parametrize("content, why", [("; no records\n", "the file holds no DS or DNSKEY records"),
                                          (_DSA_ONLY, "algorithm 3 (DSA) is not supported")])
def test_trust_anchors_without_a_usable_anchor_are_refused_at_start(tmp_path, content, why):
    anchors = tmp_path / "anchors.ds"
    anchors.write_text(content)
    conf = tmp_path / "cairn.yaml"
    conf.write_text(to_yaml({"listen": [f"127.0.0.1:{free_port()}"], "trust-anchors": str(anchors)}) + "\n")
    result = subprocess.run([_binary(), "--config", str(conf)], capture_output=True, text=True,
                            timeout=10)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert f"trust-anchors {anchors}: no usable trust anchor: " in message, message
    assert why in message, message


def test_trust_anchors_below_the_root_are_warned_about(cairn, mini_internet, tmp_path):
    """An anchor for example. only: cairn starts, saying which zones it
    validates; names outside example. are answered, not validated."""
    with open(mini_internet.trust_anchor) as f:
        root_ds = [line for line in f if line.startswith(".")]
    assert root_ds
    anchors = tmp_path / "example.ds"
    anchors.write_text("".join("example" + line for line in root_ds))    # ". 3600 IN DS" -> "example. ..."
    c = _start(cairn, **{"trust-anchors": str(anchors)})
    assert "trust anchors do not cover the root: validation covers only example." in c.output(), c.output()
    # cairn. is signed, but outside the anchored zone nothing is validated.
    q = dns.message.make_query("www.secure3.cairn.", "A", want_dnssec=True)
    r = dns.query.udp(q, c.host, port=c.port, timeout=10)
    assert r.rcode() == dns.rcode.NOERROR and r.answer and not r.flags & dns.flags.AD, r


def test_reload_with_unusable_trust_anchors_keeps_the_old_configuration(cairn, tmp_path):
    c = _start(cairn, allow=["127.0.0.0/8"])
    assert _validated(c, "www.secure.example.")
    bad = tmp_path / "bad.ds"
    bad.write_text(_DSA_ONLY)
    _rewrite(c, allow=["10.0.0.0/8"], **{"trust-anchors": str(bad)})
    os.kill(c.pid, signal.SIGHUP)
    assert _wait_for_output(c, "configuration unchanged"), c.output()
    assert f"trust-anchors {bad}: no usable trust anchor" in c.output(), c.output()
    # The old allow list and anchors are still in force.
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert _validated(c, "www.secure.example.")
