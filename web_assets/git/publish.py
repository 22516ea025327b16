"""A publish's commits: built in a private index, the branch moved once, by compare-and-swap.

With pinned URIs a publish makes two commits: first the files (datasets, models, bundles), then
the manifest and lock file whose URIs name the first. The user's index is touched only for the
published paths, after the branch moved; a failure or a kill at any point leaves the user's
staged and unstaged work as it was, and no lock behind (the next run clears our leftovers).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.git import commit as gitcommit
from web_assets.git import pr as gitpr
from web_assets.git.run import is_work_tree, run, toplevel
from web_assets.release.load import Release

FILES_MESSAGE = "chore: add web assets for version {version}"
COMMIT_MESSAGE = "chore: update web assets for version {version}"


class FilesCommit(NamedTuple):
    """The commit of a release's files: `commit` ("" when HEAD already held them), the `base`
    it was made on, and the `holder` of the bytes that URIs pin to (`commit`, else `base`)."""

    commit: str
    base: str
    holder: str


def _files(release: Release, paths: list[Path]) -> tuple[dict[str, Path], set[str]]:
    top = toplevel(release.settings.root)
    files = {path.relative_to(top).as_posix(): path for path in paths}
    models = {artefact.path.relative_to(top).as_posix() for artefact in release.export.models}
    return files, models


def _removed(release: Release) -> list[str]:
    """The previous release's export files this run lacks: the commit records their deletion."""
    top = toplevel(release.settings.root)
    return [path.relative_to(top).as_posix() for path in release.removed]


def commit_files(release: Release) -> FilesCommit:
    """Commit the release's files on HEAD without moving the branch (pinned URIs name it)."""
    settings = release.settings
    gitcommit.repair_after_kill(settings.root)
    gitcommit.refuse_unsafe_state(settings.root, settings.branch)
    base = gitcommit.head_commit(settings.root) or ""
    files, models = _files(
        release, [copy.target for copy in release.datasets] + release.export_files()
    )
    message = FILES_MESSAGE.format(version=settings.version)
    commit = (
        gitcommit.build_commit(
            settings.root, base or None, files, message, models, removed=_removed(release)
        )
        or ""
    )
    return FilesCommit(commit, base, commit or base)


def holds_same_bytes(root: Path, holder: str) -> Callable[[str, str], bool]:
    """`holds(commit, path)`: does `commit`, on `holder`'s history, hold `path` (project-relative)
    as `holder` does? The prefix and each commit's ancestry are asked of git once per manifest."""
    if not holder:
        return lambda commit, path: False
    prefix = run(root, "rev-parse", "--show-prefix").stdout.strip()

    @functools.cache
    def on_history(commit: str) -> bool:
        # A commit off the branch (a killed publish's, or one a rebase replaced) holds the bytes
        # here but is never pushed: a URI pinned to it would not be served.
        return run(root, "merge-base", "--is-ancestor", commit, holder, check=False).returncode == 0

    def holds(commit: str, path: str) -> bool:
        found = run(
            root, "rev-parse", f"{commit}:{prefix}{path}", f"{holder}:{prefix}{path}", check=False
        )
        blobs = found.stdout.split()
        same = found.returncode == 0 and len(blobs) == 2 and blobs[0] == blobs[1]
        return same and on_history(commit)

    return holds


def commit_release(release: Release, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Commit exactly the published files on top of the files commit, if the manifest made one."""
    settings = release.settings
    root = settings.root
    if not settings.commit:
        return {"commit": "", "reason": "commit=false", "pushed": "", "branch": ""}
    if not is_work_tree(root):
        return {
            "commit": "",
            "reason": f"{root} is not a git work tree",
            "pushed": "",
            "branch": "",
        }
    gitcommit.repair_after_kill(root)
    branch = gitcommit.refuse_unsafe_state(root, settings.branch)
    head = gitcommit.head_commit(root) or ""
    first = FilesCommit(**(manifest or {}).get("files_commit", FilesCommit("", "", "")._asdict()))
    if first.commit and first.base != head:
        first = FilesCommit("", "", "")  # HEAD moved since: commit everything in one
    files, models = _files(release, release.published_files())
    parent = first.commit or head
    message = COMMIT_MESSAGE.format(version=settings.version)
    removed = _removed(release)
    made = (
        gitcommit.build_commit(root, parent or None, files, message, models, removed=removed)
        or first.commit
    )
    if made:
        gitcommit.advance_branch(
            root,
            branch,
            made,
            head or None,
            reflog=f"web-assets: publish version {settings.version}",
        )
    # Also after no commit: it sets right a run killed between the branch move and this.
    gitcommit.sync_index(root, [*files, *removed])
    pushed = ""
    if settings.push:
        gitcommit.push(root, settings.remote, branch, [made] if made else [])
        pushed = f"{settings.remote} {branch}"
    reason = "" if made else "the published files were already committed"
    result = {
        "commit": made,
        "reason": reason,
        "pushed": pushed,
        "branch": branch,
        "remote": settings.remote,
    }
    if settings.pr:
        # Pull-request mode: this root is our worktree, on the release's branch.
        result["pr"] = gitpr.pr_fields(root, settings.remote, branch)
    return result
