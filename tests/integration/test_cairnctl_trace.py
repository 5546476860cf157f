"""`cairnctl trace NAME [TYPE]`: the anatomy of one resolution against the
mini-internet, as a text tree and as JSON: each server asked from the root
down with its RTT, what came from the cache, glueless lookups nested under
the delegation that needed them, and the chain of trust with its verdicts."""

import json
import re

from control_helpers import cairnctl, cairnctl_ok, short_tmp, with_control  # noqa: F401

EXCHANGE = re.compile(r"^(?P<indent> *)(?P<zone>\S+) @(?P<server>[0-9.]+): (?P<qname>\S+) (?P<qtype>\S+)"
                      r"(?P<minimised> \(minimised\))?(?: over TCP)? -> (?P<outcome>.+), "
                      r"(?P<rtt>[0-9.]+) ms$")


def _lines(text):
    return text.splitlines()


def _index(lines, fragment, start=0):
    """Index of the first line from `start` containing `fragment`."""
    for i in range(start, len(lines)):
        if fragment in lines[i]:
            return i
    raise AssertionError(f"no line with {fragment!r} in:\n" + "\n".join(lines))


def _exchanges(lines):
    return [m for m in (EXCHANGE.match(line) for line in lines) if m]


def test_a_signed_name_shows_root_tld_and_zone_with_the_chain_of_trust(mini_internet, cairn,
                                                                        short_tmp):
    c = with_control(cairn, short_tmp)
    text = cairnctl_ok(c, "trace", "www.secure.example.", "A")
    lines = _lines(text)
    assert lines[0] == ";; trace of www.secure.example. A"
    addr = mini_internet.addr
    steps = [(m["zone"], m["server"], m["qname"], m["outcome"]) for m in _exchanges(lines)]
    roots = {addr("root-a"), addr("root-b")}
    tld = {addr("example-1"), addr("example-2")}
    hosts = {addr("host-1"), addr("host-2")}
    assert any(z == "." and s in roots and o == "referral to example." for z, s, _, o in steps), text
    assert any(z == "example." and s in tld and o == "referral to secure.example."
               for z, s, _, o in steps), text
    assert any(z == "secure.example." and s in hosts and q == "www.secure.example." and o == "answer"
               for z, s, q, o in steps), text
    # QNAME minimisation shows: the root was asked for example., not the name.
    assert any(m["zone"] == "." and m["qname"] == "example." and m["minimised"]
               for m in _exchanges(lines)), text
    assert all(float(m["rtt"]) >= 0 for m in _exchanges(lines))
    # DS -> DNSKEY -> RRSIG, top down, each secure. The root's keys were
    # validated from the trust anchor at start (the warm-up), so they are cached.
    chain = ["keys of .: secure (cached)", "DS example.: secure", "DNSKEY example.: secure",
             "DS secure.example.: secure", "DNSKEY secure.example.: secure",
             "RRSIG www.secure.example. A by secure.example.: secure"]
    at = 0
    for step in chain:
        at = _index(lines, step, at) + 1
    assert _index(lines, ";; NOERROR, AD") > at - 1
    assert lines[-1].startswith("www.secure.example. 300 IN A ")


