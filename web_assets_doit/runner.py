"""Run a project's dodo.py in-process: for the script, the console command and `publish()`."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from doit.cmd_base import NamespaceTaskLoader
from doit.doit_cmd import DoitMain

from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.files import publish_lock
from web_assets.files.digests import close_cache
from web_assets.records.summary import Summary
from web_assets.release.recorded import RunSettings, resolve_run
from web_assets.steps.upload import forget_failures
from web_assets_doit import pr, variables


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


class ProjectLoader(NamespaceTaskLoader):
    """The project's dodo.py, imported once doit has read its command line, with `run`'s settings."""

    def __init__(self, root: Path, run: RunSettings, out: TextIO):
        super().__init__()
        self.root, self.run, self.out = root, run, out
        self.reporter: Any = None

    def setup(self, opt_values: dict[str, Any]) -> None:
        # doit resets its variables as it reads its command line, which comes before this.
        variables.hand_over(self.run)
        dodo = load_dodo(self.root)
        self.reporter = dodo.DOIT_CONFIG["reporter"](self.out, {})
        if self.run.settings is not None:
            # The summary's advice names settings as this entry point takes them.
            self.reporter.summary.entry = self.run.settings.entry
        self.namespace = {
            **dict(inspect.getmembers(dodo)),
            "DOIT_CONFIG": {**dodo.DOIT_CONFIG, "reporter": self.reporter},
        }


def load_dodo(root: Path) -> ModuleType:
    """A fresh copy of the project's dodo.py, so each run reads its settings anew."""
    spec = importlib.util.spec_from_file_location("dodo", root / "dodo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_doit(
    root: Path,
    args: list[str],
    out: TextIO | None = None,
    given: dict[str, Any] | None = None,
    *,
    source: Entry = Entry.DOIT,
) -> tuple[int, Summary]:
    """`doit ARGS` in `root`, as the command line would run it; returns its status and summary.

    `given` settings (typed) join the `name=value` arguments; `source` names them in a refusal.
    """
    root = root.resolve()
    # Split as doit would: a `name=value` argument is a setting, resolved with `given`.
    variables_given = [arg for arg in args if "=" in arg and not arg.startswith("-")]
    given = {**(given or {}), **dict(arg.split("=", 1) for arg in variables_given)}
    args = [arg for arg in args if arg not in variables_given]
    return run_resolved(root, args, resolve_run(root, given, source=source), out)


def run_resolved(
    root: Path, args: list[str], run: RunSettings, out: TextIO | None = None
) -> tuple[int, Summary]:
    """`doit ARGS` in `root` with the settings `run` resolved once, before doit starts."""
    if pr.wanted(root, run):
        # pr=true: the same run, in our worktree on the release's branch (web_assets_doit/pr.py).
        return pr.publish_on_branch(root, args, run, out)
    if not (root / "dodo.py").is_file():
        raise PublishError(
            f"{root} has no dodo.py: run from the project root, or name the project folder."
        )
    # doit swaps sys.stdout and sys.stderr for each action and swaps them back after it; with two
    # steps in threads, one can "restore" the other's capture. The caller gets its own back.
    streams = sys.stdout, sys.stderr
    loader = ProjectLoader(root, run, out or sys.stdout)
    try:
        # doit reads ./pyproject.toml (only by that exact name) and resolves its state file and
        # our relative paths against the working folder, as the `doit` command does.
        with project_wiring(root), contextlib.chdir(root):
            status = DoitMain(loader).run(args)
    finally:
        sys.stdout, sys.stderr = streams
        close_cache(root)
        forget_failures()
        publish_lock.drop(root)
    return status, loader.reporter.summary if loader.reporter else Summary()
