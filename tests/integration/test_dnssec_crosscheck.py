"""Cross-check of validation results: Cairn, Unbound and delv on one set of names.

For every name of CASES (each signed, unsigned and broken zone of the
hierarchy: an answer, NXDOMAIN, NODATA, a wildcard; NSEC and NSEC3 zones;
root and TLD data; CNAME/DNAME chains in and out of signed zones) the rcode
and the AD bit Cairn returns to a DO=1 query must equal Unbound's, and what
`delv` (BIND's validator) concludes. Each case also says what the hierarchy
was built to give (README.md), and the references are checked against that
first: if `test_unbound_and_delv_agree_with_design[...]` fails, the hierarchy or a reference is
wrong, not Cairn.

delv validates by itself: it asks a *non-validating* Unbound (iterator only)
for the records, with the test root as its only trust anchor, and prints its
conclusion: "; fully validated", "; unsigned answer", "; negative response,
fully validated|unsigned answer" with "ncache nxdomain|nxrrset", or
";; resolution failed: failure". Mapped to (rcode, AD) by delv_conclusion().

Two differences of policy are built in, where delv's "fully validated"
counts as insecure (`Case.delv_secure_means_insecure`):
- RFC 9276 (Cairn's default `nsec3-max-iterations: 50`) treats NSEC3 proofs
  with more than 50 iterations as insecure; BIND 9.18 and Unbound 1.17 only
  give up at 150. Unbound is configured with 50 here; delv cannot be: the
  proofs of iter.example. (100 iterations).
- RFC 5155 §9.2: no AD when the NSEC3 covering the next closer name has the
  Opt-Out flag (the name might be an unsigned delegation): an NXDOMAIN in
  cairn. (opt-out). Unbound follows it; delv reports the proof as validated.

Select with `-k unbound` (Unbound and delv, no Cairn) or `-k cairn`.
Test ids spell the TLD `cairn.` as `crn.` so that `-k cairn` selects only
the Cairn tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dns.flags
import dns.rcode
import pytest

from hierarchy import ALGORITHM_ZONES, DNSSEC_VARIANTS
from resolver_helpers import extended_errors
from resolvers import Cairn, Unbound, cairn_config, free_port

REPO = Path(__file__).resolve().parents[2]
DELV = shutil.which("delv") or "/usr/bin/delv"
UNBOUND_DNSSEC = ["ede: yes", 'val-nsec3-keysize-iterations: "1024 50 2048 50 4096 50"']


@dataclass(frozen=True)
class Case:
    qname: str
    qtype: str
    rcode: str          # what the hierarchy is built to give
    secure: bool        # AD
    # why delv's "fully validated" means AD=0 here ("" = it does not)
    delv_secure_means_insecure: str = ""

    @property
    def id(self) -> str:
        return f"{self.qname.replace('cairn.', 'crn.')}/{self.qtype}"

    @property
    def expected(self) -> tuple[str, bool]:
        return self.rcode, self.secure


def _cases() -> list[Case]:
    C = Case
    out = [
        # root and TLDs
        C(".", "SOA", "NOERROR", True), C(".", "DNSKEY", "NOERROR", True),
        C("nx-tld.", "A", "NXDOMAIN", True),
        C("example.", "DNSKEY", "NOERROR", True), C("nx.example.", "A", "NXDOMAIN", True),
        C("cairn.", "SOA", "NOERROR", True),
        # NSEC3 opt-out: the next closer name is covered by an opt-out NSEC3, so
        # it might be an unsigned delegation: the NXDOMAIN is insecure (RFC 5155 §9.2)
        C("nx.cairn.", "A", "NXDOMAIN", False, "opt-out"),
        C("zz.", "SOA", "NOERROR", False), C("nx.zz.", "A", "NXDOMAIN", False),
        # delegations to unsigned children: DS denied securely
        C("plain.example.", "DS", "NOERROR", True), C("infra.cairn.", "DS", "NOERROR", True),
        C("secure.example.", "DS", "NOERROR", True),
        # below the opt-out span, and the unsigned TLD
        C("www.infra.cairn.", "A", "NOERROR", False), C("nx.infra.cairn.", "A", "NXDOMAIN", False),
        C("www.pingpong.zz.", "A", "NOERROR", False),
        # chains: secure only if every step is
        C("alias.secure.example.", "A", "NOERROR", True),
        C("www.moved.secure.example.", "A", "NOERROR", True),
        C("www.moved.plain.example.", "A", "NOERROR", False),
        C("chain.plain.example.", "A", "NOERROR", False),
        C("hop.infra.cairn.", "A", "NOERROR", False),
    ]
    # the feature zones: NSEC, NSEC3 with salt, unsigned
    for zone, secure in (("secure.example.", True), ("secure3.cairn.", True), ("plain.example.", False)):
        out += [C(f"www.{zone}", "A", "NOERROR", secure), C(f"nx.{zone}", "A", "NXDOMAIN", secure),
                C(f"nodata.{zone}", "A", "NOERROR", secure), C(f"ent.{zone}", "A", "NOERROR", secure),
                C(f"x.ent.{zone}", "A", "NXDOMAIN", secure),
                C(f"any.wild.{zone}", "A", "NOERROR", secure),
                C(f"any.wild.{zone}", "AAAA", "NOERROR", secure)]
    # one zone per algorithm
    for alg in ALGORITHM_ZONES:
        zone = f"{alg.lower()}.example."
        out += [C(f"www.{zone}", "A", "NOERROR", True), C(f"nx.{zone}", "A", "NXDOMAIN", True),
                C(f"www.{zone}", "MX", "NOERROR", True)]
    # the DNSSEC variants: www A, NXDOMAIN, NODATA, wildcard
    SF = ("SERVFAIL", False)
    variant = {
        "badsig": [SF, ("NXDOMAIN", True), ("NOERROR", True), ("NOERROR", True)],
        "expired": [SF] * 4, "future": [SF] * 4, "nokey": [SF] * 4, "nodnskeysig": [SF] * 4,
        "nonsec": [("NOERROR", True), SF, SF, SF],
        "keytrap": [SF, ("NXDOMAIN", True), ("NOERROR", True), ("NOERROR", True)],
        "iter": [("NOERROR", True), ("NXDOMAIN", False), ("NOERROR", False), ("NOERROR", False)],
        "unsupalg": [("NOERROR", False), ("NXDOMAIN", False), ("NOERROR", False), ("NOERROR", False)],
        "unsupdigest": [("NOERROR", False), ("NXDOMAIN", False), ("NOERROR", False), ("NOERROR", False)],
    }
    assert set(variant) == {label for label, *_ in DNSSEC_VARIANTS}
    for label, results in variant.items():
        zone = f"{label}.example."
        for (qname, qtype), (rcode, secure) in zip(
                [(f"www.{zone}", "A"), (f"nx.{zone}", "A"), (f"nodata.{zone}", "A"),
                 (f"any.wild.{zone}", "A")], results):
            band = "nsec3-iterations" if label == "iter" and not qname.startswith("www.") else ""
            out.append(C(qname, qtype, rcode, secure, band))
    out.append(C("x.trap.keytrap.example.", "A", "SERVFAIL", False))
    return out


CASES = _cases()


# ---------------------------------------------------------------------------
# The three validators
# ---------------------------------------------------------------------------

def delv_conclusion(output: str) -> tuple[str, bool]:
    """(rcode, AD) from delv's report. A chain (CNAME/DNAME) gets one status
    line per RRset: secure only if every one is "fully validated"."""
    lines = [line.strip() for line in output.splitlines()]
    negative = [line for line in lines if line.startswith("; negative response,")]
    if negative:
        rcode = "NXDOMAIN" if any("ncache nxdomain" in line for line in lines) else "NOERROR"
        return rcode, all(line.endswith("fully validated") for line in negative)
    failed = [line.split(":", 1)[1].strip() for line in lines if line.startswith(";; resolution failed:")]
    if failed:
        # validation failures ("failure", "broken trust chain", "no valid
        # NSEC", "RRSIG failed to verify", ...) are what a resolver answers
        # with SERVFAIL; trouble reaching the resolver is not a conclusion
        if any(word in reason for reason in failed for word in ("timed out", "unreachable", "refused")):
            raise AssertionError(f"delv could not ask its resolver:\n{output}")
        return "SERVFAIL", False
    status = [line for line in lines if line in ("; fully validated", "; unsigned answer")]
    if not status:
        raise AssertionError(f"no conclusion in delv's output:\n{output}")
    return "NOERROR", all(line == "; fully validated" for line in status)


def run_delv(anchor: str, port: int, qname: str, qtype: str) -> str:
    out = subprocess.run([DELV, "-a", anchor, "+root=.", "@127.0.0.1", "-p", str(port),
                          qname, qtype], capture_output=True, text=True, timeout=60)
    return out.stdout + out.stderr


def query(proc, case: Case) -> tuple[str, bool, list]:
    msg = proc.query(case.qname, case.qtype, dnssec=True, timeout=20)
    return dns.rcode.to_text(msg.rcode()), bool(msg.flags & dns.flags.AD), extended_errors(msg)


class References:
    """A validating Unbound and delv (over a non-validating Unbound), with
    their conclusions remembered per case."""

    def __init__(self, internet, workdir: Path):
        self.internet = internet
        self.unbound = Unbound(str(workdir / "unbound"), internet.root_hints, internet.trust_anchor,
                               UNBOUND_DNSSEC).start()
        self.fetcher = Unbound(str(workdir / "unbound-for-delv"), internet.root_hints, None).start()
        self._unbound: dict[Case, tuple] = {}
        self._delv: dict[Case, str] = {}      # delv's output

    def stop(self) -> None:
        self.unbound.stop()
        self.fetcher.stop()

    def of_unbound(self, case: Case) -> tuple[str, bool]:
        if case not in self._unbound:
            self._unbound[case] = query(self.unbound, case)
        return self._unbound[case][:2]

    def of_delv(self, case: Case) -> tuple[tuple[str, bool], str]:
        """(rcode, AD) with the policy differences applied, and the raw output."""
        if not self._delv:
            # one delv process per case: run them all at once, a few at a time
            with ThreadPoolExecutor(max_workers=4) as pool:
                outputs = pool.map(lambda c: run_delv(self.internet.trust_anchor_bind,
                                                      self.fetcher.port, c.qname, c.qtype), CASES)
                self._delv = {c: out for c, out in zip(CASES, outputs)}
        if case not in self._delv:
            self._delv[case] = run_delv(self.internet.trust_anchor_bind, self.fetcher.port,
                                        case.qname, case.qtype)
        out = self._delv[case]
        rcode, secure = delv_conclusion(out)
        if case.delv_secure_means_insecure:
            secure = False      # see the module docstring
        return (rcode, secure), out


@pytest.fixture(scope="module")
def references(mini_internet, tmp_path_factory):
    for tool in (DELV, "unbound"):
        if not shutil.which(tool) and not os.path.exists(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            pytest.skip(f"{tool} is not installed")
    refs = References(mini_internet, tmp_path_factory.mktemp("crosscheck-refs"))
    yield refs
    refs.stop()


@pytest.fixture(scope="module")
def cairn_server(mini_internet, tmp_path_factory):
    binary = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
    if not os.access(binary, os.X_OK):
        pytest.skip(f"cairn binary not built: {binary}")
    port = free_port()
    config = cairn_config(mini_internet.root_hints, mini_internet.trust_anchor, port)
    c = Cairn(str(tmp_path_factory.mktemp("crosscheck-cairn")), binary, config, port=port).start()
    yield c
    c.stop()


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_unbound_and_delv_agree_with_design(references, case):
    """Unbound and delv conclude what the hierarchy was built to give."""
    unbound = references.of_unbound(case)
    delv, out = references.of_delv(case)
    assert unbound == case.expected, f"Unbound: {unbound}, built for {case.expected}"
    assert delv == case.expected, f"delv: {delv}, built for {case.expected}\n{out}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cairn_agrees_with_references(cairn_server, references, case):
    rcode, secure, ede = query(cairn_server, case)
    unbound = references.of_unbound(case)
    delv, out = references.of_delv(case)
    got = (rcode, secure)
    assert got == unbound and got == delv, \
        f"Cairn {got} EDE={ede}; Unbound {unbound}; delv {delv}; built for {case.expected}"
