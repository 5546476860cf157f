"""Cairn with a control socket, and cairnctl against it: shared by
test_cairnctl_trace.py and test_cairnctl_cache.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from resolver_helpers import cairnctl_binary


@pytest.fixture
def short_tmp():
    """A directory with a short path (unix socket paths are limited to 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cairn-ctl-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def with_control(cairn, directory: str, name: str = "ctl.sock", **overrides):
    """Starts cairn (the fixture's factory) with a control socket in `directory`."""
    config = {"control-socket": os.path.join(directory, name)}
    config.update(overrides)
    return cairn(config)


def cairnctl(c, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs `cairnctl ARGS --socket <c's control socket>`."""
    return subprocess.run([cairnctl_binary(), *args, "--socket", c.config["control-socket"]],
                          capture_output=True, text=True, timeout=timeout)


def cairnctl_ok(c, *args: str) -> str:
    out = cairnctl(c, *args)
    assert out.returncode == 0, f"cairnctl {' '.join(args)}: {out.returncode}\n{out.stderr}{out.stdout}"
    return out.stdout
