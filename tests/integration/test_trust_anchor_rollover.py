"""RFC 5011 rollover of the root key, under a faked wall clock (libfaketime).

A root of its own (one NSD) rolls its KSK: cairn starts trusting key A; the
root publishes key B, signed by A; B is trusted only once 30 days of
hold-down have passed; then A revokes itself (REVOKE bit, signed by A) and
is dropped at once, validation goes on with B alone, and a restart reads
the state file. Each refresh is also signalled to the root (RFC 8145 `_ta-`
query). cairn's wall clock moves through FAKETIME_TIMESTAMP_FILE; its
timers use the monotonic clock, which libfaketime leaves alone here
(FAKETIME_DONT_FAKE_MONOTONIC=1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import dns.dnssec
import dns.flags
import pytest

from hierarchy import net_from_env
from mini_internet import MiniInternet
from resolver_helpers import cairnctl_binary
from resolvers import Cairn, cairn_config, free_port, to_yaml
from signing import LDNS_KEYGEN, LDNS_SIGNZONE, Signing, read_dnskey
from zones import Hierarchy, Server, Zone

DAY = 86400
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
REVOKE = 0x0080


def _root_hierarchy(net: str) -> Hierarchy:
    servers = [Server("root-a", f"{net}.0.1", "nsd", "the rolling root")]
    root = Zone(".", ns=[("a.root-servers.ta.", "root-a")], served_by=["root-a"],
                records=[("check", "A", "192.0.2.1")],
                signing=Signing(inception=-DAY, lifetime=400 * DAY))
    return Hierarchy(net, servers, [root])


def _keygen(directory: str) -> str:
    out = subprocess.run([LDNS_KEYGEN, "-a", "ECDSAP256SHA256", "-k", "-r", "/dev/urandom", "."],
                         cwd=directory, check=True, capture_output=True, text=True)
    return os.path.join(directory, out.stdout.strip())


def _dnskey_line(basename: str) -> str:
    with open(basename + ".key") as f:
        return next(line for line in f if "DNSKEY" in line)


def _revoke(basename: str) -> None:
    """Sets the REVOKE bit in the key file: ldns-signzone then publishes
    and signs with the revoked key."""
    with open(basename + ".key") as f:
        text = f.read()
    tokens = text.split()
    flags = int(tokens[tokens.index("DNSKEY") + 1])
    with open(basename + ".key", "w") as f:
        f.write(text.replace(f"DNSKEY\t{flags}", f"DNSKEY\t{flags | REVOKE}", 1)
                .replace(f"DNSKEY {flags}", f"DNSKEY {flags | REVOKE}", 1))


class RollingRoot:
    """The root zone, re-signed and reloaded for each step of the rollover."""

    def __init__(self, internet: MiniInternet, workdir: str):
        self.internet = internet
        self.workdir = workdir
        keys = internet.keys["."]
        self.a, self.zsk = keys.ksk, keys.zsk
        self.b = _keygen(workdir)
        self.unsigned = os.path.join(internet.workdir, "zones", "root.zone")

    def publish(self, signers: list[str], extra_keys: list[str] = ()) -> None:
        text = open(self.unsigned).read() + "".join(_dnskey_line(k) for k in extra_keys)
        source = os.path.join(self.workdir, "root.zone")
        with open(source, "w") as f:
            f.write(text)
        served = self.internet.zonefile(".")
        now = int(time.time())
        subprocess.run([LDNS_SIGNZONE, "-o", ".", "-f", served, "-i", str(now - DAY),
                        "-e", str(now + 400 * DAY), source, *signers, self.zsk],
                       check=True, capture_output=True, text=True)
        self.internet.stop_server("root-a")
        self.internet.start_server("root-a")


@pytest.fixture
def rolling():
    if not os.path.exists(LIBFAKETIME):
        pytest.fail(f"{LIBFAKETIME} missing: apt-get install faketime (scripts/install-deps.sh)")
    workdir = tempfile.mkdtemp(prefix="cairn-ta-", dir="/tmp")
    internet = MiniInternet(os.path.join(workdir, "internet"), _root_hierarchy(net_from_env()))
    internet.start()
    try:
        yield internet, workdir
    finally:
        internet.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _start_cairn(internet: MiniInternet, workdir: str, name: str, clock_file: str,
                 state_path: str = "") -> Cairn:
    binary = os.environ.get("CAIRN_BIN", os.path.join(os.path.dirname(cairnctl_binary()), "cairn"))
    port = free_port()
    config = cairn_config(internet.root_hints, internet.trust_anchor, port, {
        "trust-anchor-tracking": "on",
        "trust-anchor-state": state_path or os.path.join(workdir, "root.key"),
        "control-socket": os.path.join(workdir, "ctl.sock"),
        "log-level": "debug",
    })
    c = Cairn(os.path.join(workdir, name), binary, config, port=port)
    c.env = {"LD_PRELOAD": LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE": clock_file,
             "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    return c.start()


def _ctl(c: Cairn, *args: str) -> str:
    out = subprocess.run([cairnctl_binary(), *args, "--socket", c.config["control-socket"]],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"cairnctl {args}: {out.stderr}{out.stdout}"
    return out.stdout


def _key_states(status: str) -> dict[int, str]:
    """`cairnctl trust-anchors` lines "key TAG STATE since T" by tag."""
    states = {}
    for line in status.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] == "key":
            states[int(words[1])] = words[2]
    return states


def _tag(basename: str) -> int:
    """The key tag of the key as its file now says (REVOKE bit included)."""
    return dns.dnssec.key_id(read_dnskey(basename))


def _state_file_states(path: str) -> dict[int, tuple[str, bool]]:
    """tag -> (state, trusted: the record is not commented out)."""
    out = {}
    for line in open(path):
        if ";;state=" not in line or "DNSKEY" not in line:
            continue
        meta = line.split(";;state=", 1)[1].split()
        tag = next(int(w[4:]) for w in meta if w.startswith("tag="))
        out[tag] = (meta[0], not line.startswith(";;"))
    return out


def _validates(c: Cairn) -> bool:
    answer = c.query("check.", "A", dnssec=True)
    return answer.rcode() == 0 and bool(answer.flags & dns.flags.AD)


def _set_clock(clock_file: str, days: int) -> None:
    with open(clock_file, "w") as f:
        f.write(f"+{days}d\n")


def test_root_key_rollover_with_hold_down_and_revocation(rolling):
    internet, workdir = rolling
    root = RollingRoot(internet, workdir)
    a, b = _tag(root.a), _tag(root.b)
    state_path = os.path.join(workdir, "root.key")
    clock = os.path.join(workdir, "clock")
    _set_clock(clock, 0)
    c = _start_cairn(internet, workdir, "cairn0", clock)
    try:
        # Day 0: A, configured as a DS, becomes a tracked key.
        assert _key_states(_ctl(c, "trust-anchors", "refresh")) == {a: "valid"}
        assert _validates(c)

        # B appears, signed by A: pending, not trusted.
        root.publish([root.a], extra_keys=[root.b])
        # The same _ta- name again: asked upstream although the root's NSEC
        # records, validated by the first one, deny it (RFC 8198 must not).
        internet.reset_counts()
        assert _key_states(_ctl(c, "trust-anchors", "refresh")) == {a: "valid", b: "addpend"}
        assert _state_file_states(state_path)[b] == ("addpend", False)
        signals = [q for q in internet.queries("root-a") if q.qname.lower().startswith("_ta-")]
        assert signals, [q.qname for q in internet.queries("root-a")]
        assert signals[0].qtype == "NULL"
        assert signals[0].qname.lower() == f"_ta-{a:04x}."

        # Day 29: still within the hold-down.
        _set_clock(clock, 29)
        assert _key_states(_ctl(c, "trust-anchors", "refresh"))[b] == "addpend"
        assert _state_file_states(state_path)[b] == ("addpend", False)

        # Day 31: the hold-down is over.
        _set_clock(clock, 31)
        assert _key_states(_ctl(c, "trust-anchors", "refresh")) == {a: "valid", b: "valid"}
        assert _state_file_states(state_path) == {a: ("valid", True), b: ("valid", True)}
        internet.reset_counts()
        _ctl(c, "trust-anchors", "refresh")
        signals = [q.qname.lower() for q in internet.queries("root-a") if q.qname.lower().startswith("_ta-")]
        assert f"_ta-{min(a, b):04x}-{max(a, b):04x}." in signals, signals

        # A revokes itself: the root is signed by revoked A and by B.
        _revoke(root.a)
        a = _tag(root.a)      # the revoked key's own tag
        root.publish([root.a, root.b])
        assert _key_states(_ctl(c, "trust-anchors", "refresh")) == {a: "revoked", b: "valid"}
        assert _state_file_states(state_path) == {a: ("revoked", False), b: ("valid", True)}
        _ctl(c, "flush")
        assert _validates(c)
        stats = _ctl(c, "stats")
        assert "trust_anchor.keys_valid 1\n" in stats and "trust_anchor.keys_revoked 1\n" in stats

        # A reload rebuilds the workers from the file, whose anchor (A's DS)
        # no longer validates anything: they must keep the tracked anchor.
        c.config["log-level"] = "info"
        with open(c.conf_path, "w") as f:
            f.write(to_yaml(c.config) + "\n")
        assert _ctl(c, "reload").strip() == "ok"
        _ctl(c, "flush")
        assert _validates(c)
    finally:
        c.stop()

    # A restart reads the state file: B alone is trusted.
    c = _start_cairn(internet, workdir, "cairn1", clock)
    try:
        assert _key_states(_ctl(c, "trust-anchors")) == {a: "revoked", b: "valid"}
        assert _validates(c)
    finally:
        c.stop()



def test_unusable_state_file_stops_the_start_with_its_name(rolling):
    internet, workdir = rolling
    clock = os.path.join(workdir, "clock")
    _set_clock(clock, 0)
    state_path = os.path.join(workdir, "root.key")
    with open(state_path, "w") as f:
        f.write(";;tracker zone=. started=1 last-success=0 next-refresh=0 refresh-interval=3600 "
                "retry-interval=3600 failures=0\n. 0 IN DNSKEY 257 3 13 AAAA ;;state=happy since=1\n")
    with pytest.raises(RuntimeError) as failed:
        _start_cairn(internet, workdir, "corrupt", clock)
    assert f"{state_path}:2: unknown state 'happy'" in str(failed.value), failed.value

    # With tracking on, a state file that cannot be written is no silent fallback.
    missing = os.path.join(workdir, "no-such-dir", "root.key")
    with pytest.raises(RuntimeError) as failed:
        _start_cairn(internet, workdir, "unwritable", clock, state_path=missing)
    assert f"trust-anchor-state: {missing}.new: cannot create" in str(failed.value), failed.value