def test_a_bogus_name_shows_the_verdict_and_why(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    lines = _lines(cairnctl_ok(c, "trace", "www.badsig.example."))
    bogus = lines[_index(lines, "RRSIG www.badsig.example. A by badsig.example.: bogus")]
    assert "EDE 6 (DNSSEC Bogus)" in bogus and "does not verify" in bogus
    # The other server of the zone was asked before the verdict stood.
    _index(lines, "failed validation")
    assert lines[_index(lines, ";; SERVFAIL")].startswith(";; SERVFAIL, EDE 6 (DNSSEC Bogus)")

    lines = _lines(cairnctl_ok(c, "trace", "www.expired.example."))
    assert "EDE 7 (Signature Expired)" in lines[_index(lines, "DNSKEY expired.example.: bogus")]


def test_json_parses_and_has_the_same_steps(mini_internet, cairn, short_tmp):
    # Each from a cold cache: the same walk, whichever servers were chosen.
    text = cairnctl_ok(with_control(cairn, short_tmp, "a.sock"), "trace", "www.secure.example.")
    doc = json.loads(cairnctl_ok(with_control(cairn, short_tmp, "b.sock"), "trace",
                                 "www.secure.example.", "--json"))
    assert doc["question"] == {"name": "www.secure.example.", "type": "A"}
    assert doc["rcode"] == "NOERROR" and doc["ad"] is True and doc["ede"] is None
    assert doc["answer"][0].startswith("www.secure.example. 300 IN A ")
    lines = _lines(text)[1:]
    step_lines = [line for line in lines if line.startswith("  ")]
    steps = doc["steps"]
    assert len(steps) == len(step_lines), (text, steps)
    assert f"{len(steps)} steps" in lines[len(step_lines)]
    for line, step in zip(step_lines, steps):
        depth = (len(line) - len(line.lstrip(" "))) // 2 - 1
        assert depth == step["depth"], (line, step)
        if step["step"] == "exchange":
            m = EXCHANGE.match(line)
            assert m, (line, step)
            assert (m["zone"], m["qname"], m["qtype"]) == (step["zone"], step["qname"], step["qtype"])
            assert step["server"] in {s.address for s in mini_internet.hierarchy.servers.values()}
            assert step["rtt_ms"] >= 0
        if step["step"] == "dnssec":
            assert step["security"] == "secure", step
    checks = [(s["check"], s["zone"]) for s in steps if s["step"] == "dnssec"]
    assert checks[-1] == ("rrsig", "secure.example.")
    assert ("ds", "secure.example.") in checks and ("keys", ".") in checks


def test_glueless_lookups_nest_under_the_delegation_that_needs_them(mini_internet, cairn,
                                                                     short_tmp):
    c = with_control(cairn, short_tmp)
    lines = _lines(cairnctl_ok(c, "trace", "www.glueless.example."))
    at = _index(lines, "glueless NS gns")
    assert "of glueless.example.: " + mini_internet.addr("host-1") in lines[at] or \
        "of glueless.example.: " + mini_internet.addr("host-2") in lines[at], lines[at]
    outer = len(lines[at]) - len(lines[at].lstrip())
    nested = lines[at + 1]
    assert len(nested) - len(nested.lstrip()) == outer + 2, "\n".join(lines)
    # The lookup walks infra.cairn.'s own delegation, nested.
    inner = [m for m in _exchanges(lines[at + 1:]) if len(m["indent"]) == outer + 2]
    assert any(m["zone"] == "infra.cairn." and m["qname"].startswith("gns") for m in inner), \
        "\n".join(lines)
    # Then the glueless zone itself, back at the outer depth.
    final = [m for m in _exchanges(lines) if m["qname"] == "www.glueless.example."]
    assert final and len(final[-1]["indent"]) == outer


def test_a_cached_answer_says_so_and_no_cache_asks_again(mini_internet, cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.secure.example.", "A").rcode() == 0
    mini_internet.reset_counts()
    lines = _lines(cairnctl_ok(c, "trace", "www.secure.example."))
    assert lines[1] == "  www.secure.example. A: answer from cache (secure)"
    assert lines[2].startswith(";; NOERROR, AD") and "1 step)" in lines[2]
    assert sum(len(q) for q in mini_internet.all_queries().values()) == 0

    lines = _lines(cairnctl_ok(c, "trace", "www.secure.example.", "--no-cache"))
    assert "answer asked upstream even if cached" in lines[0]
    asked = [m for m in _exchanges(lines) if m["qname"] == "www.secure.example."]
    assert len(asked) == 1 and asked[0]["outcome"] == "answer"
    hosts = [mini_internet.addr("host-1"), mini_internet.addr("host-2")]
    sent = [q for h in hosts for q in mini_internet.queries(h)
            if q.qname.lower() == "www.secure.example." and q.qtype == "A"]
    assert len(sent) == 1
    # Nothing was flushed: the cache still answers clients.
    assert c.query("www.secure.example.", "A").rcode() == 0


def test_bad_arguments_get_a_clear_answer(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    for args, expected in [(["trace", "a..b."], "bad name"),
                           (["trace", "www.example.", "NOTATYPE"], "unknown type")]:
        out = cairnctl(c, *args)
        assert out.returncode == 2, out
        assert expected in out.stderr, out.stderr
    out = cairnctl(c, "trace")
    assert out.returncode == 1 and "name" in out.stderr
    assert c.query("www.plain.example.", "A").rcode() == 0, "cairn still answers"
