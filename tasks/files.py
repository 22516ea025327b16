"""Atomic writes and streamed copies that hash what they copy."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from web_assets.errors import PublishError

CHUNK_SIZE = 1 << 20
PARTIAL_SUFFIX = ".partial"
PROGRESS_MIN_SIZE = 64 << 20
PARALLEL_COPY_MIN_SIZE = 8 << 20
PROGRESS_INTERVAL = 0.25


def _read_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# Read once: os.umask can only be read by setting it, which is not safe once threads run.
NEW_FILE_MODE = 0o666 & ~_read_umask()


def stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes do: size, mtime, ctime (kernel-set) and inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


class FileDigest(NamedTuple):
    sha256: str
    size: int


class LineCount:
    """Counts the lines of a text file as its bytes stream past (for the CSVs' row counts)."""

    def __init__(self) -> None:
        self.line_ends = 0
        self.last_byte = b""

    def add(self, buffer: bytearray, count: int) -> None:
        if count:
            self.line_ends += buffer.count(b"\n", 0, count)
            self.last_byte = bytes(buffer[count - 1 : count])

    @property
    def lines(self) -> int:
        unterminated = self.last_byte not in (b"", b"\n")
        return self.line_ends + unterminated


class Progress:
    """Bytes done and rate for a large file, on stderr when it is a terminal; silent otherwise."""

    def __init__(self, verb: str, label: str, total: int):
        self.enabled = total >= PROGRESS_MIN_SIZE and sys.stderr.isatty()
        self.verb, self.label, self.total = verb, label, total
        self.done = 0
        self.started = time.monotonic()
        self.shown = self.started - PROGRESS_INTERVAL

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self.shown >= PROGRESS_INTERVAL:
            self.shown = now
            rate = self.done / max(now - self.started, 1e-9) / 1e6
            sys.stderr.write(
                f"\r{self.verb} {self.label}: {self.done >> 20}/{self.total >> 20} MiB, {rate:.0f} MB/s"
            )
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def hash_file(path: Path, label: str = "") -> FileDigest:
    """SHA-256 and size of a file, streamed in large chunks: memory stays flat."""
    with path.open("rb") as stream:
        total = os.fstat(stream.fileno()).st_size
        return _scan(stream, "hashing", label or path.name, total)


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
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def partial_path(path: Path) -> Path:
    """Where an interrupted write of `path` leaves its bytes."""
    return path.with_name(f".{path.name}{PARTIAL_SUFFIX}")


def read_json(path: Path, what: str, remedy: str) -> Any | None:
    """A JSON file's document, None when there is no file; a PublishError naming it if not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as err:
        raise PublishError(f"{what} {path} is not UTF-8 text ({err}): {remedy}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise PublishError(f"{what} {path} is not valid JSON ({err}): {remedy}") from None


def is_records(value: Any, key: str) -> bool:
    """A JSON list of objects that each have a string `key` (manifest entries, lock files)."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get(key), str) for item in value
    )


def json_bytes(document: Any) -> bytes:
    """Stable bytes for a JSON document: keys in their order, 2-space indent, trailing newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def atomic_write_bytes(path: Path, data: bytes) -> FileDigest:
    """Write `data` atomically; returns its digest, so nothing reads the file back to hash it."""
    with atomic_writer(path) as stream:
        stream.write(data)
    return FileDigest(hashlib.sha256(data).hexdigest(), len(data))


def copy_file(
    source: Path,
    target: Path,
    label: str = "",
    lines: LineCount | None = None,
    known: FileDigest | None = None,
) -> FileDigest:
    """Copy byte for byte and hash in one pass: the copy's digest needs no second read.

    Large files are copied by the kernel in a second thread while this one hashes the source,
    so copying costs no extra CPU. With `known` (the source's digest, still valid) the bytes are
    not hashed again; they are read here only to count `lines`. The source must not change
    meanwhile: that is an error.
    """
    label = label or source.name
    with source.open("rb") as reader, atomic_writer(target) as writer:
        before = os.fstat(reader.fileno())
        if before.st_size < PARALLEL_COPY_MIN_SIZE:
            digest = _scan(reader, "copying", label, before.st_size, lines, known is None, writer)
        else:
            with ThreadPoolExecutor(1) as pool:
                copying = pool.submit(
                    _kernel_copy, reader.fileno(), writer.fileno(), before.st_size
                )
                digest = None
                if known is None or lines is not None:
                    with source.open("rb") as scanned:
                        digest = _scan(
                            scanned, "copying", label, before.st_size, lines, known is None
                        )
                copying.result()
        digest = known or digest
        if stat_key(before) != stat_key(os.stat(source)) or digest.size != before.st_size:
            raise PublishError(
                f"{source} changed while it was being copied to {target}: let whatever writes it "
                "finish, then run again."
            )
    return digest


def _scan(
    stream: BinaryIO,
    verb: str,
    label: str,
    total: int,
    lines: LineCount | None = None,
    hashing: bool = True,
    writer: BinaryIO | None = None,
) -> FileDigest:
    """Read a stream once: its SHA-256 (unless not `hashing`), lines, a copy to `writer` and
    progress, as asked."""
    progress = Progress(verb, label, total)
    if hashing and lines is None and writer is None and not progress.enabled:
        return FileDigest(hashlib.file_digest(stream, "sha256").hexdigest(), stream.tell())
    sha = hashlib.sha256() if hashing else None
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while count := stream.readinto(buffer):
        chunk = view[:count]
        if writer is not None:
            writer.write(chunk)
        if sha is not None:
            sha.update(chunk)
        if lines is not None:
            lines.add(buffer, count)
        progress.add(count)
    progress.finish()
    return FileDigest(sha.hexdigest() if sha else "", progress.done)


def _kernel_copy(source_fd: int, target_fd: int, size: int) -> None:
    """Copy inside the kernel (no trip through this process); plain reads where it cannot."""
    offset = 0
    try:
        while offset < size:
            copied = os.copy_file_range(source_fd, target_fd, size - offset, offset, offset)
            if copied == 0:
                break
            offset += copied
    except OSError:
        pass  # another file system, or no support: finish the copy by hand
    while offset < size:
        chunk = os.pread(source_fd, min(CHUNK_SIZE, size - offset), offset)
        if not chunk:
            break
        offset += os.pwrite(target_fd, chunk, offset)


def _keep_mode(fd: int, path: Path) -> None:
    """Give the new file the mode of the one it replaces, or what the umask gives a new file."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    if os.fstat(fd).st_mode & 0o777 != mode:
        os.fchmod(fd, mode)
