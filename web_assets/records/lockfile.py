"""The lock file: every published file, its digest and size, and where it came from.

The web app's schema forbids new top-level keys in dev.json, so provenance lives here, committed
beside the assets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.records.jsonio import is_records, read_json

LOCK_FORMAT = 1


def read_lock(path: Path) -> dict[str, Any] | None:
    """The lock file as it is on disk, or None when there is none yet."""
    remedy = f"restore it with `git checkout -- {path.name}` or move it away; the next publish writes it anew."
    lock = read_json(path, "Lock file", remedy)
    if lock is None:
        return None
    if not isinstance(lock, dict) or not is_records(lock.get("files"), "path"):
        raise PublishError(
            f"Lock file {path} is not a lock file of this tool (no list of `files` with a `path`): "
            "restore it from git or move it away."
        )
    return lock


# The settings a release was made from: a plain `doit` publishes them again (see settings.py).
RECORDED_INPUTS = ("run_dir", "dataset", "financial_dataset", "team_cache", "version")


def build_lock(
    *,
    dataset_version: str,
    files: list[dict[str, Any]],
    release: dict[str, Any] | None = None,
    metrics: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """The lock, its files in path order, so that the same release gives the same bytes; the
    run's metrics by model, when it states any (the gate compares the next run with them)."""
    lock: dict[str, Any] = {"lock_format": LOCK_FORMAT, "dataset_version": dataset_version}
    if release is not None:
        lock["release"] = release
    if metrics:
        lock["metrics"] = metrics
    lock["files"] = sorted(files, key=lambda entry: entry["path"])
    return lock


def recorded_release(lock: dict[str, Any] | None) -> dict[str, Any]:
    """What the lock file records of the release it describes (empty for an older lock file)."""
    release = (lock or {}).get("release")
    return release if isinstance(release, dict) else {}


def recorded_inputs(lock: dict[str, Any] | None) -> dict[str, Any]:
    """The recorded settings that a plain `doit` takes again, as they were given."""
    release = recorded_release(lock)
    return {name: release[name] for name in RECORDED_INPUTS if release.get(name) is not None}


def same_models(lock: dict[str, Any] | None, digests: dict[str, str]) -> bool:
    """Does the lock record exactly these model and bundle digests (by path), whatever the version?"""
    if lock is None:
        return False
    recorded = {
        entry["path"]: entry.get("sha256")
        for entry in lock["files"]
        if entry.get("kind") in ("model", "preprocessing")
    }
    return recorded == digests


def locked_file(
    *,
    path: str,
    kind: str,
    id: str,
    sha256: str,
    size: int,
    source: str,
    source_sha256: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "path": path,
        "kind": kind,
        "id": id,
        "sha256": sha256,
        "size_bytes": size,
        "source": {"path": source, "sha256": source_sha256},
        **extra,
    }
