"""Copies that hash what they copy: the copy's digest needs no second read."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from web_assets.atomic import atomic_writer
from web_assets.errors import PublishError
from web_assets.hashing import CHUNK_SIZE, FileDigest, LineCount, scan, stat_key

PARALLEL_COPY_MIN_SIZE = 8 << 20


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
            digest = scan(reader, "copying", label, before.st_size, lines, known is None, writer)
        else:
            with ThreadPoolExecutor(1) as pool:
                copying = pool.submit(
                    _kernel_copy, reader.fileno(), writer.fileno(), before.st_size
                )
                digest = None
                if known is None or lines is not None:
                    with source.open("rb") as scanned:
                        digest = scan(
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
