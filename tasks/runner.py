"""Run the dodo.py graph in-process: for the script and for training code that publishes last."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from doit.cmd_base import ModuleTaskLoader
from doit.doit_cmd import DoitMain

from tasks import lock
from tasks.digests import close_cache
from tasks.graph import forget_release
from tasks.release import load_release
from tasks.report import Summary, SummaryReporter
from web_assets.errors import PublishError


def load_dodo(root: Path) -> ModuleType:
    """A fresh copy of the project's dodo.py, so each run reads its settings anew."""
    path = root / "dodo.py"
    if not path.is_file():
        raise PublishError(f"{root} has no dodo.py: run from the project root, or pass root=.")
    spec = importlib.util.spec_from_file_location("dodo", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_doit(root: Path, args: list[str], out: TextIO | None = None) -> tuple[int, Summary]:
    """`doit ARGS` in `root`, as the command line would run it; returns its status and summary."""
    root = root.resolve()
    forget_release()
    dodo = load_dodo(root)
    reporter = SummaryReporter(out or sys.stdout, {})
    dodo.DOIT_CONFIG = {**dodo.DOIT_CONFIG, "reporter": reporter}
    # doit swaps sys.stdout and sys.stderr for each action and swaps them back after it; with two
    # steps in threads, one can "restore" the other's capture. The caller gets its own back.
    streams = sys.stdout, sys.stderr
    try:
        # doit reads ./pyproject.toml (only by that exact name) and resolves its state file and
        # our relative paths against the working folder, as the `doit` command does.
        with contextlib.chdir(root):
            status = DoitMain(ModuleTaskLoader(dodo)).run(args)
    finally:
        sys.stdout, sys.stderr = streams
        close_cache(root)
        lock.release(root)
    return status, reporter.summary


def setting_args(settings: dict[str, Any]) -> list[str]:
    """doit command-line variables for the settings given (None: not given)."""
    args = []
    for name, value in settings.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        args.append(f"{name}={text}")
    return args


def publish(
    root: Path | str = ".",
    *,
    run_dir: Path | str | None = None,
    dataset: Path | str | None = None,
    financial_dataset: Path | str | None = None,
    version: int | None = None,
    tasks: tuple[str, ...] = (),
    out: TextIO | None = None,
    **settings: Any,
) -> Summary:
    """Publish a run as `doit` would, in this process; the summary says what changed.

    Relative paths are relative to `root`. Other settings (push, commit, run_id, ...) go by name.
    Raises PublishError, with every failure's message, when the publish fails.
    """
    root = Path(root).resolve()
    named = {"run_dir": run_dir, "dataset": dataset, "financial_dataset": financial_dataset}
    args = setting_args({**named, "version": version, **settings})
    # Bad input is reported here as one PublishError, before doit starts.
    load_release(root, dict(arg.split("=", 1) for arg in args))
    status, summary = run_doit(root, [*tasks, *args], out)
    if status != 0:
        details = "\n".join(summary.failures) or f"doit exited with status {status}"
        raise PublishError(f"Publish failed:\n{details}")
    return summary
