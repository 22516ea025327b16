"""Free space, decided before the first write: a publish that cannot fit is refused whole."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.release.datasets import Copy

# Room for what is not counted: the manifest, the lock file, git's trees and commits, doit's state.
MARGIN = 16 << 20


def bytes_needed(copies: Iterable[Copy], committed: bool) -> int:
    """What the copies add on disk while a publish runs: each new file, written beside the old
    one until its rename; with a commit, git's object of it too (models are stored as they are)."""
    need = 0
    for copy in copies:
        size = copy.source.stat().st_size
        try:
            unchanged = copy.target.stat().st_size == size
        except FileNotFoundError:
            unchanged = False
        if not unchanged:
            need += size * (2 if committed else 1)
    return need


def refuse_short_space(root: Path, copies: Iterable[Copy], committed: bool) -> None:
    need = bytes_needed(copies, committed)
    if not need:
        return
    free = shutil.disk_usage(root).free
    if need + MARGIN > free:
        raise PublishError(
            f"Not enough free space for this publish in {root}: it needs about "
            f"{(need + MARGIN) >> 20} MiB (new copies and their git objects), {free >> 20} MiB are "
            "free. Free some space, then run again; nothing was written."
        )
