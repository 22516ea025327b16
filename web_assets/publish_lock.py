"""One publish at a time per project: an exclusive lock held until the run ends."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path

from web_assets.errors import PublishError

_held: dict[Path, int] = {}
_guard = threading.Lock()


def lock_path(root: Path) -> Path:
    return root / ".web-assets" / "publish.lock"


def take(root: Path, first: Callable[[], None] | None = None) -> None:
    """Take the project's lock for this process, or refuse if another process has it.

    Taken by the first step that writes and kept until `drop` or the process ends, so a
    second `doit` started meanwhile stops before it writes anything. `first` runs once, when the
    lock is taken, before any other thread of this process gets past this call.
    """
    path = lock_path(root)
    with _guard:
        if path in _held:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise PublishError(
                f"Another publish is running in {root} (pid {holder}, lock {path}): nothing was "
                "written. Wait for it to finish, then run again."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[path] = fd
        if first is not None:
            first()


def drop(root: Path) -> None:
    path = lock_path(root)
    with _guard:
        fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)
