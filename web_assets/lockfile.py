"""The lock file: every published file, its digest and size, and where it came from.

The web app's schema forbids new top-level keys in dev.json, so provenance lives here, committed
beside the assets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.jsonio import is_records, read_json

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


def build_lock(*, dataset_version: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    """The lock, its files in path order, so that the same release gives the same bytes."""
    return {
        "lock_format": LOCK_FORMAT,
        "dataset_version": dataset_version,
        "files": sorted(files, key=lambda entry: entry["path"]),
    }


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
