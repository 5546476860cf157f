#!/usr/bin/python3
"""Run the integration tests' mini-internet for a benchmark (or by hand).

    /usr/bin/python3 bench/mini_internet_driver.py --workdir DIR [--net 127.53]

Builds and starts the hierarchy of tests/integration (NSD servers on
loopback, dnstap query records), then writes DIR/internet.env (shell
variables: NET, ROOT_HINTS, TRUST_ANCHOR, CONTROL, PID) and DIR/ready, and
waits until SIGTERM/SIGINT, when it stops every server by pid and exits.

While it runs, a line protocol on the unix socket $CONTROL gives the query
records (use bench/internet_ctl.py):

    reset                -> "ok"                     (reset_counts())
    count                -> "total N" then "KEY N" lines, "end"
                            (queries each server received since the reset)
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from hierarchy import default_hierarchy  # noqa: E402
from mini_internet import MiniInternet  # noqa: E402


def serve_control(path: str, internet: MiniInternet, lock: threading.Lock, stop: threading.Event) -> None:
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        with conn:
            conn.settimeout(60)
            try:
                line = conn.makefile("r").readline().strip()
                with lock:
                    if line == "reset":
                        internet.reset_counts()
                        reply = "ok\n"
                    elif line == "count":
                        logs = internet.all_queries()
                        total = sum(len(v) for v in logs.values())
                        reply = f"total {total}\n" + "".join(
                            f"{k} {len(v)}\n" for k, v in sorted(logs.items())) + "end\n"
                    else:
                        reply = f"error unknown command {line!r}\n"
            except Exception as exc:       # report, keep serving
                reply = f"error {exc!r}\n"
            try:
                conn.sendall(reply.encode())
            except OSError:
                pass
    srv.close()
    os.unlink(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--net", default=os.environ.get("CAIRN_TEST_NET", "127.53"))
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("mini_internet_driver: needs root (NSD binds port 53 on 127.x)", file=sys.stderr)
        return 2
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    internet = MiniInternet(os.path.join(workdir, "internet"), default_hierarchy(net=args.net))
    internet.start()
    try:
        control = os.path.join(workdir, "control.sock")
        lock = threading.Lock()
        thread = threading.Thread(target=serve_control, args=(control, internet, lock, stop), daemon=True)
        thread.start()
        env = {
            "NET": internet.net,
            "ROOT_HINTS": internet.root_hints,
            "TRUST_ANCHOR": internet.trust_anchor,
            "CONTROL": control,
            "PID": str(os.getpid()),
        }
        with open(os.path.join(workdir, "internet.env"), "w") as f:
            for k, v in env.items():
                f.write(f"INTERNET_{k}='{v}'\n")
        while not os.path.exists(control) and thread.is_alive():
            stop.wait(0.05)
        Path(workdir, "ready").touch()
        print(f"mini-internet up on {internet.net}.x.y (pid {os.getpid()})", flush=True)
        while not stop.is_set():
            stop.wait(0.5)
        thread.join(timeout=5)
    finally:
        internet.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
