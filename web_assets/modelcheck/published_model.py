"""The bytes of the model (or bundle) a publish replaces, to run it beside the new one."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.git.objects import read_all
from web_assets.git.run import is_work_tree


def published_bytes(
    settings: Settings, entry: dict[str, Any] | None, unrecorded: Path | None
) -> tuple[bytes | None, str]:
    """The published file's bytes, or None and why not.

    `entry` is the lock file's record of it: its bytes are taken from the export folder while it
    still holds them (a run gathered from elsewhere), else from the commit at HEAD (a run exported
    into the export folder itself has already overwritten them), and must have the recorded
    SHA-256. Without a record, `unrecorded` (the export folder's file of that id, when it is not
    the new file itself) is taken as it is.
    """
    if entry is None:
        if unrecorded is not None and unrecorded.is_file():
            return unrecorded.read_bytes(), ""
        return None, ""
    expected, path = entry.get("sha256"), str(entry.get("path"))
    on_disk = settings.root / path
    if on_disk.is_file():
        data = on_disk.read_bytes()
        if hashlib.sha256(data).hexdigest() == expected:
            return data, ""
    if is_work_tree(settings.root):
        try:
            data = read_all(settings.root, [f"HEAD:./{path}"]).get(f"HEAD:./{path}")
        except PublishError:
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() == expected:
            return data, ""
    return None, (
        f"the published {path} (sha256 {str(expected)[:8]}) is neither in the export folder nor "
        "committed at HEAD: no shift measured"
    )
