"""SHA-256 of files, streamed: one read loop that can also copy and count lines on the way."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from web_assets.progress import Progress

CHUNK_SIZE = 1 << 20
Item = TypeVar("Item")
Result = TypeVar("Result")


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


def hash_file(path: Path, label: str = "") -> FileDigest:
    """SHA-256 and size of a file, streamed in large chunks: memory stays flat."""
    with path.open("rb") as stream:
        total = os.fstat(stream.fileno()).st_size
        return scan(stream, "hashing", label or path.name, total)


def scan(
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


def parallel_map(
    work: Callable[[Item], Result], items: Iterable[Item], threads: int
) -> list[Result]:
    """`work` over `items`, `threads` at a time: the one pool shape for hashing many files
    (hashlib and file reads drop the GIL). In order; one item or one thread runs inline."""
    items = list(items)
    if len(items) < 2 or threads < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(min(threads, len(items))) as pool:
        return list(pool.map(work, items))
