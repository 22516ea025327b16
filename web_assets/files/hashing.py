"""SHA-256 of files, streamed: one read loop that can also copy, count and check lines on the way."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from web_assets.files.progress import Progress

CHUNK_SIZE = 1 << 20
Item = TypeVar("Item")
Result = TypeVar("Result")


def stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes do: size, mtime, ctime (kernel-set) and inode."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


class FileDigest(NamedTuple):
    sha256: str
    size: int


class TextProblem(ValueError):
    """Bytes a CSV the web app reads must not hold: what, and where (byte offset, 1-based line)."""

    remedy = (
        "export it as UTF-8 with LF or CRLF line ends (the web app reads UTF-8 and splits rows on "
        "LF), then run again"
    )

    def __init__(self, problem: str, offset: int, line: int):
        super().__init__(f"{problem} at byte {offset} (line {line})")
        self.problem, self.offset, self.line = problem, offset, line


class LineCount:
    """Counts the lines of a CSV as its bytes stream past, and checks that the web app can read
    them: UTF-8 throughout, and no line ended by a CR alone (it splits rows on LF).

    `add` raises TextProblem at the first bad byte, `finish` at the end of the file if it stops
    inside a character or on a lone CR.
    """

    def __init__(self) -> None:
        self.line_ends = 0
        self.last_byte = b""
        self.offset = 0  # of the chunk being added
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._held = 0  # bytes of a character cut by the last chunk's end, in the decoder
        self._cr_at_end = False

    def add(self, buffer: bytearray, count: int) -> None:
        if not count:
            return
        # Only the last, short chunk is copied: a full one is the buffer itself.
        chunk = buffer if count == len(buffer) else buffer[:count]
        self._check_line_ends(chunk)
        self._check_utf8(chunk)
        self.line_ends += chunk.count(b"\n")
        self.last_byte = chunk[-1:]
        self.offset += count

    def finish(self) -> None:
        """Check the end of the file: no character cut short, no lone CR as its last byte."""
        if self._cr_at_end:
            raise TextProblem(LONE_CR, self.offset - 1, self.line_ends + 1)
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise TextProblem(CUT_CHARACTER, self.offset - self._held, self.line_ends + 1) from None

    def _line(self, chunk: bytes | bytearray, index: int) -> int:
        return self.line_ends + chunk.count(b"\n", 0, max(index, 0)) + 1

    def _check_line_ends(self, chunk: bytes | bytearray) -> None:
        if self._cr_at_end and chunk[0] != LF:
            raise TextProblem(LONE_CR, self.offset - 1, self.line_ends + 1)
        self._cr_at_end = chunk[-1] == CR
        if b"\r" not in chunk:  # memchr: LF files pay next to nothing
            return
        found = LONE_CR_AT.search(chunk)
        # A CR that ends the chunk is judged by the first byte of the next one.
        if found is not None and found.start() != len(chunk) - 1:
            index = found.start()
            raise TextProblem(LONE_CR, self.offset + index, self._line(chunk, index))

    def _check_utf8(self, chunk: bytes | bytearray) -> None:
        # ASCII is UTF-8: most CSVs skip the decoder (isascii runs at memory speed in C).
        if not self._held and chunk.isascii():
            return
        try:
            self._decoder.decode(chunk)
        except UnicodeDecodeError as err:
            # The decoder's positions count the bytes it held back from the last chunk too.
            index = err.start - self._held
            byte = err.object[err.start]
            problem = f"is not UTF-8 text (byte 0x{byte:02x})"
            raise TextProblem(problem, self.offset + index, self._line(chunk, index)) from None
        self._held = len(self._decoder.getstate()[0])

    @property
    def lines(self) -> int:
        unterminated = self.last_byte not in (b"", b"\n")
        return self.line_ends + unterminated


CR, LF = 0x0D, 0x0A
LONE_CR_AT = re.compile(rb"\r(?!\n)")  # faster than comparing counts of CR and CRLF
LONE_CR = "ends a line with a CR alone"
CUT_CHARACTER = "is not UTF-8 text (it ends inside a character)"


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
    try:
        while count := stream.readinto(buffer):
            chunk = view[:count]
            if writer is not None:
                writer.write(chunk)
            if sha is not None:
                sha.update(chunk)
            if lines is not None:
                lines.add(buffer, count)
            progress.add(count)
        if lines is not None:
            lines.finish()
    finally:
        progress.finish()  # also clears the progress line before an error is shown
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
