"""Copies that hash what they copy: the copy's digest needs no second read."""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.files.atomic import WriteBatch, atomic_writer
from web_assets.files.hashing import CHUNK_SIZE, FileDigest, LineCount, TextProblem, scan, stat_key

PARALLEL_COPY_MIN_SIZE = 8 << 20
KERNEL_COPY_SLICE = 64 << 20  # how much is copied between two looks at whether to stop


def copy_file(
    source: Path,
    target: Path,
    label: str = "",
    lines: LineCount | None = None,
    known: FileDigest | None = None,
    batch: WriteBatch | None = None,
    known_at: os.stat_result | None = None,
) -> FileDigest:
    """Copy byte for byte and hash in one pass: the copy's digest needs no second read.

    Large files are copied by the kernel in a second thread while this one hashes the source,
    so copying costs no extra CPU. With `known` (the source's digest, still valid) the bytes are
    not hashed again; they are read here only to count `lines`. The source must not change
    meanwhile: that is an error. With `lines`, text the web app could not read (see LineCount)
    is an error too, found in the same pass; on any error `target` is left as it was. With a
    `batch`, the copy replaces `target` only at the batch's commit. `known_at` is the source's
    stat when `known` was looked up: a source changed since is hashed after all.
    """
    label = label or source.name
    writing = batch.writer(target) if batch is not None else atomic_writer(target)
    try:
        with source.open("rb") as reader, writing as writer:
            before = os.fstat(reader.fileno())
            if known_at is not None and stat_key(known_at) != stat_key(before):
                known = None  # changed since its digest was looked up: hashed as it is copied
            if known is not None and lines is None:
                # Nothing to hash or count: the kernel copies, no byte passes through here.
                _kernel_copy(reader.fileno(), writer.fileno(), before.st_size, threading.Event())
                digest = known
            elif before.st_size < PARALLEL_COPY_MIN_SIZE:
                digest = _copy_small(
                    reader.fileno(), writer.fileno(), before.st_size, lines, known is None
                )
            else:
                digest = _copy_in_parallel(reader, writer, source, label, lines, known is None)
            digest = known or digest
            if stat_key(before) != stat_key(os.stat(source)) or digest.size != before.st_size:
                raise PublishError(
                    f"{source} changed while it was being copied to {target}: let whatever writes "
                    "it finish, then run again."
                )
    except TextProblem as problem:
        raise PublishError(
            f"{source} {problem}: {problem.remedy} ({label} was left as it was)."
        ) from None
    return digest


def _copy_small(source_fd: int, target_fd: int, size: int, lines: LineCount | None, hashing: bool):
    """A small file in one read and one write: for a run of 1,000 small models, work per chunk
    (buffers, progress) would cost more than the bytes. At most `size` + 1 bytes are read, so
    memory stays bounded; a source that grew meanwhile is then caught by the caller's check."""
    parts = []
    read = 0
    while read <= size and (part := os.read(source_fd, size + 1 - read)):
        parts.append(part)
        read += len(part)
    data = b"".join(parts) if len(parts) != 1 else parts[0]
    view = memoryview(data)
    written = 0
    while written < len(data):
        written += os.write(target_fd, view[written:])
    if lines is not None:
        lines.add(data, len(data))
        lines.finish()
    return FileDigest(hashlib.sha256(data).hexdigest() if hashing else "", len(data))


def _copy_in_parallel(reader, writer, source: Path, label: str, lines, hashing: bool):
    """The kernel copies in a second thread while this one reads the source to hash and count."""
    size = os.fstat(reader.fileno()).st_size
    stop = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        copying = pool.submit(_kernel_copy, reader.fileno(), writer.fileno(), size, stop)
        try:
            # Called only when there is something to hash or count (else the kernel copies alone).
            with source.open("rb") as scanned:
                digest = scan(scanned, "copying", label, size, lines, hashing)
        except BaseException:
            stop.set()  # the copy is thrown away: do not wait for all of it
            raise
        copying.result()
    return digest


def _kernel_copy(source_fd: int, target_fd: int, size: int, stop: threading.Event) -> None:
    """Copy inside the kernel (no trip through this process); plain reads where it cannot."""
    offset = 0
    try:
        while offset < size and not stop.is_set():
            wanted = min(size - offset, KERNEL_COPY_SLICE)
            copied = os.copy_file_range(source_fd, target_fd, wanted, offset, offset)
            if copied == 0:
                break
            offset += copied
    except OSError:
        pass  # another file system, or no support: finish the copy by hand
    while offset < size and not stop.is_set():
        chunk = os.pread(source_fd, min(CHUNK_SIZE, size - offset), offset)
        if not chunk:
            break
        offset += os.pwrite(target_fd, chunk, offset)
