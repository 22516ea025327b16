"""The step of `doit pr=true`: the whole publish, run in a worktree on the release's branch."""

from __future__ import annotations

import sys
from pathlib import Path

from doit.exceptions import TaskFailed

from tasks.context import Loaded
from tasks.creators import Task, uncaptured
from web_assets.release.recorded import RunSettings
from web_assets_doit.pr import publish_on_branch


@uncaptured
def pr_task(root: Path, loaded: Loaded) -> Task:
    if loaded.pr is None:
        return {"actions": None}
    return {"actions": [(publish_branch, [root, loaded.pr])], "uptodate": [False]}


def publish_branch(root: Path, run: RunSettings) -> TaskFailed | None:
    """The publish, in this process; its own summary says what it did."""
    status, _ = publish_on_branch(root, [], run, sys.stdout)
    if status != 0:
        return TaskFailed("the publish on the release's branch stopped (see above).")
    return None
