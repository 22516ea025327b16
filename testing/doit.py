"""doit runs on a test project: the real `doit` command in its own process, or doit in-process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from web_assets_doit import runner


class DoitRun:
    """What a user sees of one run: its status, its output, the steps it ran and skipped."""

    def __init__(self, status: int, out: str, err: str):
        self.status = status
        self.out = out
        self.err = err
        lines = out.splitlines()
        self.ran = [line[3:] for line in lines if line.startswith(".  ")]
        self.skipped = [line[3:] for line in lines if line.startswith("-- ")]

    @property
    def text(self) -> str:
        return self.out + self.err


def run_doit(root: Path, *args: str, env: dict[str, str] | None = None) -> DoitRun:
    """The real `doit` command, in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "doit", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return DoitRun(result.returncode, result.stdout, result.stderr)


def doit_here(root: Path, *args: str) -> DoitRun:
    """doit in this process, as `publish()` runs it: no interpreter to start, nothing to import.

    For tests whose point is the publish, not the command. Run from `root`, as the command is,
    so that relative paths among `args` mean what they mean on its command line.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stderr(err):
        status, _ = runner.run_doit(root, list(args), out=out)
    return DoitRun(status, out.getvalue(), err.getvalue())
