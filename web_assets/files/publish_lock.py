"""One publish at a time per project: an exclusive lock held until the run ends."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from web_assets.errors import PublishError

_held: dict[Path, int] = {}
_guard = threading.Lock()


def state_dir(root: Path) -> Path:
    """Where a project keeps its state (the lock, the digest cache): never written through a symlink."""
    return root / ".web-assets"


def lock_path(root: Path) -> Path:
    return state_dir(root) / "publish.lock"


def make_state_dir(root: Path) -> Path:
    """The state folder, created if need be; a PublishError if it is a symlink."""
    folder = state_dir(root)
    if folder.is_symlink():
        raise PublishError(
            f"{folder} is a symlink, and a publish never writes its state through one: nothing was "
            f"written. Remove it (`rm {folder}`) and run again."
        )
    folder.mkdir(exist_ok=True)
    return folder


def _open_lock(path: Path) -> int:
    """The lock file's descriptor; a PublishError if it is anything but a plain file of its own."""
    try:
        # O_NOFOLLOW: a planted symlink must not get its target truncated below.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        problem = "is a symlink"
    else:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
            return fd
        os.close(fd)
        # A hard link to a file elsewhere would be truncated like a symlink's target.
        problem = "has other hard links" if stat.S_ISREG(info.st_mode) else "is not a plain file"
    raise PublishError(
        f"{path} {problem}, and a publish never writes its state through one: nothing was "
        f"written. Remove it (`rm {path}`) and run again."
    )


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
        make_state_dir(root)
        fd = _open_lock(path)
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
