"""A publish killed at a chosen point: no timing, no product hook.

The publish runs in a child Python, in a session of its own, that wraps one function so that
its Nth call SIGKILLs the whole session (the child and any git it started, as a closed terminal
would) just before or just after that call runs. A point the publish never reaches is a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

CHILD = r"""
import importlib, os, signal, sys, threading
from pathlib import Path

where, when, nth, only = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
root, args = Path(sys.argv[5]), sys.argv[6:]
# The steps' modules, imported before the patch so that every name bound to the function is found.
import web_assets_doit.runner as runner
import web_assets.git.publish, web_assets.steps.copy, web_assets.steps.records

module_name, name = where.split(":")
original = getattr(importlib.import_module(module_name), name)
calls, lock = 0, threading.Lock()


def counted(args):
    return not only or any(only in str(arg) for arg in args)


def killing(*a, **k):
    global calls
    with lock:
        if counted(a):
            calls += 1
        hit = counted(a) and calls == nth
    if hit and when == "before":
        os.killpg(0, signal.SIGKILL)
    result = original(*a, **k)
    if hit and when == "after":
        os.killpg(0, signal.SIGKILL)
    return result


for loaded in list(sys.modules.values()):
    if getattr(loaded, name, None) is original:
        setattr(loaded, name, killing)
os.chdir(root)
if os.environ.get("KILL_AS_DOIT_COMMAND"):
    # As the `doit` command runs: doit's own commands take their `name=value` arguments.
    from doit.doit_cmd import DoitMain
    sys.exit(DoitMain().run(args))
sys.exit(runner.run_doit(root, args)[0])
"""


class Point(NamedTuple):
    """Where to kill: `when` ("before" or "after") the `nth` call of `function` ("module:name")
    whose arguments contain `only` (any call when empty)."""

    function: str
    when: str
    nth: int = 1
    only: str = ""


def publish_killed_at(
    root: Path, args: list[str], point: Point, env: dict[str, str] | None = None
) -> str:
    """Run `doit ARGS` in `root` and kill it at `point`; its output (it must have been killed)."""
    where = [point.function, point.when, str(point.nth), point.only]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *where, str(root), *args],
        capture_output=True,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    output = child.stdout + child.stderr
    assert child.returncode == -signal.SIGKILL, f"never reached {point}: {output}"
    return output
