"""The model (or bundle) a publish replaces, to run it beside the new one."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.digests import cache_for
from web_assets.git.objects import read_all
from web_assets.git.run import is_work_tree


class Published(NamedTuple):
    """A published model: its SHA-256, and the file that holds those bytes (None: only HEAD may)."""

    sha256: str
    path: Path | None
    recorded: str | None  # its path in the lock file, to read it from HEAD


def published_model(
    settings: Settings, entry: dict[str, Any] | None, unrecorded: Path | None
) -> Published | None:
    """The published model `entry` records, without reading its bytes when the digest cache
    knows them. Without a record, `unrecorded` (the export folder's file of that id, when it is
    not the new file itself) is taken as it is."""
    digests = cache_for(settings.root)
    if entry is None:
        if unrecorded is not None and unrecorded.is_file():
            return Published(digests.digest(unrecorded).sha256, unrecorded, None)
        return None
    expected, path = entry.get("sha256"), str(entry.get("path"))
    if not isinstance(expected, str):
        return None
    on_disk = settings.root / path
    # The export folder holds the published bytes while the run was gathered from elsewhere.
    if on_disk.is_file() and digests.digest(on_disk).sha256 == expected:
        return Published(expected, on_disk, None)
    return Published(expected, None, path)


def committed_model(settings: Settings, model: Published, folder: Path, name: str) -> Path | None:
    """A file in `folder` holding the model's bytes from HEAD (a run exported into the export
    folder itself has overwritten them there); None when HEAD does not hold them."""
    if model.recorded is None:
        return None
    data = _committed(settings, model.recorded, model.sha256)
    if data is None:
        return None
    path = folder / name
    path.write_bytes(data)
    return path


def missing_note(model: Published) -> str:
    return (
        f"the published {model.recorded} (sha256 {model.sha256[:8]}) is neither in the export "
        "folder nor committed at HEAD: no shift measured"
    )


def published_bytes(settings: Settings, entry: dict[str, Any] | None) -> bytes | None:
    """A small published file's bytes (a bundle), from the export folder or HEAD, or None;
    they must have the SHA-256 `entry` records."""
    if entry is None:
        return None
    expected, path = entry.get("sha256"), str(entry.get("path"))
    on_disk = settings.root / path
    if on_disk.is_file():
        data = on_disk.read_bytes()
        if hashlib.sha256(data).hexdigest() == expected:
            return data
    return _committed(settings, path, expected)


def _committed(settings: Settings, path: str, expected: Any) -> bytes | None:
    if not is_work_tree(settings.root):
        return None
    try:
        data = read_all(settings.root, [f"HEAD:./{path}"]).get(f"HEAD:./{path}")
    except PublishError:
        return None
    if data is not None and hashlib.sha256(data).hexdigest() == expected:
        return data
    return None
