"""The commit steps' tasks: the files before the manifest (pinned URIs name that commit), and
the whole release after the lock file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tasks.creators import CHECKED, Task, manifest_settings, step_action, uncaptured
from web_assets.git.run import run
from web_assets.records.uris import pins
from web_assets.release.load import Release
from web_assets.steps.commit import commit_files_step, commit_step
from web_assets_doit.uptodate import settings_changed

FILES = "commit:files"


@uncaptured
def commit_files_task(release: Release | None) -> Task:
    """A step of its own only when URIs are pinned ({commit}); it reruns with what the manifest
    reads, since the manifest names the commit it returns."""
    if release is None or not pins(release.settings.uri_template):
        return {"basename": FILES, "actions": None, "task_dep": CHECKED}
    settings = release.settings
    files = [copy.target for copy in release.datasets] + release.export_files()
    return {
        "basename": FILES,
        "file_dep": [settings.relative(path) for path in files],
        "actions": [step_action(release, commit_files_step, release)],
        "task_dep": [*CHECKED, "datasets", "gather", "prune"],
        "uptodate": [settings_changed(manifest_settings(release)), holder_on_branch(settings.root)],
    }


class holder_on_branch:
    """Up to date while the commit the last run pinned URIs to is on the branch (HEAD or before
    it): a files commit whose publish stopped before the branch moved is made again."""

    def __init__(self, root: Path):
        self.root = root

    def __repr__(self) -> str:
        return "holder_on_branch()"

    def explain(self, values: dict[str, Any]) -> str:
        holder = values.get("holder") or "(none)"
        return f"commit {holder[:10]}, which the URIs would name, is not on the branch"

    def __call__(self, task, values) -> bool:
        holder = values.get("holder")
        if not holder:
            return False
        found = run(self.root, "merge-base", "--is-ancestor", holder, "HEAD", check=False)
        return found.returncode == 0


@uncaptured
def commit_task(release: Release | None) -> Task:
    if release is None:
        return {"actions": None, "task_dep": CHECKED}
    settings = release.settings
    pinned = pins(settings.uri_template)
    return {
        "file_dep": [settings.relative(path) for path in release.published_files()],
        # The manifest step's values: the release tag's message is the summary's first lines.
        "getargs": {"records": ("manifest", None), **({"files": (FILES, None)} if pinned else {})},
        "actions": [step_action(release, commit_step, release)],
        "task_dep": [*CHECKED, "prune", "manifest", "lockfile"],
        "uptodate": [
            settings_changed(
                {
                    "version": settings.version,
                    "commit": settings.commit,
                    "push": settings.push,
                    "remote": settings.remote,
                    "branch": settings.branch,
                    "tags": settings.tags,
                }
            )
        ],
    }
