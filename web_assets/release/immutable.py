"""Published versions are immutable: `Dataset_Version_N.csv` keeps the bytes it was published with.

The web app (and every person who read version N) takes a version number to name one dataset;
other bytes under the same number, or a number going backwards, would rewrite what N meant.
Checked when the release loads, before anything is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.digests import cache_for
from web_assets.git.run import is_work_tree


def refuse_rewritten_version(
    settings: Settings, target: Path, manifest: dict[str, Any] | None, lock: dict[str, Any] | None
) -> None:
    """Refuse a version below the published one, or other bytes under a published version.

    `target` is where the main dataset of this version is published (Dataset_Version_N.csv).
    """
    published = _published_version(manifest)
    if published is not None and settings.version < published and not settings.allow_downgrade:
        raise PublishError(
            f"version {settings.version} is below the published version {published} "
            f"({settings.relative(settings.manifest)}): publish version {published + 1} or "
            f"higher, or set {settings.entry.given('allow_downgrade', True)} to publish an older "
            "version on purpose "
            "(`doit rollback to=VERSION` restores an earlier release as it was)."
        )
    if settings.replace_version:
        return
    before = _published_digest(settings, target, lock)
    if before is None:
        return
    # Through the digest cache: a stat when the source is known, and the copy step reuses it.
    now = cache_for(settings.root).digest(settings.dataset).sha256
    if now != before:
        raise PublishError(
            f"{settings.relative(target)} is already published with other bytes (sha256 "
            f"{before[:12]}; {settings.dataset} has {now[:12]}): a published version never "
            f"changes. Publish it as version {_next(settings, published)}, or set "
            f"{settings.entry.given('replace_version', True)} to replace version "
            f"{settings.version} on purpose."
        )


def _published_version(manifest: dict[str, Any] | None) -> int | None:
    value = (manifest or {}).get("dataset_version")
    text = str(value).strip() if isinstance(value, str | int) else ""
    # ASCII digits only: a hand-written manifest may hold anything here.
    return int(text) if text.isascii() and text.isdigit() else None


def _next(settings: Settings, published: int | None) -> int:
    """The version after every one published: the manifest's and each release's on the branch."""
    releases = _releases(settings) if is_work_tree(settings.root) else []
    taken = [int(r.version) for r in releases if r.version.isascii() and r.version.isdigit()]
    return max([settings.version, published or 0, *taken]) + 1


def _published_digest(settings: Settings, target: Path, lock: dict[str, Any] | None) -> str | None:
    """The SHA-256 this version was published with: as the lock file records it, else as git's
    HEAD holds it (an older version), else as the newest release on the branch's history records
    it (a version rolled back from), else as the data folder holds it outside git."""
    path = settings.relative(target)
    recorded = _locked_digest(lock, path)
    if recorded is not None:
        return recorded or None
    if is_work_tree(settings.root):
        return _head_digest(settings.root, path) or _history_digest(settings, path)
    if target.is_file():
        return cache_for(settings.root).digest(target).sha256
    return None


def _head_digest(root: Path, path: str) -> str | None:
    """The SHA-256 of `path` as HEAD holds it, streamed from git; None when HEAD has no such file."""
    from web_assets.git.objects import objects

    for _, size, chunks in objects(root, [f"HEAD:./{path}"]):
        if size is None:
            return None
        digest = hashlib.sha256()
        for chunk in chunks:
            digest.update(chunk)
        return digest.hexdigest()
    return None


def _locked_digest(lock: dict[str, Any] | None, path: str) -> str | None:
    """The digest a lock file records for `path`: None when it names no such file, "" unreadable."""
    for entry in (lock or {}).get("files") or []:
        if isinstance(entry, dict) and entry.get("path") == path:
            digest = entry.get("sha256")
            return digest if isinstance(digest, str) else ""
    return None


def _history_digest(settings: Settings, path: str) -> str | None:
    """The digest the newest release of the branch's history that published `path` recorded.

    A rollback takes a version's dataset out of HEAD and of the lock file, but the version stays
    published in history (and in every copy of the web app that loaded it): its number stays taken.
    """
    for release in _releases(settings):
        ref = release.files.get(path)
        if release.has_lock and ref is not None and ref.sha256:
            return ref.sha256
    return None


def _releases(settings: Settings) -> list:
    from web_assets.history.log import list_releases

    manifest, lock = settings.relative(settings.manifest), settings.relative(settings.lock_file)
    return list_releases(settings.root, "HEAD", manifest, lock)
