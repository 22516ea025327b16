"""`publish()`: the Python API, for training code that publishes as its last line.

It runs doit, so it lives on doit's side; `from web_assets import publish` forwards here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

from web_assets.config.settings import FROM_HERE
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.records.summary import Summary
from web_assets.release.recorded import resolve_run


def from_here(given: dict[str, Any]) -> dict[str, Any]:
    """Input paths as the caller means them: relative to the current folder, `~` expanded."""
    return {
        name: os.path.abspath(os.path.expanduser(value))
        if name in FROM_HERE and isinstance(value, str | os.PathLike) and os.fspath(value)
        else value
        for name, value in given.items()
        if value is not None
    }


def publish(
    root: Path | str = ".",
    *,
    tasks: tuple[str, ...] = (),
    out: TextIO | None = None,
    **settings: Any,
) -> Summary:
    """Publish a run as `doit` would, in this process; the summary says what changed.

    Settings go by name with their Python types (`run_dir`, `dataset`, `financial_dataset`,
    `version`, `push`, `main_columns=[...]`, ...); relative input paths are relative to the
    current folder. Raises PublishError, with every failure's message, when the publish fails.
    """
    root = Path(root).resolve()
    # Resolved once, here: a misspelt or mistyped setting stops before doit starts.
    run = resolve_run(root, from_here(settings), source=Entry.PUBLISH)
    if run.problem:
        raise PublishError(run.problem)
    from web_assets_doit.runner import run_resolved  # doit is imported only to run it

    status, summary = run_resolved(root, list(tasks), run, out)
    if status != 0:
        failed = [*summary.failures, *([summary.app_problem] if summary.app_problem else [])]
        details = "\n".join(failed) or f"doit exited with status {status}"
        raise PublishError(f"Publish failed:\n{details}")
    return summary
