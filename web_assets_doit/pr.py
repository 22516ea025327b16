"""Pull-request mode's run: the whole publish in our worktree, on `web-assets/v{version}`.

The worktree (web_assets/git/pr.py) is the project root of that run; the run's inputs are the
user's, as absolute paths, so it publishes the run the user names, never the worktree's copy.
Its commit step commits and pushes the branch as a publish does the checked-out branch.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TextIO

from web_assets.config.settings import FROM_HERE
from web_assets.errors import PublishError
from web_assets.git.pr import (
    in_worktree,
    leave_worktree,
    pr_branch,
    prepare_worktree,
    worktree_held,
)
from web_assets.git.run import is_work_tree
from web_assets.records.summary import Summary
from web_assets.release.recorded import RunSettings, resolve_run
from web_assets.report.target import refuse_report_path


def wanted(root: Path, run: RunSettings) -> bool:
    """Whether this run is a pull request's, started outside the worktree that makes it."""
    settings = run.settings
    if settings is None or not settings.pr:
        return False
    return not (is_work_tree(root) and in_worktree(root))


def branch_run(
    root: Path, run: RunSettings, held: contextlib.ExitStack
) -> tuple[Path, RunSettings]:
    """The project in our worktree and the settings of the run there; or `root` and why not.

    A problem is kept, not raised, as for any run: the check step reports it before any write.
    The worktree stays ours until `held` closes.
    """
    settings = run.settings
    assert settings is not None
    if settings.version is None:
        return root, run  # the run refuses it, naming `version`
    try:
        if not is_work_tree(root):
            raise PublishError(
                f"{root} is not in a git work tree: pr=true commits on a branch, so run "
                "`git init` there (or clone the project), or publish without pr=true."
            )
        if not settings.commit:
            # Its files would be written in our hidden worktree, on no commit: seen nowhere.
            entry = settings.entry
            raise PublishError(
                f"Pull-request mode commits the release on the branch {pr_branch(settings.version)}, "
                f"and {entry.given('commit', False)} commits nothing: drop one of them. Nothing was "
                "written."
            )
        # The report is written where the user named it, among the user's own files.
        refuse_report_path(settings)
        held.enter_context(worktree_held(root))
        project, made_at = prepare_worktree(root, settings.version)
        held.callback(leave_worktree, root, settings.version, made_at)
    except PublishError as err:
        return root, run._replace(settings=None, problem=str(err))
    # The run's inputs and the report are the user's: absolute, so the worktree's run reads and
    # writes them where the user named them.
    inputs = {name: str(getattr(settings, name)) for name in FROM_HERE if getattr(settings, name)}
    given = {**run.given, **inputs, "version": settings.version, "pr": True}
    # The branch is the worktree's: the release's own, not the user's.
    given.pop("branch", None)
    return project, resolve_run(project, given, source=settings.entry)


def publish_on_branch(
    root: Path, args: list[str], run: RunSettings, out: TextIO | None = None
) -> tuple[int, Summary]:
    """Run the publish of `run` in our worktree, on the release's branch."""
    from web_assets_doit.runner import run_resolved

    with contextlib.ExitStack() as held:
        project, there = branch_run(root, run, held)
        return run_resolved(project, args, there, out)
