"""Atomic writes: readers see the old file or the new one, never part of either."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from web_assets.hashing import FileDigest

PARTIAL_SUFFIX = ".partial"


def _read_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# Read once: os.umask can only be read by setting it, which is not safe once threads run.
NEW_FILE_MODE = 0o666 & ~_read_umask()


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Write `path` through a temp file in the same folder: readers see the old file or the new one.

    The temp file is `.{name}.partial`: one writer at a time (the project lock), and a crash leaves
    at most that file, which the next write of `path` truncates and reuses. Its name is fixed so
    that no folder listing is needed to find it. The folder itself is not fsynced: after a power
    cut the rename may be lost, which leaves the old file, never part of the new one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = partial_path(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, "wb") as stream:
            _keep_mode(stream.fileno(), path)
            yield stream
            stream.flush()
            # The data must be on disk before the rename makes it the file's content.
            os.fdatasync(stream.fileno())
        os.replace(temp, path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        if err.filename is None:  # a write or flush that failed (a full disk): name the file
            err.filename = str(path)
        raise
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def partial_path(path: Path) -> Path:
    """Where an interrupted write of `path` leaves its bytes."""
    return path.with_name(f".{path.name}{PARTIAL_SUFFIX}")


def atomic_write_bytes(path: Path, data: bytes) -> FileDigest:
    """Write `data` atomically; returns its digest, so nothing reads the file back to hash it."""
    with atomic_writer(path) as stream:
        stream.write(data)
    return FileDigest(hashlib.sha256(data).hexdigest(), len(data))


def _keep_mode(fd: int, path: Path) -> None:
    """Give the new file the mode of the one it replaces, or what the umask gives a new file."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    if os.fstat(fd).st_mode & 0o777 != mode:
        os.fchmod(fd, mode)
