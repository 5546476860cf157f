#!/usr/bin/python3
"""Talk to bench/mini_internet_driver.py: `internet_ctl.py SOCKET reset|count`.

`count` prints the total number of queries the authoritative servers received
since the last `reset` (one number; `-v` adds one line per server)."""

from __future__ import annotations

import socket
import sys


def request(path: str, command: str) -> list[str]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(120)
        s.connect(path)
        s.sendall(command.encode() + b"\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if command != "count" or data.endswith(b"end\n"):
                break
    return data.decode().splitlines()


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    if len(args) != 2 or args[1] not in ("reset", "count"):
        print(__doc__, file=sys.stderr)
        return 2
    lines = request(args[0], args[1])
    if not lines or lines[0].startswith("error"):
        print(lines[0] if lines else "error: no reply", file=sys.stderr)
        return 1
    if args[1] == "count":
        print(lines[0].split()[1])
        if verbose:
            for line in lines[1:-1]:
                print("  " + line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
