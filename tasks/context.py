"""The release dodo.py publishes, loaded once, when doit imports dodo.py."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.config.settings import Settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.history.rollback_journal import finish_killed_rollback
from web_assets.release.load import Release, load_release
from web_assets.release.recorded import RunSettings, gone_inputs, resolve_run
from web_assets_doit import pr, variables


class Loaded(NamedTuple):
    """What dodo.py works from. A problem is kept, not raised, so that `doit list`, `doit help`
    and `doit verify` still work; the check step reports it before anything is written."""

    settings: Settings | None
    release: Release | None
    problem: str | None
    # The recorded inputs that are gone, when a plain `doit` keeps the published release as it is.
    kept: tuple[str, ...] = ()
    # pr=true: the run's settings, published in a worktree on the release's branch (tasks/pr.py).
    pr: RunSettings | None = None


def run_settings(root: Path) -> RunSettings:
    """This run's settings: as `publish()` or the script resolved them, else from `doit name=value`."""
    handed = variables.handed_over()
    if handed is not None:
        return handed
    return resolve_run(root, variables.command_line(), source=Entry.DOIT)


def load(root: Path, given: Mapping[str, Any] | None = None) -> Loaded:
    """The release this run's settings name, or why there is none; `given` as publish() gives them."""
    try:
        repaired = finish_killed_rollback(root)
    except PublishError as err:
        return Loaded(None, None, str(err))
    if repaired:
        print(repaired, file=sys.stderr)
    run = run_settings(root) if given is None else resolve_run(root, given, source=Entry.PUBLISH)
    settings = run.settings
    if pr.wanted(root, run):
        return Loaded(settings, None, None, pr=run)
    if settings is None:
        return Loaded(None, None, run.problem)
    gone = gone_inputs(settings, run.given, run.recorded)
    if gone:
        # Nothing to publish from: keep what is published (a rollback to an old run does this).
        return Loaded(settings, None, None, tuple(gone))
    try:
        return Loaded(settings, load_release(settings), None)
    except PublishError as err:
        return Loaded(settings, None, str(err))
