"""The release a user names in `doit rollback to=` and `doit diff from= to=`: a version, a
release tag or a commit."""

from __future__ import annotations

import re
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.run import run
from web_assets.history.branch import shallow_note
from web_assets.history.log import LOCK, MANIFEST, PastRelease


def resolve(releases: list[PastRelease], target: str, root: Path | None = None) -> PastRelease:
    """The release a user names: a version (its newest release) or a commit of a release.

    ASCII digits name a version first; a hex prefix of 4+ digits a release's commit; anything else
    git resolves in `root` (default: the list's), such as HEAD~2 or a tag.
    """
    root = root or getattr(releases, "root", None)
    aliases: dict[str, str] = getattr(releases, "aliases", {})
    by_commit = {release.commit: release for release in releases}
    by_commit.update(
        {alias: by_commit[kept] for alias, kept in aliases.items() if kept in by_commit}
    )
    versions = ", ".join(dict.fromkeys(release.version for release in releases)) or "none"
    note = shallow_note(getattr(releases, "shallow", False))
    target = target.strip()
    if target.isascii() and target.isdigit():
        for release in releases:
            if release.version == target:
                return release
    if re.fullmatch(r"[0-9a-fA-F]{4,40}", target):
        found = {by_commit[c].commit for c in by_commit if c.startswith(target.lower())}
        if len(found) == 1:
            return by_commit[found.pop()]
        if found:
            raise PublishError(f"Commit {target} is ambiguous among releases: give more digits.")
    commit = None
    if root is not None and target and not target.startswith("-"):
        found = run(root, "rev-parse", "--verify", "--quiet", f"{target}^{{commit}}", check=False)
        commit = found.stdout.strip() if found.returncode == 0 else None
    if commit in by_commit:
        return by_commit[commit]
    if commit:
        files = " or ".join(
            getattr(releases, name, default)
            for name, default in (("manifest_path", MANIFEST), ("lock_path", LOCK))
        )
        raise PublishError(
            f"Commit {commit[:8]} ({target}) is not a release: releases are the commits of this "
            f"branch's first-parent history that change {files}; versions: {versions}.{note}"
        )
    raise PublishError(
        f"No release {target!r}: give a version ({versions}) or the commit of a release.{note}"
    )
