"""doit runs on a test project: the real `doit` command in its own process, or doit in-process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
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


@contextlib.contextmanager
def environment(env: dict[str, str] | None) -> Iterator[None]:
    """os.environ with `env` set, as it was after."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def doit_here(root: Path, *args: str, env: dict[str, str] | None = None) -> DoitRun:
    """doit in this process, as `publish()` runs it: no interpreter to start, nothing to import.

    For tests whose point is the publish, not the command. Run from `root`, as the command is,
    so that relative paths among `args` mean what they mean on its command line.
    """
    out, err = io.StringIO(), io.StringIO()
    # doit's own commands (list, help) print to sys.stdout; its reporter writes to `out`.
    redirected = contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)
    with environment(env), contextlib.chdir(root), redirected[0], redirected[1]:
        status, _ = runner.run_doit(root, list(args), out=out)
    return DoitRun(status, out.getvalue(), err.getvalue())
