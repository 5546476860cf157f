"""Stopping the daemons a test started: by pid, including the children they forked.

NSD forks (xfrd, the serving child, the dnstap collector). When NSD's main
process exits its children may outlive it for a moment and get re-parented.
We make this Python process a *child subreaper*, so such orphans are
re-parented to us (not to init) and can be waited for by their own pid:
a stopped server is really gone, and its port is free for a restart.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time

PR_SET_CHILD_SUBREAPER = 36
_subreaper_set = False


def become_subreaper() -> None:
    global _subreaper_set
    if _subreaper_set:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    _subreaper_set = True


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid) of pid, or None if it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = data[data.rindex(")") + 2:].split()   # comm may contain spaces
    return fields[0], int(fields[1])


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _proc_stat(int(entry))
            if st:
                children.setdefault(st[1], []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _gone(pid: int) -> bool:
    """True once pid has exited; reaps it if it became our child (subreaper)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return True
    except ChildProcessError:
        pass            # not our child (yet): look at /proc instead
    st = _proc_stat(pid)
    return st is None or st[0] in ("Z", "X")


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM proc (by pid), wait for it and every process it had forked."""
    if proc.poll() is not None:
        return
    family = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + timeout
    for pid in family:
        while not _gone(pid):
            if time.monotonic() > deadline:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                deadline = time.monotonic() + 2
            time.sleep(0.01)
