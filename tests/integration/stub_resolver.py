#!/usr/bin/python3
"""Stand-in for build/bin/cairn in the harness's own tests.

It accepts `--config FILE` like cairn, listens on the first `listen` entry of
that YAML file (UDP) and answers REFUSED to everything until SIGTERM. This
proves the cairn fixture (config writing, waiting until it answers, stopping
by pid) before cairn itself can serve.
"""

import re
import signal
import socket
import sys

import dns.message
import dns.rcode


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] != "--config":
        print("usage: stub_resolver.py --config FILE", file=sys.stderr)
        return 2
    with open(sys.argv[2]) as f:
        match = re.search(r'listen:\s*\n\s*-\s*"([\d.]+):(\d+)"', f.read())
    if not match:
        print("no listen address in config", file=sys.stderr)
        return 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((match.group(1), int(match.group(2))))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        wire, client = sock.recvfrom(65535)
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            continue
        reply = dns.message.make_response(query)
        reply.set_rcode(dns.rcode.REFUSED)
        sock.sendto(reply.to_wire(), client)


if __name__ == "__main__":
    sys.exit(main())
