"""Run a project's dodo.py in-process: for the script, the console command and `publish()`."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from doit.cmd_base import ModuleTaskLoader
from doit.doit_cmd import DoitMain

from web_assets.errors import PublishError
from web_assets.files import publish_lock
from web_assets.files.digests import close_cache
from web_assets.records.summary import Summary


@contextlib.contextmanager
def project_wiring(root: Path) -> Iterator[None]:
    """Import the project's own `tasks` package while dodo.py loads, whatever else is named so.

    A training script may sit beside an unrelated `tasks.py` (invoke's convention) or have
    imported one: it is set aside meanwhile and put back after.
    """
    foreign = {
        name: module
        for name, module in sys.modules.items()
        if name == "tasks" or name.startswith("tasks.")
    }
    for name in foreign:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == "tasks" or name.startswith("tasks.")]:
            del sys.modules[name]
        sys.modules.update(foreign)


def load_dodo(root: Path, given: dict[str, Any] | None) -> ModuleType:
    """A fresh copy of the project's dodo.py, so each run reads its settings anew."""
    path = root / "dodo.py"
    if not path.is_file():
        raise PublishError(f"{root} has no dodo.py: run from the project root, or pass root=.")
    spec = importlib.util.spec_from_file_location("dodo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if given is not None:
        module.PUBLISH_SETTINGS = given
    spec.loader.exec_module(module)
    return module


def run_doit(
    root: Path, args: list[str], out: TextIO | None = None, given: dict[str, Any] | None = None
) -> tuple[int, Summary]:
    """`doit ARGS` in `root`, as the command line would run it; returns its status and summary.

    `given` settings (typed, from `publish()`) take the place of doit's `name=value` variables.
    """
    root = root.resolve()
    # dodo.py loads its release when imported, before doit parses `name=value` variables: they
    # are handed in with the settings (strings, as doit's command line gives them).
    variables = [arg for arg in args if "=" in arg and not arg.startswith("-")]
    if variables:
        given = {**(given or {}), **dict(arg.split("=", 1) for arg in variables)}
        args = [arg for arg in args if arg not in variables]
    # doit swaps sys.stdout and sys.stderr for each action and swaps them back after it; with two
    # steps in threads, one can "restore" the other's capture. The caller gets its own back.
    streams = sys.stdout, sys.stderr
    try:
        with project_wiring(root):
            dodo = load_dodo(root, given)
            reporter = dodo.DOIT_CONFIG["reporter"](out or sys.stdout, {})
            dodo.DOIT_CONFIG = {**dodo.DOIT_CONFIG, "reporter": reporter}
            # doit reads ./pyproject.toml (only by that exact name) and resolves its state file
            # and our relative paths against the working folder, as the `doit` command does.
            with contextlib.chdir(root):
                status = DoitMain(ModuleTaskLoader(dodo)).run(args)
    finally:
        sys.stdout, sys.stderr = streams
        close_cache(root)
        publish_lock.drop(root)
    return status, reporter.summary
